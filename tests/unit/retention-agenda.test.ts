/**
 * The retention agenda (core/retention.ts) with the shipped programme, parsed through its schema, on a
 * fixed clock: what is due for a customer and when — check-ins inside business hours, the survey,
 * business reviews and renewal reminders counted from the customer's own term, holds while a serious
 * ticket is open, the no-usage nudge once per quiet stretch, deferrals, win-back after a cancellation,
 * follow-ups first, the hand-over before Step Functions' one-year limit — and the schema's errors.
 */
import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/core/business-hours.js';
import { DAY_MS, HOUR_MS } from '../../functions/core/clock.js';
import type { Customer } from '../../functions/core/model.js';
import {
  addMonths,
  dueRetentionItems,
  nextRetentionWakeUp,
  retentionAgenda,
  termDays,
  termFrom,
  type RetentionItem,
  type UsageView,
} from '../../functions/core/retention.js';
import { retentionProgramme } from '../../workflows/programmes/retention.js';
import { parseRetentionProgramme } from '../../workflows/programmes/retention-schema.js';

const programme = parseRetentionProgramme(retentionProgramme);
const START = '2026-01-05'; // a Monday
const RENEWAL = '2027-01-05';

const customer = (over: Partial<Customer> = {}): Customer => ({
  customerId: 'cust-1',
  leadId: 'lead-1',
  email: 'ada@example.com',
  since: `${START}T10:00:00.000Z`,
  status: 'active',
  ownerId: 'rep-1',
  term: termFrom(1, START, 12),
  run: 1,
  ...over,
});

/** `n` days into the term at a UTC time of day (10:00: inside business hours on a weekday). */
const day = (n: number, time = '10:00') => new Date(`${addDays(START, n)}T${time}:00.000Z`);
const utc = (iso: string) => new Date(iso);
/** A customer who used the product yesterday, no ticket open. */
const activeUse = (now: Date): UsageView => ({ highSeverityOpen: false, lastUsedAt: new Date(now.getTime() - DAY_MS).toISOString() });
const keys = (items: RetentionItem[]) => items.map((i) => i.key);
const find = (items: RetentionItem[], key: string) => items.find((i) => i.key === key);
const ONE_OFF = ['t1#assign-owner', 't1#welcome', 't1#setup-check', 't1#first-value'];

describe('the start of a term', () => {
  it('makes the welcome due at once when the term starts inside business hours', () => {
    const now = day(0);
    const due = dueRetentionItems(customer(), programme, activeUse(now), now);
    expect(find(due, 't1#welcome')).toMatchObject({ kind: 'check-in', template: 'retention-welcome', at: now });
  });

  it('moves the welcome of a term starting on a Saturday to Monday 09:00 UTC', () => {
    const now = utc('2026-01-10T10:00:00.000Z');
    const c = customer({ term: termFrom(1, '2026-01-10', 12) });
    expect(find(retentionAgenda(c, programme, activeUse(now), now), 't1#welcome')?.at).toEqual(utc('2026-01-12T09:00:00.000Z'));
    expect(keys(dueRetentionItems(c, programme, activeUse(now), now))).not.toContain('t1#welcome');
  });

  it('decides the owner once, at the start of the first term, whether or not a rep won the deal', () => {
    const now = day(0);
    expect(find(dueRetentionItems(customer(), programme, activeUse(now), now), 't1#assign-owner')).toMatchObject({ kind: 'assign-owner', at: now });
    const due = dueRetentionItems(customer({ ownerId: undefined }), programme, activeUse(now), now);
    expect(find(due, 't1#assign-owner')).toMatchObject({ kind: 'assign-owner', at: now });
    expect(keys(dueRetentionItems(customer({ retention: { done: ['t1#assign-owner'] } }), programme, activeUse(now), now))).not.toContain('t1#assign-owner');
  });

  it('has nothing on the agenda of a customer without an email (erased)', () => {
    const now = day(0);
    expect(retentionAgenda(customer({ email: '' }), programme, activeUse(now), now)).toEqual([]);
  });
});

describe('the next wake-up', () => {
  it('is no later than the next health check, 24 hours ahead, on a quiet day', () => {
    const now = day(1);
    const c = customer({ retention: { done: ['t1#assign-owner', 't1#welcome'] } });
    const wakeUp = nextRetentionWakeUp(c, programme, activeUse(now), now)!;
    expect(wakeUp.getTime()).toBeLessThanOrEqual(now.getTime() + 24 * HOUR_MS);
    expect(wakeUp).toEqual(new Date(now.getTime() + 24 * HOUR_MS));
  });

  it('never brings back a key marked done', () => {
    const c = customer({ retention: { done: ['t1#welcome'] } });
    for (const n of [0, 1, 7, 45, 200, 364]) {
      const now = day(n);
      expect(keys(retentionAgenda(c, programme, activeUse(now), now))).not.toContain('t1#welcome');
    }
  });
});

describe('moments counted from the term', () => {
  it('makes the NPS survey due on day 45', () => {
    const c = customer({ retention: { done: ONE_OFF } });
    expect(keys(dueRetentionItems(c, programme, activeUse(day(44)), day(44)))).not.toContain('t1#nps');
    const due = dueRetentionItems(c, programme, activeUse(day(45)), day(45));
    expect(find(due, 't1#nps')).toMatchObject({ kind: 'survey', template: 'retention-nps-survey', at: day(45) });
  });

  it('invites the owner to business reviews on days 90, 181, 272 and 363: only those inside the 365-day term', () => {
    const now = day(0);
    expect(termDays(customer().term!)).toBe(365);
    const reviews = retentionAgenda(customer(), programme, activeUse(now), now).filter((i) => i.kind === 'business-review');
    expect(reviews.map((r) => [r.key, r.n, r.at])).toEqual([
      ['t1#review-1', 1, day(90, '00:00')],
      ['t1#review-2', 2, day(181, '00:00')],
      ['t1#review-3', 3, day(272, '00:00')],
      ['t1#review-4', 4, day(363, '00:00')],
    ]);
  });

  it('sends customer check-ins between the reviews on days 135, 226 and 317, in business hours', () => {
    const now = day(0);
    const quarterly = retentionAgenda(customer(), programme, activeUse(now), now).filter((i) => i.key.startsWith('t1#quarterly-'));
    expect(quarterly.map((q) => [q.key, q.template, q.at])).toEqual([
      ['t1#quarterly-1', 'retention-quarterly', day(135, '09:00')],
      ['t1#quarterly-2', 'retention-quarterly', day(226, '09:00')],
      ['t1#quarterly-3', 'retention-quarterly', day(317, '09:00')],
    ]);
  });

  it('reminds the owner 90 and 60 days before the renewal date, the customer 30 days before (in business hours), and ends the term at it', () => {
    const now = day(0);
    const agenda = retentionAgenda(customer(), programme, activeUse(now), now);
    expect(find(agenda, 't1#renewal-owner-90')).toMatchObject({ kind: 'renewal-owner', n: 90, at: utc('2026-10-07T00:00:00.000Z') });
    expect(find(agenda, 't1#renewal-owner-60')).toMatchObject({ kind: 'renewal-owner', n: 60, at: utc('2026-11-06T00:00:00.000Z') });
    // 30 days before is Sunday 6 December: the customer hears on Monday morning.
    expect(find(agenda, 't1#renewal-30')).toMatchObject({ kind: 'renewal-customer', n: 30, template: 'retention-renewal-30', at: utc('2026-12-07T09:00:00.000Z') });
    expect(find(agenda, 't1#term-end')).toMatchObject({ kind: 'term-end', at: utc(`${RENEWAL}T00:00:00.000Z`) });
  });

  it('ends the term once the renewal date has come', () => {
    const now = utc(`${RENEWAL}T00:00:00.000Z`);
    const due = dueRetentionItems(customer({ retention: { runStartedAt: now.toISOString() } }), programme, activeUse(now), now);
    expect(due.at(-1)).toMatchObject({ kind: 'term-end', key: 't1#term-end' });
  });
});

describe('a high-severity ticket', () => {
  const open: UsageView = { highSeverityOpen: true, lastUsedAt: day(0).toISOString() };

  it('holds the set-up check, the first-value check-in and the quarterly check-ins, not the welcome or the renewal reminders', () => {
    const now = day(0);
    const agenda = keys(retentionAgenda(customer(), programme, open, now));
    expect(agenda).toContain('t1#welcome');
    expect(agenda).toEqual(expect.arrayContaining(['t1#renewal-owner-90', 't1#renewal-owner-60', 't1#renewal-30']));
    expect(agenda).not.toContain('t1#setup-check');
    expect(agenda).not.toContain('t1#first-value');
    expect(agenda.filter((k) => k.startsWith('t1#quarterly-'))).toEqual([]);
  });

  it('lets a held check-in go once the ticket is closed', () => {
    const c = customer({ retention: { done: ['t1#welcome'] } });
    const now = day(8);
    expect(keys(dueRetentionItems(c, programme, { ...open, lastUsedAt: now.toISOString() }, now))).not.toContain('t1#setup-check');
    expect(find(dueRetentionItems(c, programme, activeUse(now), now), 't1#setup-check')).toMatchObject({ at: now });
  });
});

describe('no usage', () => {
  const now = utc('2026-03-10T10:00:00.000Z'); // a Tuesday
  const lastUsedAt = new Date(now.getTime() - 15 * DAY_MS).toISOString();
  const quietFor = lastUsedAt.slice(0, 10);

  it('offers a hand when the customer has not used the product for 15 days', () => {
    const due = dueRetentionItems(customer(), programme, { highSeverityOpen: false, lastUsedAt }, now);
    expect(find(due, `t1#no-usage-${quietFor}`)).toMatchObject({ kind: 'no-usage', template: 'retention-need-a-hand', at: now });
  });

  it('does not offer it again for the same quiet stretch', () => {
    const c = customer({ retention: { noUsageAlertedFor: quietFor } });
    expect(retentionAgenda(c, programme, { highSeverityOpen: false, lastUsedAt }, now).filter((i) => i.kind === 'no-usage')).toEqual([]);
  });

  it('does not offer it after 13 quiet days', () => {
    const recent = new Date(now.getTime() - 13 * DAY_MS).toISOString();
    expect(dueRetentionItems(customer(), programme, { highSeverityOpen: false, lastUsedAt: recent }, now).filter((i) => i.kind === 'no-usage')).toEqual([]);
  });
});

describe('a deferral', () => {
  it('keeps an item back until its notBefore time', () => {
    const until = '2026-01-07T13:00:00.000Z';
    const c = customer({ retention: { notBefore: { 't1#welcome': until } } });
    const now = day(0);
    expect(find(retentionAgenda(c, programme, activeUse(now), now), 't1#welcome')?.at).toEqual(utc(until));
    expect(keys(dueRetentionItems(c, programme, activeUse(now), now))).not.toContain('t1#welcome');
    expect(keys(dueRetentionItems(c, programme, activeUse(utc(until)), utc(until)))).toContain('t1#welcome');
  });
});

describe('a cancelled customer', () => {
  const cancelledAt = '2026-03-04T15:00:00.000Z'; // a Wednesday
  const followUp = { key: 'nps-1', kind: 'passive' as const, at: '2026-03-04T16:00:00.000Z' };
  const cancelled = (done: string[] = []) =>
    customer({ status: 'cancelled', cancelledAt, retention: { cancellations: 1, followUps: [followUp], done } });
  const now = utc('2026-03-04T17:00:00.000Z');

  it('has only the win-back sequence, 3, 14 and 45 days after the cancellation in business hours, and its follow-ups', () => {
    const agenda = retentionAgenda(cancelled(), programme, activeUse(now), now);
    expect(agenda.map((i) => [i.kind, i.key, i.template, i.at])).toEqual([
      // A passive's follow-up mails the customer: at the next opening (17:00 on a Wednesday is closing time).
      ['follow-up', 'follow-up#nps-1', undefined, utc('2026-03-05T09:00:00.000Z')],
      ['win-back', 'w1#winback-1', 'retention-winback-1', utc('2026-03-09T09:00:00.000Z')], // day 3 is a Saturday
      ['win-back', 'w1#winback-2', 'retention-winback-2', utc('2026-03-18T09:00:00.000Z')],
      ['win-back', 'w1#winback-3', 'retention-winback-3', utc('2026-04-20T09:00:00.000Z')], // day 45 is a Saturday
    ]);
  });

  it('wakes for the next win-back mail, not for health checks', () => {
    const c = cancelled(['follow-up#nps-1']);
    expect(nextRetentionWakeUp(c, programme, activeUse(now), now)).toEqual(utc('2026-03-09T09:00:00.000Z'));
  });

  it('ends the run once every win-back mail and follow-up is done', () => {
    const c = cancelled(['follow-up#nps-1', 'w1#winback-1', 'w1#winback-2', 'w1#winback-3']);
    const later = utc('2026-04-20T10:00:00.000Z');
    expect(retentionAgenda(c, programme, activeUse(later), later)).toEqual([]);
    expect(nextRetentionWakeUp(c, programme, activeUse(later), later)).toBeUndefined();
  });

  it('numbers the win-back keys by cancellation, so a second cancellation gets the sequence again', () => {
    const c = customer({ status: 'cancelled', cancelledAt, retention: { cancellations: 2, done: ['w1#winback-1', 'w1#winback-2', 'w1#winback-3'] } });
    expect(keys(retentionAgenda(c, programme, activeUse(now), now))).toEqual(['w2#winback-1', 'w2#winback-2', 'w2#winback-3']);
  });
});

describe('follow-ups', () => {
  it('are due at once and come first, before the owner assignment and the check-ins', () => {
    const now = day(45);
    const c = customer({ ownerId: undefined, retention: { followUps: [{ key: 'nps-7', kind: 'promoter', at: day(45, '09:30').toISOString() }] } });
    const due = dueRetentionItems(c, programme, activeUse(now), now);
    expect(due[0]).toMatchObject({ kind: 'follow-up', key: 'follow-up#nps-7', at: now });
    expect(due[1]).toMatchObject({ kind: 'assign-owner' });
    expect(keys(due.slice(2))).toEqual(expect.arrayContaining([...ONE_OFF.filter((k) => k !== 't1#assign-owner'), 't1#nps']));
    const rest = due.slice(2).map((i) => i.at.getTime());
    expect(rest).toEqual([...rest].sort((a, b) => a - b));
  });

  it('wait for a follow-up requested for later', () => {
    const now = day(45);
    const c = customer({ retention: { done: [...ONE_OFF, 't1#nps'], followUps: [{ key: 'later', kind: 'passive', at: day(46).toISOString() }] } });
    expect(dueRetentionItems(c, programme, activeUse(now), now)).toEqual([]);
    expect(nextRetentionWakeUp(c, programme, activeUse(now), now)).toEqual(day(46));
  });
});

describe('the run length', () => {
  const runStartedAt = day(0).toISOString();
  const c = customer({ retention: { runStartedAt, done: ONE_OFF } });

  it('hands over to a new run after maxRunDays (300), before the renewal date', () => {
    const now = day(301);
    expect(find(dueRetentionItems(c, programme, activeUse(now), now), 'continue#1')).toMatchObject({ kind: 'continue', at: now });
  });

  it('does not hand over before then', () => {
    const now = day(299);
    const agenda = retentionAgenda(c, programme, activeUse(now), now);
    expect(find(agenda, 'continue#1')?.at).toEqual(day(300));
    expect(keys(dueRetentionItems(c, programme, activeUse(now), now))).not.toContain('continue#1');
  });
});

describe('terms', () => {
  it('clamps a month added to the 31st to the end of a shorter month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });

  it('renews a term started on 29 February on 28 February', () => {
    expect(termFrom(1, '2024-02-29', 12)).toEqual({ number: 1, startDate: '2024-02-29', renewalDate: '2025-02-28', termMonths: 12 });
  });
});

describe('parseRetentionProgramme', () => {
  const broken = (change: (p: typeof retentionProgramme) => unknown) => () => parseRetentionProgramme(change(structuredClone(retentionProgramme)));

  it('accepts the shipped programme', () => {
    expect(parseRetentionProgramme(retentionProgramme)).toEqual(retentionProgramme);
  });

  it('names the path of an unknown template', () => {
    expect(broken((p) => ({ ...p, winBack: [...p.winBack.slice(0, 2), { ...p.winBack[2]!, template: 'retention-winback-9' }] }))).toThrow(
      /winBack\[2\]\.template: names no template/,
    );
  });

  it('names the path of a duplicate check-in id', () => {
    expect(broken((p) => ({ ...p, checkIns: [...p.checkIns, { id: 'welcome', day: 60, template: 'retention-welcome' }] }))).toThrow(
      /checkIns\[3\]\.id: duplicate check-in id "welcome"/,
    );
  });

  it('refuses a check-in id the agenda uses for its own items', () => {
    expect(broken((p) => ({ ...p, checkIns: [...p.checkIns, { id: 'nps', day: 60, template: 'retention-welcome' }] }))).toThrow(/checkIns\[3\]\.id: is a key the agenda makes itself/);
  });

  it('refuses a run longer than Step Functions allows', () => {
    expect(broken((p) => ({ ...p, maxRunDays: 400 }))).toThrow(/maxRunDays: Too big/i);
  });

  it('names a time zone the runtime does not know', () => {
    expect(broken((p) => ({ ...p, defaultTimeZone: 'Mars/Olympus_Mons' }))).toThrow(/defaultTimeZone: must be an IANA time zone/);
  });

  it('lists every problem at once', () => {
    const message = (() => {
      try {
        parseRetentionProgramme({ ...retentionProgramme, checkEveryHours: 0, businessReview: { firstDay: 90, everyDays: 7 }, extra: true });
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toMatch(/^invalid retention programme — /);
    expect(message).toMatch(/checkEveryHours: /);
    expect(message).toMatch(/businessReview\.everyDays: must be at least 28 days/);
    expect(message).toMatch(/extra/);
  });
});
