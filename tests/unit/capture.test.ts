import { describe, expect, it } from 'vitest';
import { captureLead, completeIntake, type CaptureDeps, type CaptureInput } from '../../functions/core/capture.js';
import { fixedClock } from '../../functions/core/clock.js';
import { ingestEvent } from '../../functions/core/events.js';
import type { Lead, TimelineEntry } from '../../functions/core/model.js';
import { contactOfLead } from '../../functions/core/contact.js';
import { InMemoryContactStore, InMemoryLeadStore, RecordingPublisher, RecordingStarter, sequentialIds } from '../fakes/index.js';
import { scoringRules } from '../../workflows/scoring.js';

const T0 = '2026-03-01T09:00:00.000Z';

/** The person's consent, request and suppression: their Contact's (or, before its first write, the lead's own). */
async function person(w: ReturnType<typeof world>, leadId: string) {
  return contactOfLead(w.contacts, (await w.store.get(leadId))!);
}

function world(store = new InMemoryLeadStore(), erased: string[] = []) {
  const confirmations: Lead[] = [];
  return {
    store,
    contacts: new InMemoryContactStore(),
    starter: new RecordingStarter(),
    publisher: new RecordingPublisher(),
    clock: fixedClock(T0),
    ids: sequentialIds(),
    rules: scoringRules,
    confirmations,
    confirmConsent: async (lead: Lead) => void confirmations.push(lead),
    isErased: async (email: string) => erased.includes(email),
  };
}

/** A submission as the system takes it: the request's write, then the intake StartRuns does before the run. */
async function capture(deps: CaptureDeps, input: CaptureInput) {
  const result = await captureLead(deps, input);
  if (result.created && !result.ignored) await completeIntake(deps, result.leadId);
  return result;
}

const form = (over: Partial<CaptureInput> = {}): CaptureInput => ({
  email: 'Ann@Example.com ',
  profile: { firstName: 'Ann', company: 'Acme' },
  consent: true,
  consentTextVersion: 'v2',
  formId: 'pricing-form',
  ip: '203.0.113.9',
  trusted: true,
  doubleOptIn: true,
  ...over,
});
const anonymous = (over: Partial<CaptureInput> = {}) => form({ trusted: false, ...over });

describe('capturing a web-form lead', () => {
  it('creates a new lead at awareness with its consent record and starts funnel run 1', async () => {
    const w = world();
    const result = await capture(w, form());
    expect(result).toEqual({ created: true, leadId: expect.any(String), stage: 'awareness' });
    const lead = await w.store.get(result.leadId);
    expect(lead).toMatchObject({
      email: 'ann@example.com',
      firstName: 'Ann',
      stage: 'awareness',
      status: 'active',
      score: 0,
      run: 1,
      consent: { given: true, method: 'integration', textVersion: 'v2', at: T0, sourceForm: 'pricing-form', ip: '203.0.113.9' },
    });
    expect(w.starter.started).toEqual([{ leadId: result.leadId, run: 1, stage: 'awareness' }]);
    expect((await w.store.timeline(result.leadId)).map((e) => e.type)).toEqual(['lead_captured', 'consent_recorded', 'workflow_started']);
  });

  it('records no consent when the form did not ask, and names the web form as the source', async () => {
    const w = world();
    const { leadId } = await capture(w, form({ consent: undefined, formId: undefined }));
    expect((await person(w, leadId)).consent).toMatchObject({ given: false, sourceForm: 'web-form' });
  });

  it('answers a filled honeypot like a success and stores nothing', async () => {
    const w = world();
    const result = await capture(w, form({ honeypot: 'http://spam.example' }));
    expect(result).toMatchObject({ created: true, stage: 'awareness', ignored: true });
    expect(w.store.leads.size).toBe(0);
    expect(w.store.entries).toEqual([]);
    expect(w.starter.started).toEqual([]);
  });

  it('answers a known email with the same lead, merging non-empty fields without blanking others', async () => {
    const w = world();
    const first = await capture(w, form());
    const again = await capture(w, form({ email: 'ann@example.com', profile: { firstName: '', jobTitle: 'CTO' }, consent: undefined }));
    expect(again).toMatchObject({ created: false, leadId: first.leadId });
    expect(await w.store.get(first.leadId)).toMatchObject({ firstName: 'Ann', company: 'Acme', jobTitle: 'CTO' });
    expect(w.store.leads.size).toBe(1);
  });

  it('counts a later submission as a form_submitted engagement that can move the lead on', async () => {
    const w = world();
    const { leadId } = await capture(w, form());
    const again = await capture(w, form({ formId: 'webinar-form', profile: { message: 'Sign me up' } }));
    expect(again.stage).toBe('interest');
    const types = (await w.store.timeline(leadId)).map((e: TimelineEntry) => e.type);
    expect(types).toContain('form_submitted');
    expect(types).toContain('stage_changed');
    // never two executions of one run: run 1 was stopped when run 2 started
    expect(w.starter.started.map((s) => s.run)).toEqual([1, 2]);
    expect(w.starter.stopped.map((s) => s.run)).toEqual([1]);
  });

  it('treats the same submission again within a day as a retry: no score, no timeline entry, no new run', async () => {
    const w = world();
    const { leadId } = await capture(w, form());
    const entries = w.store.entries.length;
    const again = await Promise.all([capture(w, form({ email: ' ANN@example.com' })), capture(w, form())]);
    expect(again.map((r) => r.leadId)).toEqual([leadId, leadId]);
    expect(await w.store.get(leadId)).toMatchObject({ score: 0, stage: 'awareness', run: 1 });
    expect(w.store.entries).toHaveLength(entries);
    expect(w.starter.started.map((s) => s.run)).toEqual([1]);
  });

  it('counts the same submission again once a day has passed', async () => {
    const w = world();
    const { leadId } = await capture(w, form());
    w.clock.advance(25 * 3_600_000);
    await capture(w, form());
    expect((await w.store.get(leadId))?.score).toBe(10);
  });

  it('counts concurrent identical repeats of a changed submission once', async () => {
    const w = world();
    const { leadId } = await capture(w, form());
    const changed = form({ profile: { jobTitle: 'CTO' } });
    await Promise.all([capture(w, changed), capture(w, changed), capture(w, changed)]);
    expect((await w.store.get(leadId))?.score).toBe(10);
    expect((await w.store.timeline(leadId)).filter((e) => e.type === 'form_submitted')).toHaveLength(1);
  });

  it('updates consent when a repeat submission gives it', async () => {
    const w = world();
    const { leadId } = await capture(w, form({ consent: false }));
    await capture(w, form({ consent: true, consentTextVersion: 'v3' }));
    expect((await person(w, leadId)).consent).toMatchObject({ given: true, textVersion: 'v3' });
  });

  it('repairs a lost start when the same email submits again', async () => {
    const w = world();
    const lead: Lead = {
      leadId: 'lead-1',
      email: 'ann@example.com',
      stage: 'consideration',
      status: 'active',
      score: 30,
      run: 4,
      consent: { given: true, textVersion: 'v1', at: T0, sourceForm: 'web-form' },
      createdAt: T0,
      updatedAt: T0,
      version: 1,
    };
    await w.store.create(lead, []);
    await capture(w, form());
    expect(w.starter.started).toEqual([{ leadId: 'lead-1', run: 4, stage: 'consideration' }]);
  });

  it('turns the loser of a race for a new email into a repeat submission', async () => {
    // Both requests try to claim the email; the one that loses merges into the winner's lead.
    const w = world();
    const [one, two] = await Promise.all([capture(w, form()), capture(w, form({ profile: { jobTitle: 'CTO' } }))]);
    const [winner, loser] = one.created ? [one, two] : [two, one];
    expect(winner.created).toBe(true);
    expect(loser).toMatchObject({ created: false, leadId: winner.leadId });
    expect(w.store.leads.size).toBe(1);
    expect(await w.store.get(winner.leadId)).toMatchObject({ jobTitle: 'CTO' });
  });

  it('answers a new email after one write: the lead as the submission makes it, its intake pending, no run yet', async () => {
    const w = world();
    const result = await captureLead(w, form());
    expect(result).toEqual({ created: true, leadId: expect.any(String), stage: 'awareness' });
    expect(await w.store.get(result.leadId)).toMatchObject({
      consent: { given: true, method: 'integration' },
      intake: { receivedAt: T0, trusted: true, consent: true, consentTextVersion: 'v2', formId: 'pricing-form', ip: '203.0.113.9' },
    });
    expect((await w.store.timeline(result.leadId)).map((e) => e.type)).toEqual(['lead_captured', 'consent_recorded']);
    expect(w.starter.started).toEqual([]);
    // The intake is done once, however often it is asked for (a retried stream record, the sweeper).
    await Promise.all([completeIntake(w, result.leadId), completeIntake(w, result.leadId)]);
    expect((await w.store.get(result.leadId))?.intake).toBeUndefined();
    expect((await w.store.timeline(result.leadId)).map((e) => e.type)).toEqual(['lead_captured', 'consent_recorded', 'workflow_started']);
    expect(w.starter.started).toEqual([{ leadId: result.leadId, run: 1, stage: 'awareness' }]);
  });

  it('takes in a pending submission first when a second one meets it', async () => {
    const w = world();
    const first = await captureLead(w, anonymous());
    const again = await captureLead(w, anonymous({ profile: { jobTitle: 'CTO' } }));
    expect(again).toMatchObject({ created: false, leadId: first.leadId });
    const types = (await w.store.timeline(first.leadId)).map((e) => e.type);
    expect(types.indexOf('lead_captured')).toBeLessThan(types.indexOf('form_submitted'));
    expect(types).toContain('consent_requested');
    expect(await w.store.get(first.leadId)).toMatchObject({ jobTitle: 'CTO' });
    expect((await w.store.get(first.leadId))?.intake).toBeUndefined();
  });

  it('lets an event that meets a lead before its intake take it in first, so the event follows the capture', async () => {
    const w = world();
    const deps = { ...w, intake: (leadId: string) => completeIntake(w, leadId) };
    const { leadId } = await captureLead(deps, anonymous());
    await ingestEvent(deps, { eventId: 'demo-1', type: 'demo_requested', leadId, occurredAt: T0 });
    const lead = await w.store.get(leadId);
    expect(lead?.intake).toBeUndefined();
    expect((await person(w, leadId)).consentRequest).toMatchObject({ requestId: expect.any(String) });
    const types = (await w.store.timeline(leadId)).map((e) => e.type);
    expect(types.indexOf('lead_captured')).toBeLessThan(types.indexOf('event'));
  });

  describe('from an anonymous caller', () => {
    it('asks a new lead to confirm an opt-in by email, keeping consent off until then', async () => {
      const w = world();
      const { leadId } = await capture(w, anonymous());
      const lead = await person(w, leadId);
      expect(lead?.consent).toMatchObject({ given: false });
      expect(lead?.consentRequest).toMatchObject({ requestId: expect.any(String), at: T0, textVersion: 'v2', sourceForm: 'pricing-form', ip: '203.0.113.9' });
      expect(w.confirmations.map((l) => l.leadId)).toEqual([leadId]);
      expect((await w.store.timeline(leadId)).map((e) => e.type)).toContain('consent_requested');
    });

    it('gives consent at once when double opt-in is switched off', async () => {
      const w = world();
      const { leadId } = await capture(w, anonymous({ doubleOptIn: false }));
      expect((await person(w, leadId)).consent).toMatchObject({ given: true, method: 'form' });
      expect(w.confirmations).toEqual([]);
    });

    it('fills empty fields of a known lead but never overwrites one, recording the differing values', async () => {
      const w = world();
      const { leadId } = await capture(w, form({ profile: { firstName: 'Ann', company: 'Acme' } }));
      await capture(w, anonymous({ profile: { firstName: 'Mallory', company: 'Evil', jobTitle: 'CEO' }, consent: undefined }));
      expect(await w.store.get(leadId)).toMatchObject({ firstName: 'Ann', company: 'Acme', jobTitle: 'CEO' });
      const submitted = (await w.store.timeline(leadId)).find((e) => e.type === 'profile_change_submitted');
      expect(submitted?.data).toMatchObject({ submitted: { firstName: 'Mallory', company: 'Evil' } });
    });

    it('scores form submissions at most once per lead per day', async () => {
      const w = world();
      const { leadId } = await capture(w, form({ consent: undefined }));
      for (let i = 0; i < 5; i++) {
        w.clock.advance(60_000);
        await capture(w, anonymous({ profile: { message: `attempt ${i}` }, consent: undefined }));
      }
      expect(await w.store.get(leadId)).toMatchObject({ score: 10, stage: 'interest' });
      w.clock.advance(24 * 3_600_000);
      await capture(w, anonymous({ profile: { message: 'next day' }, consent: undefined }));
      expect((await w.store.get(leadId))?.score).toBe(20);
    });

    it('does not flip a known lead’s consent on, and sends one confirmation a day however often the form is posted', async () => {
      const w = world();
      const { leadId } = await capture(w, form({ consent: false }));
      for (let i = 0; i < 4; i++) await capture(w, anonymous({ profile: { message: `try ${i}` } }));
      expect((await person(w, leadId)).consent.given).toBe(false);
      expect(w.confirmations).toHaveLength(1);
    });

    it('withdraws consent at once', async () => {
      const w = world();
      const { leadId } = await capture(w, form({ consent: true }));
      await capture(w, anonymous({ consent: false }));
      const lead = await person(w, leadId);
      expect(lead?.consent).toMatchObject({ given: false, withdrawnAt: T0 });
      expect((await w.store.timeline(leadId)).map((e) => e.type)).toContain('consent_withdrawn');
    });

    it('stores an erased address suppressed and sends it no confirmation', async () => {
      const w = world(new InMemoryLeadStore(), ['ann@example.com']);
      const { leadId } = await capture(w, anonymous());
      expect((await person(w, leadId)).suppressed).toMatchObject({ reason: 'erased' });
      expect(w.confirmations).toEqual([]);
    });
  });
});
