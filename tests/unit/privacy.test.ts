import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.js';
import type { Lead } from '../../functions/core/model.js';
import { eraseByEmail, eraseClosedLeads, eraseLead, exportPersonalData, retentionCutoff, suppressionHash } from '../../functions/core/privacy.js';
import { InMemoryContactStore, RecordingStarter } from '../fakes/index.js';
import { RecordingRuns } from '../fakes/reps.js';
import { aLead, T0 } from '../fakes/leads.js';
import { InMemoryPrivacyStore } from '../fakes/privacy.js';

const KEY = 'test-signing-key';

function world() {
  const privacy = new InMemoryPrivacyStore();
  const starter = new RecordingStarter();
  const clock = fixedClock('2026-06-01T00:00:00.000Z');
  const contacts = new InMemoryContactStore();
  const runs = new RecordingRuns();
  return { privacy, starter, clock, contacts, runs, deps: { privacy, starter, contacts, runs, clock, suppressionKey: async () => KEY } };
}

const entry = (leadId: string, n: number, data?: Record<string, unknown>) => ({
  leadId,
  entryId: `e${n}`,
  at: T0,
  type: 'event' as const,
  summary: `entry ${n}`,
  ...(data ? { data } : {}),
});

const customerEntry = (n: number) => ({ entryId: `c${n}`, at: T0, type: 'nps_answered', summary: `NPS 3 from lead-1@example.com (${n})` });

function seedCustomer(w: ReturnType<typeof world>, over: Partial<Lead> = {}) {
  const lead = aLead({ firstName: 'Ada', lastName: 'Lovelace', phone: '+44 20 7946 0000', status: 'won', run: 2, customerId: 'cus-lead-1', ...over });
  w.privacy.seed(lead, {
    timeline: [entry(lead.leadId, 1, { eventId: 'evt-buy' }), entry(lead.leadId, 2)],
    ledger: [{ ledgerKey: 'welcome', status: 'sent' }],
    customer: { customerId: 'cus-lead-1', leadId: lead.leadId, email: lead.email, since: T0 },
    customerTimeline: [customerEntry(1), customerEntry(2)],
    customerLedger: [{ ledgerKey: 'CustomerRetention#1#welcome', status: 'sent' }],
  });
  w.privacy.pending.set('evt-buy', [{ type: 'LeadConverted', id: 'x', at: T0, detail: { leadId: lead.leadId, email: lead.email } }]);
  return lead;
}

describe('suppressionHash', () => {
  it('is a keyed hash: the same address and key give the same hash, another key another one', () => {
    expect(suppressionHash('ada@example.com', KEY)).toMatch(/^[0-9a-f]{64}$/);
    expect(suppressionHash('ada@example.com', KEY)).toBe(suppressionHash('ada@example.com', KEY));
    expect(suppressionHash('ada@example.com', 'other')).not.toBe(suppressionHash('ada@example.com', KEY));
  });
});

describe('eraseLead', () => {
  it('stops an erased customer’s retention run where retention is deployed, and only there', async () => {
    const on = world();
    const lead = seedCustomer(on);
    on.privacy.seed(lead, { customer: { customerId: 'cus-lead-1', leadId: lead.leadId, email: lead.email, since: T0, run: 3 } } as never);
    await eraseLead({ ...on.deps, stopsRetention: true }, lead.leadId);
    expect(on.runs.stopped).toEqual([{ workflow: 'CustomerRetention', subjectId: 'cus-lead-1', run: 3, reason: expect.stringContaining('erased') }]);
    const off = world();
    const other = seedCustomer(off);
    off.privacy.seed(other, { customer: { customerId: 'cus-lead-1', leadId: other.leadId, email: other.email, since: T0, run: 3 } } as never);
    await eraseLead(off.deps, other.leadId);
    expect(off.runs.stopped).toEqual([]);
  });

  it('records the suppression hash, stops the run, and removes profile, index, timeline, ledger, customer and personal pending events', async () => {
    const w = world();
    const lead = seedCustomer(w);
    const result = await eraseLead(w.deps, lead.leadId);
    expect(result).toEqual({
      status: 'erased',
      leadId: lead.leadId,
      erased: { profile: 1, emailIndex: 1, timeline: 2, ledger: 1, customer: 1, customerTimeline: 2, customerLedger: 1, pendingEvents: 1, reps: 0 },
      executionsStopped: 1,
      suppression: 'recorded',
    });
    expect(w.starter.stopped).toEqual([{ leadId: lead.leadId, run: 2, reason: expect.stringContaining('erased') }]);
    expect(await w.privacy.isSuppressedHash(suppressionHash(lead.email, KEY))).toBe(true);
    expect(w.privacy.leads.size + w.privacy.emails.size + w.privacy.customers.size + w.privacy.timeline.length + w.privacy.pending.size).toBe(0);
    expect(w.privacy.customerTimelines.size + w.privacy.customerLedgers.size).toBe(0);
    expect(w.privacy.tombstones.get(lead.leadId)).toEqual({ leadId: lead.leadId, erasedAt: '2026-06-01T00:00:00.000Z', reason: 'request' });
  });

  it('keeps pending events that name nobody', async () => {
    const w = world();
    const lead = seedCustomer(w);
    w.privacy.pending.set('evt-buy', [{ type: 'LeadStageChanged', id: 'y', at: T0, detail: { leadId: lead.leadId, stage: 'purchase' } }]);
    expect((await eraseLead(w.deps, lead.leadId)).erased.pendingEvents).toBe(0);
    expect(w.privacy.pending.has('evt-buy')).toBe(true);
  });

  it('answers "already erased" to a second call and writes nothing', async () => {
    const w = world();
    const lead = seedCustomer(w);
    await eraseLead(w.deps, lead.leadId);
    const writes = w.privacy.writes.length;
    const again = await eraseLead(w.deps, lead.leadId);
    expect(again).toMatchObject({ status: 'already-erased', executionsStopped: 0 });
    expect(Object.values(again.erased).every((n) => n === 0)).toBe(true);
    expect(w.privacy.writes.length).toBe(writes);
  });

  it('sweeps what a task wrote into the customer partition after the erasure when it is repeated', async () => {
    const w = world();
    const lead = seedCustomer(w);
    await eraseLead(w.deps, lead.leadId);
    // A retention task still in flight appends to the timeline, claims a send and writes the profile back.
    w.privacy.customerTimelines.set('cus-lead-1', [customerEntry(3)]);
    w.privacy.customerLedgers.set('cus-lead-1', [{ ledgerKey: 'CustomerRetention#1#check-in', status: 'claimed' }]);
    w.privacy.customers.set('cus-lead-1', { customerId: 'cus-lead-1', leadId: lead.leadId, email: lead.email, since: T0 });
    const again = await eraseLead(w.deps, lead.leadId);
    expect(again).toMatchObject({ status: 'erased', executionsStopped: 0, erased: { profile: 0, customer: 1, customerTimeline: 1, customerLedger: 1 } });
    expect(w.privacy.customers.size + w.privacy.customerTimelines.size + w.privacy.customerLedgers.size).toBe(0);
    expect((await eraseLead(w.deps, lead.leadId)).status).toBe('already-erased');
  });

  it('counts no customer items for a lead that never bought', async () => {
    const w = world();
    w.privacy.seed(aLead({ status: 'lost' }));
    expect((await eraseLead(w.deps, 'lead-1')).erased).toMatchObject({ customer: 0, customerTimeline: 0, customerLedger: 0 });
  });

  it('answers NotFound for a lead that never existed', async () => {
    await expect(eraseLead(world().deps, 'nobody')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('does not stop a run of a closed lead', async () => {
    const w = world();
    w.privacy.seed(aLead({ status: 'lost' }));
    expect((await eraseLead(w.deps, 'lead-1')).executionsStopped).toBe(0);
    expect(w.starter.stopped).toEqual([]);
  });
});

describe('eraseByEmail', () => {
  it('normalizes the address, erases its lead and anonymizes a rep with it', async () => {
    const w = world();
    const lead = seedCustomer(w);
    w.privacy.reps.set('rep-1', { repId: 'rep-1', name: 'Ada L', email: 'LEAD-1@example.com', status: 'active', createdAt: T0 });
    const result = await eraseByEmail(w.deps, ' Lead-1@Example.com ');
    expect(result).toMatchObject({ status: 'erased', leadId: lead.leadId, suppression: 'recorded', erased: { profile: 1, reps: 1 } });
    expect(w.privacy.reps.get('rep-1')).toMatchObject({ name: '(erased)', status: 'inactive' });
    expect(w.privacy.reps.get('rep-1')).not.toHaveProperty('email');
  });

  it('records the suppression hash for an address nobody holds, and says so once', async () => {
    const w = world();
    expect(await eraseByEmail(w.deps, 'ghost@example.com')).toMatchObject({ status: 'nothing-held', suppression: 'recorded' });
    expect(await eraseByEmail(w.deps, 'ghost@example.com')).toMatchObject({ status: 'already-erased', suppression: 'already-recorded' });
    expect(await w.privacy.isSuppressedHash(suppressionHash('ghost@example.com', KEY))).toBe(true);
  });
});

describe('exportPersonalData', () => {
  it('answers the profile without its version, timeline, ledger, customer, pending events and suppression status', async () => {
    const w = world();
    const lead = seedCustomer(w, { suppressed: { at: T0, reason: 'unsubscribed' } });
    const data = await exportPersonalData(w.deps, 'LEAD-1@example.com');
    expect(data.lead).toMatchObject({ leadId: lead.leadId, firstName: 'Ada', consent: lead.consent });
    expect(data.lead).not.toHaveProperty('version');
    expect(data.timeline).toHaveLength(2);
    expect(data.ledger).toEqual([{ ledgerKey: 'welcome', status: 'sent' }]);
    expect(data.customer?.customerId).toBe('cus-lead-1');
    expect(data.customerTimeline.map((e) => e.entryId)).toEqual(['c1', 'c2']);
    expect(data.customerLedger).toEqual([{ ledgerKey: 'CustomerRetention#1#welcome', status: 'sent' }]);
    expect(data.pendingEvents).toHaveLength(1);
    expect(data.suppression).toEqual({ suppressed: true, reason: 'unsubscribed', at: T0 });
  });

  it('answers empty customer lists for a lead that is not a customer', async () => {
    const w = world();
    w.privacy.seed(aLead());
    expect(await exportPersonalData(w.deps, 'lead-1@example.com')).toMatchObject({ customerTimeline: [], customerLedger: [] });
  });

  it('answers NotFound when nothing is held', async () => {
    await expect(exportPersonalData(world().deps, 'nobody@example.com')).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('eraseClosedLeads', () => {
  it('erases closed leads older than the retention period and leaves recent or open ones', async () => {
    const w = world();
    const old = '2024-01-01T00:00:00.000Z';
    w.privacy.seed(aLead({ leadId: 'old-lost', status: 'lost', updatedAt: old }));
    w.privacy.seed(aLead({ leadId: 'old-dormant', status: 'dormant', updatedAt: old, suppressed: { at: old, reason: 'unsubscribed' } }));
    w.privacy.seed(aLead({ leadId: 'recent-lost', status: 'lost', updatedAt: '2025-12-01T00:00:00.000Z' }));
    w.privacy.seed(aLead({ leadId: 'old-active', status: 'active', updatedAt: old }));
    w.privacy.seed(aLead({ leadId: 'old-won', status: 'won', updatedAt: old }));
    const run = await eraseClosedLeads(w.deps, { retentionMonths: 24, pageSize: 1 });
    expect(run.cutoff).toBe('2024-06-01T00:00:00.000Z');
    expect(run.erased.sort()).toEqual(['old-dormant', 'old-lost']);
    expect([...w.privacy.leads.keys()].sort()).toEqual(['old-active', 'old-won', 'recent-lost']);
    // Only the unsubscribed one keeps a suppression hash.
    expect([...w.privacy.suppressions.keys()]).toEqual([suppressionHash('old-dormant@example.com', KEY)]);
    expect(w.privacy.tombstones.get('old-lost')?.reason).toBe('retention');
  });

  it('takes `now` from its caller, and a period in whole calendar months', () => {
    expect(retentionCutoff(new Date('2026-03-31T12:00:00.000Z'), 1).toISOString()).toBe('2026-03-03T12:00:00.000Z');
    expect(retentionCutoff(new Date('2026-06-15T00:00:00.000Z'), 24).toISOString()).toBe('2024-06-15T00:00:00.000Z');
  });
});

describe('the Contact under erasure and export', () => {
  const contactOf = (email: string, over = {}) => ({ email, consent: { given: true, textVersion: 'v1', at: T0, sourceForm: 'web-form' }, suppressed: { at: T0, reason: 'unsubscribed' as const }, createdAt: T0, updatedAt: T0, version: 0, ...over });

  it('exports the Contact and each rep with its timeline, then erasure removes the Contact and stops the rep’s onboarding run', async () => {
    const w = world();
    const lead = aLead({ leadId: 'lead-c', email: 'ann@example.com' });
    w.privacy.seed(lead);
    await w.contacts.save(contactOf('ann@example.com'), 0);
    w.privacy.reps.set('rep-c', { repId: 'rep-c', name: 'Ann', email: 'ann@example.com', status: 'onboarding', createdAt: T0, run: 2 });
    w.privacy.repTimelines.set('rep-c', [{ entryId: 'e1', at: T0, type: 'rep_registered', summary: 'Registered' }]);

    const exported = await exportPersonalData(w.deps, 'Ann@Example.com');
    expect(exported.contact).toMatchObject({ email: 'ann@example.com', suppressed: { reason: 'unsubscribed' } });
    expect(exported.suppression).toMatchObject({ suppressed: true, reason: 'unsubscribed' });
    expect(exported.reps).toEqual([expect.objectContaining({ repId: 'rep-c', timeline: [expect.objectContaining({ type: 'rep_registered' })] })]);

    await eraseByEmail(w.deps, 'ann@example.com');
    expect(await w.contacts.get('ann@example.com')).toBeUndefined();
    expect(w.runs.stopped).toEqual([{ workflow: 'RepOnboarding', subjectId: 'rep-c', run: 2, reason: expect.stringContaining('erased') }]);
    expect(w.privacy.suppressions.size).toBe(1);
  });

  it('keeps the suppression hash of a closed lead whose Contact (not the lead itself) was unsubscribed', async () => {
    const w = world();
    w.privacy.seed(aLead({ leadId: 'old', email: 'old@example.com', status: 'lost', updatedAt: '2025-01-01T00:00:00.000Z' }));
    await w.contacts.save(contactOf('old@example.com'), 0);
    const run = await eraseClosedLeads(w.deps, { retentionMonths: 12 });
    expect(run.erased).toEqual(['old']);
    expect(w.privacy.suppressions.has(suppressionHash('old@example.com', KEY))).toBe(true);
    expect(await w.contacts.get('old@example.com')).toBeUndefined();
  });
});
