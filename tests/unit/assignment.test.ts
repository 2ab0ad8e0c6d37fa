import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { assignRep, checkRepContact, type AssignmentDeps } from '../../functions/core/assignment.js';
import { HOUR_MS, fixedClock } from '../../functions/core/clock.js';
import { SupersededError } from '../../functions/core/errors.js';
import type { Lead, Rep } from '../../functions/core/model.js';
import { InMemoryLeadStore, InMemoryRoster, RecordingMailer, RecordingPublisher, sequentialIds } from '../fakes/index.js';

const MANAGER = 'manager@brightline.example';
const aRep = (n: number, status: Rep['status'] = 'active'): Rep => ({
  repId: `rep-${n}`,
  name: `Rep ${n}`,
  email: `rep${n}@brightline.example`,
  status,
  createdAt: '2026-01-01T00:00:00.000Z',
});
const aLead = (leadId = 'lead-1', overrides: Partial<Lead> = {}): Lead => ({
  leadId,
  email: `${leadId}@example.com`,
  firstName: 'Ada',
  company: 'Engines',
  stage: 'decision',
  status: 'active',
  score: 65,
  run: 3,
  consent: { given: true, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
  ...overrides,
});

function world() {
  const leads = new InMemoryLeadStore();
  const roster = new InMemoryRoster();
  const mailer = new RecordingMailer();
  const publisher = new RecordingPublisher();
  const clock = fixedClock('2026-03-02T09:00:00.000Z');
  const deps: AssignmentDeps = {
    leads, roster, mailer, publisher, clock, ids: sequentialIds(),
    settings: { managerEmail: MANAGER, slaHours: 24, escalateAfterMisses: 2 },
  };
  return { leads, roster, mailer, publisher, clock, deps };
}

describe('assigning a decision-stage lead', () => {
  let w: ReturnType<typeof world>;
  beforeEach(async () => {
    w = world();
    await w.leads.create(aLead(), [{ leadId: 'lead-1', entryId: 'e0', at: '2026-03-01T00:00:00.000Z', type: 'lead_captured', summary: 'Captured from the web form' }]);
  });

  it('assigns an active rep, emails them the summary and timeline, and publishes LeadAssigned', async () => {
    await w.roster.put(aRep(1));
    await w.roster.put(aRep(2, 'onboarding'));
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' })).toEqual({ assigned: true, repId: 'rep-1' });
    const lead = (await w.leads.get('lead-1'))!;
    expect(lead).toMatchObject({ ownerId: 'rep-1', assignedAt: '2026-03-02T09:00:00.000Z' });
    expect(w.mailer.sent).toHaveLength(1);
    expect(w.mailer.sent[0]!.to).toBe('rep1@brightline.example');
    expect(w.mailer.sent[0]!.text).toContain('Captured from the web form');
    expect(w.publisher.events).toMatchObject([{ type: 'LeadAssigned', detail: { leadId: 'lead-1', repId: 'rep-1' } }]);
    expect((await w.leads.timeline('lead-1')).map((e) => e.type)).toEqual(['lead_captured', 'rep_assigned']);
  });

  it('does nothing more when the same assignment task is retried', async () => {
    await w.roster.put(aRep(1));
    await w.roster.put(aRep(2));
    const first = await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' });
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' })).toEqual(first);
    expect(w.mailer.sent).toHaveLength(1);
    expect(w.publisher.events).toHaveLength(1);
  });

  it('throws SupersededError for a task of an older run', async () => {
    await w.roster.put(aRep(1));
    await expect(assignRep(w.deps, { leadId: 'lead-1', run: 2, reason: 'decision' })).rejects.toBeInstanceOf(SupersededError);
  });

  it('reassigns to another rep after an SLA miss and escalates on the 2nd miss', async () => {
    for (const n of [1, 2, 3]) await w.roster.put(aRep(n));
    const first = await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' });
    w.clock.advance(24 * HOUR_MS);
    const second = await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'sla-miss' });
    expect(second.repId).not.toBe(first.repId);
    w.clock.advance(24 * HOUR_MS);
    const third = await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'sla-miss' });
    expect([first.repId, second.repId]).not.toContain(third.repId);

    const lead = (await w.leads.get('lead-1'))!;
    expect(lead).toMatchObject({ slaMisses: 2, missedBy: [first.repId, second.repId], ownerId: third.repId });
    const toManager = w.mailer.sent.filter((m) => m.to === MANAGER).map((m) => m.subject);
    expect(toManager).toHaveLength(2);
    expect(toManager[0]).toMatch(/^Contact SLA missed/);
    expect(toManager[1]).toMatch(/^ESCALATION: Contact SLA missed .*2 misses/);
    expect((await w.leads.timeline('lead-1')).filter((e) => e.type === 'sla_missed').map((e) => e.data?.repId)).toEqual([first.repId, second.repId]);
  });

  it('treats an sla-miss task retried right after the reassignment as already done', async () => {
    for (const n of [1, 2, 3]) await w.roster.put(aRep(n));
    await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' });
    w.clock.advance(24 * HOUR_MS);
    const reassigned = await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'sla-miss' });
    w.clock.advance(60_000);
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'sla-miss' })).toEqual(reassigned);
    expect((await w.leads.get('lead-1'))!.slaMisses).toBe(1);
  });

  it('queues the lead when no rep is active and notifies the manager once', async () => {
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' })).toEqual({ assigned: false });
    w.clock.advance(4 * HOUR_MS);
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'queue-retry' })).toEqual({ assigned: false });
    const lead = (await w.leads.get('lead-1'))!;
    expect(lead.queuedForRepAt).toBe('2026-03-02T09:00:00.000Z');
    expect(lead.ownerId).toBeUndefined();
    expect(w.mailer.sent.map((m) => m.to)).toEqual([MANAGER]);
    expect(w.mailer.sent[0]!.subject).toContain('unassigned queue');
    expect((await w.leads.timeline('lead-1')).filter((e) => e.type === 'rep_queue')).toHaveLength(1);

    await w.roster.put(aRep(1));
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'queue-retry' })).toEqual({ assigned: true, repId: 'rep-1' });
    expect((await w.leads.get('lead-1'))!.queuedForRepAt).toBeUndefined();
  });

  it('reports contact only when rep_contacted came after the current assignment', async () => {
    await w.roster.put(aRep(1));
    await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' });
    expect(await checkRepContact(w.deps, { leadId: 'lead-1', run: 3 })).toEqual({ contacted: false });
    const lead = (await w.leads.get('lead-1'))!;
    await w.leads.save({ ...lead, contactedAt: '2026-03-02T10:00:00.000Z' }, lead.version, []);
    expect(await checkRepContact(w.deps, { leadId: 'lead-1', run: 3 })).toEqual({ contacted: true });
  });
});

describe('round-robin assignment', () => {
  it('spreads N new leads over k active reps with counts differing by at most one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 30 }), async (k, n) => {
        const w = world();
        for (let r = 1; r <= k; r++) await w.roster.put(aRep(r));
        const counts = new Map<string, number>();
        // concurrently, as parallel executions would: the atomic turn counter keeps it fair
        await Promise.all(
          Array.from({ length: n }, async (_, i) => {
            await w.leads.create(aLead(`lead-${i}`), []);
            const { repId } = await assignRep(w.deps, { leadId: `lead-${i}`, run: 3, reason: 'decision' });
            counts.set(repId!, (counts.get(repId!) ?? 0) + 1);
          }),
        );
        const values = Array.from({ length: k }, (_, r) => counts.get(`rep-${r + 1}`) ?? 0);
        expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 50 },
    );
  });
});
