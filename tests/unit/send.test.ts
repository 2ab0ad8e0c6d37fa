import { beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, fixedClock } from '../../functions/core/clock.js';
import { SupersededError, VersionConflictError } from '../../functions/core/errors.js';
import type { Lead } from '../../functions/core/model.js';
import { sendLeadEmail, type SendDeps, type SendRequest, type SendSettings } from '../../functions/core/send.js';
import { verifyUnsubscribeToken } from '../../functions/core/unsubscribe-token.js';
import { leadTemplates } from '../../workflows/templates/index.js';
import { InMemoryContactStore, InMemoryLeadStore, RecordingMailer, sequentialIds, testSendSettings } from '../fakes/index.js';

const KEY = 'test-signing-key';
const settings: SendSettings = testSendSettings({ postalAddress: '1 Harbour Street, Bristol BS1 4XX, UK', signingKey: KEY });

function aLead(overrides: Partial<Lead> = {}): Lead {
  return {
    leadId: 'lead-1',
    email: 'ada@example.com',
    firstName: 'Ada',
    company: 'Analytical Engines',
    stage: 'awareness',
    status: 'active',
    score: 0,
    run: 1,
    consent: { given: true, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web' },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

const educational = (stepId = 'educational-1'): SendRequest => ({
  leadId: 'lead-1',
  run: 1,
  stage: 'awareness',
  stepId,
  template: 'awareness-educational-1',
  category: 'marketing',
});
const welcome: SendRequest = { ...educational('welcome'), template: 'awareness-welcome', category: 'transactional' };

describe('the send chokepoint', () => {
  let leads: InMemoryLeadStore;
  let contacts: InMemoryContactStore;
  let mailer: RecordingMailer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: SendDeps;

  beforeEach(async () => {
    leads = new InMemoryLeadStore();
    contacts = new InMemoryContactStore();
    mailer = new RecordingMailer();
    clock = fixedClock('2026-03-02T09:00:00.000Z');
    deps = { leads, contacts, mailer, clock, ids: sequentialIds(), templates: leadTemplates, settings };
  });
  const given = (lead: Lead) => leads.create(lead, []);
  const types = async () => (await leads.timeline('lead-1')).map((e) => e.type);

  it('sends a consented marketing email, claims its ledger key and records it on the timeline', async () => {
    await given(aLead());
    expect(await sendLeadEmail(deps, educational())).toEqual({ outcome: 'sent' });
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]!.to).toBe('ada@example.com');
    expect(leads.ledger.get('lead-1/awareness#educational-1')).toEqual({ status: 'sent', messageId: 'msg-1' });
    expect(await types()).toEqual(['email_sent']);
    expect((await contacts.get('ada@example.com'))!.recentMarketingSends).toEqual(['2026-03-02T09:00:00.000Z']);
  });

  it('skips an unsubscribed lead, even for a transactional email, and records why', async () => {
    await given(aLead({ suppressed: { at: '2026-02-01T00:00:00.000Z', reason: 'unsubscribed' } }));
    expect(await sendLeadEmail(deps, welcome)).toEqual({ outcome: 'skipped', reason: 'unsubscribed' });
    expect(mailer.sent).toHaveLength(0);
    const [entry] = await leads.timeline('lead-1');
    expect(entry).toMatchObject({ type: 'email_skipped', data: { reason: 'unsubscribed', stepId: 'welcome' } });
  });

  it('sends no marketing without consent under opt-in, but the welcome confirmation goes', async () => {
    await given(aLead({ consent: { given: false, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web' } }));
    expect(await sendLeadEmail(deps, educational())).toEqual({ outcome: 'skipped', reason: 'no-consent' });
    expect(await sendLeadEmail(deps, welcome)).toEqual({ outcome: 'sent' });
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Thanks for getting in touch with Brightline Analytics']);
  });

  it('sends marketing without recorded consent under the opt-out policy', async () => {
    await given(aLead({ consent: { given: false, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web' } }));
    deps.settings = { ...settings, consentPolicy: 'opt-out' };
    expect(await sendLeadEmail(deps, educational())).toEqual({ outcome: 'sent' });
  });

  it('defers the 4th marketing email within 7 days and lets it go once the window has moved on', async () => {
    await given(aLead());
    for (const step of ['one', 'two', 'three']) {
      expect((await sendLeadEmail(deps, educational(step))).outcome).toBe('sent');
      clock.advance(DAY_MS);
    }
    // Deferred until the moment the first of the three leaves the 7-day window.
    expect(await sendLeadEmail(deps, educational('four'))).toEqual({ outcome: 'deferred', reason: 'frequency-cap', until: '2026-03-09T09:00:00.000Z' });
    expect(mailer.sent).toHaveLength(3);
    expect((await types()).filter((t) => t === 'email_deferred')).toHaveLength(1);
    clock.advance(5 * DAY_MS); // the first send is now more than 7 days old
    expect(await sendLeadEmail(deps, educational('four'))).toEqual({ outcome: 'sent' });
  });

  it('does not count transactional emails toward the cap, nor hold them back by it', async () => {
    await given(aLead({ recentMarketingSends: ['2026-03-01T00:00:00.000Z', '2026-03-01T01:00:00.000Z', '2026-03-01T02:00:00.000Z'] }));
    expect(await sendLeadEmail(deps, welcome)).toEqual({ outcome: 'sent' });
    expect((await contacts.get('ada@example.com'))?.recentMarketingSends ?? (await leads.get('lead-1'))!.recentMarketingSends).toHaveLength(3);
  });

  it('sends nothing the second time the same step is run (duplicate)', async () => {
    await given(aLead());
    await sendLeadEmail(deps, educational());
    expect(await sendLeadEmail(deps, educational())).toEqual({ outcome: 'duplicate' });
    expect(mailer.sent).toHaveLength(1);
  });

  it('never sends a programme email twice to one lead, even on a later run', async () => {
    await given(aLead());
    await sendLeadEmail(deps, educational());
    const lead = (await leads.get('lead-1'))!;
    await leads.save({ ...lead, run: 2 }, lead.version, []);
    expect(await sendLeadEmail(deps, { ...educational(), run: 2 })).toEqual({ outcome: 'duplicate' });
  });

  it('keys recycle emails by run, so each recycle period sends its monthly email once', async () => {
    await given(aLead({ status: 'recycled' }));
    const monthly: SendRequest = { leadId: 'lead-1', run: 1, stage: 'recycle', stepId: 'monthly-1', template: 'recycle-monthly-1', category: 'recycle' };
    expect(await sendLeadEmail(deps, monthly)).toEqual({ outcome: 'sent' });
    expect(leads.ledger.has('lead-1/recycle#1#monthly-1')).toBe(true);
  });

  it('throws SupersededError for a task of an older run and sends nothing', async () => {
    await given(aLead({ run: 2 }));
    await expect(sendLeadEmail(deps, educational())).rejects.toBeInstanceOf(SupersededError);
    await expect(sendLeadEmail(deps, educational())).rejects.toHaveProperty('name', 'SupersededError');
    expect(mailer.sent).toHaveLength(0);
  });

  it('carries one-click List-Unsubscribe headers whose token names the lead', async () => {
    await given(aLead());
    await sendLeadEmail(deps, educational());
    const { headers } = mailer.sent[0]!;
    expect(headers!['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const url = new URL(headers!['List-Unsubscribe']!.replace(/^<|>$/g, ''));
    expect(`${url.origin}${url.pathname}`).toBe('https://api.example.test/unsubscribe');
    expect(verifyUnsubscribeToken(url.searchParams.get('token')!, KEY)).toBe('lead-1');
  });

  it('puts the postal address and a working unsubscribe link in the footer of both bodies', async () => {
    await given(aLead());
    await sendLeadEmail(deps, welcome);
    const { html, text } = mailer.sent[0]!;
    expect(text).toContain(settings.postalAddress);
    expect(html).toContain(settings.postalAddress);
    const token = /unsubscribe\?token=([A-Za-z0-9_.%-]+)/.exec(text)![1]!;
    expect(verifyUnsubscribeToken(decodeURIComponent(token), KEY)).toBe('lead-1');
    expect(html).toContain(`/unsubscribe?token=${token}`);
  });

  it('re-reads and re-checks the lead when it changed during the send', async () => {
    await given(aLead());
    const save = leads.save.bind(leads);
    let conflicts = 1;
    leads.save = async (...args) => {
      if (conflicts-- > 0) {
        // someone unsubscribes the lead while this send was deciding
        const lead = (await leads.get('lead-1'))!;
        await save({ ...lead, suppressed: { at: lead.updatedAt, reason: 'unsubscribed' } }, lead.version, []);
        throw new VersionConflictError('lead-1');
      }
      return save(...args);
    };
    expect(await sendLeadEmail(deps, educational())).toEqual({ outcome: 'skipped', reason: 'unsubscribed' });
    expect(mailer.sent).toHaveLength(0);
  });
});
