import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { assignRep, checkRepContact, type AssignmentDeps } from '../../functions/core/assignment.js';
import { HOUR_MS, fixedClock } from '../../functions/core/clock.js';
import { SupersededError } from '../../functions/core/errors.js';
import type { Lead, Rep } from '../../functions/core/model.js';
import { InMemoryLeadStore, InMemoryRoster, RecordingMailer, RecordingPublisher, losingSaves, sequentialIds } from '../fakes/index.js';
import { teamMessages } from '../../workflows/templates/team.js';

const MANAGER = 'manager@brightline.example';
const aRep = (n: number, status: Rep['status'] = 'active'): Rep => ({
  repId: `rep-${n}`,
  name: `Rep ${n}`,
  email: `rep${n}@brightline.example`,
  status,
  createdAt: '2026-01-01T00:00:00.000Z',
  // Only certified reps receive leads: these hold a certification valid through the tests' clock.
  certification: { certifiedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z', cycle: 1 },
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

function world(escalateAfterMisses = 2) {
  const leads = new InMemoryLeadStore();
  const roster = new InMemoryRoster();
  const mailer = new RecordingMailer();
  const publisher = new RecordingPublisher();
  const clock = fixedClock('2026-03-02T09:00:00.000Z');
  const deps: AssignmentDeps = {
    leads, roster, mailer, publisher, clock, ids: sequentialIds(), team: teamMessages,
    settings: { managerEmail: MANAGER, slaHours: 24, escalateAfterMisses },
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
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' })).toEqual({ assigned: true, repId: 'rep-1', next: 'watch-sla' });
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

  it('reassigns to a rep who has not missed yet, then escalates the 2nd miss once and leaves the lead with its rep', async () => {
    for (const n of [1, 2, 3]) await w.roster.put(aRep(n));
    const first = await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' });
    w.clock.advance(24 * HOUR_MS);
    const second = await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'sla-miss' });
    expect(second).toMatchObject({ assigned: true, next: 'watch-sla' });
    expect(second.repId).not.toBe(first.repId);
    w.clock.advance(24 * HOUR_MS);
    // The escalation ends the ladder: a third rep is free, but the lead stays and the programme goes on.
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'sla-miss' })).toEqual({ assigned: true, repId: second.repId, next: 'nurture', slaMissed: true });

    const lead = (await w.leads.get('lead-1'))!;
    expect(lead).toMatchObject({ slaMisses: 2, missedBy: [first.repId, second.repId], ownerId: second.repId });
    const toManager = w.mailer.sent.filter((m) => m.to === MANAGER).map((m) => m.subject);
    expect(toManager).toHaveLength(2);
    expect(toManager[0]).toMatch(/^Contact SLA missed/);
    expect(toManager[1]).toMatch(/^ESCALATION: Contact SLA missed .*2 misses/);
    expect(w.mailer.sent.filter((m) => m.to !== MANAGER).map((m) => m.to)).toEqual([`rep${first.repId!.slice(4)}@brightline.example`, `rep${second.repId!.slice(4)}@brightline.example`]);
    expect((await w.leads.timeline('lead-1')).filter((e) => e.type === 'sla_missed').map((e) => e.data?.repId)).toEqual([first.repId, second.repId]);
  });

  it('treats an sla-miss task retried right after the reassignment as already done', async () => {
    for (const n of [1, 2, 3]) await w.roster.put(aRep(n));
    await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' });
    w.clock.advance(24 * HOUR_MS);
    const reassigned = await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'sla-miss' });
    w.clock.advance(60_000);
    expect(reassigned.slaMissed).toBe(true);
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'sla-miss' })).toEqual({ ...reassigned, slaMissed: undefined });
    expect((await w.leads.get('lead-1'))!.slaMisses).toBe(1);
  });

  it('queues the lead when no rep is active and notifies the manager once', async () => {
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' })).toEqual({ assigned: false, next: 'queue' });
    w.clock.advance(4 * HOUR_MS);
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'queue-retry' })).toEqual({ assigned: false, next: 'queue' });
    const lead = (await w.leads.get('lead-1'))!;
    expect(lead.queuedForRepAt).toBe('2026-03-02T09:00:00.000Z');
    expect(lead.ownerId).toBeUndefined();
    expect(w.mailer.sent.map((m) => m.to)).toEqual([MANAGER]);
    expect(w.mailer.sent[0]!.subject).toContain('unassigned queue');
    expect((await w.leads.timeline('lead-1')).filter((e) => e.type === 'rep_queue')).toHaveLength(1);

    await w.roster.put(aRep(1));
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'queue-retry' })).toEqual({ assigned: true, repId: 'rep-1', next: 'watch-sla' });
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

describe('the SLA ladder', () => {
  const miss = async (w: ReturnType<typeof world>) => {
    w.clock.advance(24 * HOUR_MS);
    return assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'sla-miss' });
  };
  const setUp = async (escalateAfterMisses: number, reps: number) => {
    const w = world(escalateAfterMisses);
    await w.leads.create(aLead(), []);
    for (let n = 1; n <= reps; n++) await w.roster.put(aRep(n));
    const first = (await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' })).repId!;
    const other = first === 'rep-1' ? 'rep-2' : 'rep-1';
    return { w, first, other };
  };
  const managerSubjects = (w: ReturnType<typeof world>) => w.mailer.sent.filter((m) => m.to === MANAGER).map((m) => m.subject);
  const types = async (w: ReturnType<typeof world>) => (await w.leads.timeline('lead-1')).map((e) => e.type);

  it('with one rep, keeps the lead with them for another SLA period, escalates the 2nd miss once and then stops', async () => {
    const { w } = await setUp(2, 1);
    expect(await miss(w)).toEqual({ assigned: true, repId: 'rep-1', next: 'watch-sla', slaMissed: true });
    expect(managerSubjects(w)).toEqual([expect.stringMatching(/^Contact SLA missed .*1 miss\)/)]);
    expect(w.mailer.sent.at(-1)!.text).toContain('No other rep is free, so it stays with Rep 1 for another 24 hours');

    expect(await miss(w)).toEqual({ assigned: true, repId: 'rep-1', next: 'nurture', slaMissed: true });
    // A stray later check changes nothing and mails nobody.
    expect(await miss(w)).toEqual({ assigned: true, repId: 'rep-1', next: 'nurture' }); // not a miss: nothing counted

    expect(managerSubjects(w)).toHaveLength(2);
    expect(managerSubjects(w)[1]).toMatch(/^ESCALATION: Contact SLA missed .*2 misses/);
    expect(w.mailer.sent.filter((m) => m.to === 'rep1@brightline.example')).toHaveLength(1);
    expect((await w.leads.get('lead-1'))!).toMatchObject({ ownerId: 'rep-1', slaMisses: 2 });
    expect(await types(w)).toEqual(['rep_assigned', 'sla_missed', 'sla_missed']);
    expect((await w.leads.timeline('lead-1')).map((e) => e.summary).join('\n')).not.toContain('No active rep');
  });

  it('walks to the configured miss count: reassigns while a rep is free, then keeps the lead with its owner', async () => {
    const { w, first, other } = await setUp(3, 2);
    expect(await miss(w)).toEqual({ assigned: true, repId: other, next: 'watch-sla', slaMissed: true });
    expect(await miss(w)).toEqual({ assigned: true, repId: other, next: 'watch-sla', slaMissed: true });
    expect(await miss(w)).toEqual({ assigned: true, repId: other, next: 'nurture', slaMissed: true });
    const subjects = managerSubjects(w);
    expect(subjects).toHaveLength(3);
    expect(subjects.filter((s) => s.startsWith('ESCALATION'))).toEqual([subjects[2]]);
    expect((await w.leads.timeline('lead-1')).filter((e) => e.type === 'rep_assigned').map((e) => e.data?.repId)).toEqual([first, other]);
  });

  it('escalates at once when the programme says so, even with another rep free', async () => {
    const { w, first } = await setUp(1, 2);
    expect(await miss(w)).toEqual({ assigned: true, repId: first, next: 'nurture', slaMissed: true });
    expect(managerSubjects(w)).toEqual([expect.stringMatching(/^ESCALATION: /)]);
  });

  it('queues the escalated lead when its rep has left, without claiming that no rep is active', async () => {
    const { w, other } = await setUp(2, 2);
    expect(await miss(w)).toMatchObject({ repId: other, slaMissed: true });
    await w.roster.put({ ...aRep(Number(other.slice(4))), status: 'inactive' });
    expect(await miss(w)).toEqual({ assigned: false, next: 'nurture', slaMissed: true });
    const lead = (await w.leads.get('lead-1'))!;
    expect(lead.ownerId).toBeUndefined();
    expect(lead.queuedForRepAt).toBeDefined();
    const queued = (await w.leads.timeline('lead-1')).filter((e) => e.type === 'rep_queue');
    expect(queued.map((e) => e.summary)).toEqual([expect.not.stringContaining('No active rep')]);
    expect(w.mailer.sent.at(-1)!.text).toContain('waits in the unassigned queue');
  });

  it('answers a retried miss task with the outcome of the first, without counting or mailing again', async () => {
    const { w } = await setUp(3, 1);
    const kept = await miss(w);
    const mails = w.mailer.sent.length;
    w.clock.advance(60_000);
    expect(kept.slaMissed).toBe(true);
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'sla-miss' })).toEqual({ ...kept, slaMissed: undefined });
    expect(w.mailer.sent).toHaveLength(mails);
    expect((await w.leads.get('lead-1'))!.slaMisses).toBe(1);
  });

  it('goes on with the programme when the rep logged contact before the miss task ran', async () => {
    const { w, first } = await setUp(2, 2);
    const lead = (await w.leads.get('lead-1'))!;
    w.clock.advance(24 * HOUR_MS);
    await w.leads.save({ ...lead, contactedAt: w.clock.now().toISOString() }, lead.version, []);
    w.clock.advance(1_000);
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'sla-miss' })).toEqual({ assigned: true, repId: first, next: 'nurture' });
    expect(w.mailer.sent.filter((m) => m.to === MANAGER)).toHaveLength(0);
  });

  it('assigns once even when other writers win the race several times in a row', async () => {
    const w = world();
    await w.leads.create(aLead(), []);
    await w.roster.put(aRep(1));
    losingSaves(w.leads, 6);
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' })).toEqual({ assigned: true, repId: 'rep-1', next: 'watch-sla' });
    expect(w.mailer.sent).toHaveLength(1);
    expect(w.roster.turn).toBe(1);
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

describe('certification gates routing', () => {
  it('gives a lead only to an active rep whose certification has not expired', async () => {
    const w = world();
    await w.roster.put({ ...aRep(1), certification: { certifiedAt: '2025-01-01T00:00:00.000Z', expiresAt: '2026-03-01T00:00:00.000Z', cycle: 1 } });
    const { certification: _none, ...uncertified } = aRep(2);
    await w.roster.put(uncertified);
    await w.roster.put(aRep(3, 'onboarding'));
    await w.roster.put(aRep(4));
    for (const id of ['lead-1', 'lead-2', 'lead-3']) {
      await w.leads.create(aLead(id), []);
      expect(await assignRep(w.deps, { leadId: id, run: 3, reason: 'decision' })).toMatchObject({ assigned: true, repId: 'rep-4' });
    }
  });

  it('gives no lead to a certified CSM: they own customers after the sale, not new leads', async () => {
    const w = world();
    await w.roster.put({ ...aRep(1), role: 'csm' });
    await w.roster.put({ ...aRep(2), role: 'ae' });
    for (const id of ['lead-1', 'lead-2']) {
      await w.leads.create(aLead(id), []);
      expect(await assignRep(w.deps, { leadId: id, run: 3, reason: 'decision' })).toMatchObject({ assigned: true, repId: 'rep-2' });
    }
    await w.roster.put({ ...aRep(2), role: 'ae', status: 'inactive' });
    await w.leads.create(aLead('lead-3'), []);
    expect(await assignRep(w.deps, { leadId: 'lead-3', run: 3, reason: 'decision' })).toEqual({ assigned: false, next: 'queue' });
  });

  it('queues the lead when the only active rep’s certification has lapsed', async () => {
    const w = world();
    await w.roster.put({ ...aRep(1), certification: { certifiedAt: '2025-01-01T00:00:00.000Z', expiresAt: '2026-03-02T08:59:59.000Z', cycle: 1 } });
    await w.leads.create(aLead(), []);
    expect(await assignRep(w.deps, { leadId: 'lead-1', run: 3, reason: 'decision' })).toEqual({ assigned: false, next: 'queue' });
  });
});
