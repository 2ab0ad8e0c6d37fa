import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.js';
import type { Lead } from '../../functions/core/model.js';
import { sendLeadEmail, type SendSettings } from '../../functions/core/send.js';
import { DEFAULT_SEND_WINDOW, outsideBusinessHours, parseBusinessHours } from '../../functions/core/send-window.js';
import { leadTemplates } from '../../workflows/templates/index.js';
import { InMemoryContactStore, InMemoryLeadStore, RecordingMailer, sequentialIds, testSendSettings } from '../fakes/index.js';

const hours = DEFAULT_SEND_WINDOW.businessHours; // 9–17, Monday–Friday
const at = (iso: string) => new Date(iso);

describe('the business-hours send window', () => {
  it('lets a send go at once inside business hours', () => {
    expect(outsideBusinessHours(at('2026-03-04T10:30:00.000Z'), 'UTC', hours)).toBeUndefined();
  });

  it('opens in the first minute of the window and closes at its end hour', () => {
    expect(outsideBusinessHours(at('2026-03-04T09:00:00.000Z'), 'UTC', hours)).toBeUndefined();
    expect(outsideBusinessHours(at('2026-03-04T08:59:00.000Z'), 'UTC', hours)?.until).toBe('2026-03-04T09:00:00.000Z');
    expect(outsideBusinessHours(at('2026-03-04T17:00:00.000Z'), 'UTC', hours)?.until).toBe('2026-03-05T09:00:00.000Z');
  });

  it('defers a Friday evening send past the weekend to Monday’s opening', () => {
    expect(outsideBusinessHours(at('2026-03-06T18:00:00.000Z'), 'UTC', hours)).toEqual({
      kind: 'defer',
      reason: 'business-hours',
      summary: 'outside business hours in UTC',
      until: '2026-03-09T09:00:00.000Z',
    });
  });

  it('reads the hours in the recipient’s time zone', () => {
    // 14:00 UTC is 09:00 in New York (EST) and 23:00 in Tokyo.
    expect(outsideBusinessHours(at('2026-03-04T14:00:00.000Z'), 'America/New_York', hours)).toBeUndefined();
    expect(outsideBusinessHours(at('2026-03-04T13:59:00.000Z'), 'America/New_York', hours)?.until).toBe('2026-03-04T14:00:00.000Z');
    expect(outsideBusinessHours(at('2026-03-04T14:00:00.000Z'), 'Asia/Tokyo', hours)?.until).toBe('2026-03-05T00:00:00.000Z');
    // Kathmandu is UTC+5:45: the window opens at 03:15 UTC.
    expect(outsideBusinessHours(at('2026-03-04T03:00:00.000Z'), 'Asia/Kathmandu', hours)?.until).toBe('2026-03-04T03:15:00.000Z');
  });

  it('is the rule rep reminders use, so a step and a reminder open at the same minute', async () => {
    const { nextOpening } = await import('../../functions/core/business-hours.js');
    const now = at('2026-03-07T12:00:00.000Z');
    expect(outsideBusinessHours(now, 'Europe/Berlin', hours)?.until).toBe(nextOpening(now, 'Europe/Berlin', hours).toISOString());
  });
});

describe('the business-hours setting', () => {
  it('reads hours and weekdays as 9-17/1-5', () => {
    expect(parseBusinessHours('9-17/1-5')).toEqual({ startHour: 9, endHour: 17, weekdays: [1, 2, 3, 4, 5] });
    expect(parseBusinessHours('10-16/1,3,5-6')).toEqual({ startHour: 10, endHour: 16, weekdays: [1, 3, 5, 6] });
  });

  it('refuses hours that never open or are not hours', () => {
    for (const bad of ['17-9/1-5', '9-25/1-5', '9-17/0-5', '9-17/5-1', '9to5', '']) expect(parseBusinessHours(bad), bad).toBeUndefined();
  });
});

describe('a windowed send step at the chokepoint', () => {
  const settings: SendSettings = testSendSettings({
    postalAddress: '1 Harbour Street, Bristol BS1 4XX, UK',
    sendWindow: { businessHours: hours, defaultTimeZone: 'America/New_York' },
  });
  const lead = {
    leadId: 'lead-1', email: 'ada@example.com', firstName: 'Ada', stage: 'awareness', status: 'active', score: 0, run: 1,
    consent: { given: true, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web' },
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', version: 1,
  } satisfies Lead;
  const step = { leadId: 'lead-1', run: 1, stage: 'awareness' as const, stepId: 'welcome', template: 'awareness-welcome', category: 'transactional' as const, window: 'business-hours' as const };

  it('defers outside business hours in the default zone, records why on the timeline, and sends at the opening', async () => {
    const leads = new InMemoryLeadStore();
    const mailer = new RecordingMailer();
    const clock = fixedClock('2026-03-07T15:00:00.000Z'); // Saturday
    await leads.create(lead, []);
    const deps = { leads, contacts: new InMemoryContactStore(), mailer, clock, ids: sequentialIds(), templates: leadTemplates, settings };

    // Saturday: Monday 09:00 in New York is 13:00 UTC (summer time began on the Sunday between).
    expect(await sendLeadEmail(deps, step)).toEqual({ outcome: 'deferred', reason: 'business-hours', until: '2026-03-09T13:00:00.000Z' });
    expect(mailer.sent).toHaveLength(0);
    const [entry] = await leads.timeline('lead-1');
    expect(entry).toMatchObject({ type: 'email_deferred', data: { stepId: 'welcome', reason: 'business-hours', until: '2026-03-09T13:00:00.000Z' } });
    expect(entry!.summary).toMatch(/outside business hours in America\/New_York/);

    clock.set('2026-03-09T13:00:00.000Z');
    expect(await sendLeadEmail(deps, step)).toEqual({ outcome: 'sent' });
    expect(await sendLeadEmail(deps, step)).toEqual({ outcome: 'duplicate' });
    expect(mailer.sent).toHaveLength(1);
  });
});
