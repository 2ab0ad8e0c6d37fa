import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.js';
import { NotFoundError, VersionConflictError } from '../../functions/core/errors.js';
import { ingestEvent } from '../../functions/core/events.js';
import type { FunnelDeps } from '../../functions/core/funnel-runs.js';
import type { EngagementEvent, Lead } from '../../functions/core/model.js';
import { aLead as baseLead } from '../fakes/leads.js';
import { InMemoryLeadStore, RecordingPublisher, RecordingStarter, sequentialIds } from '../fakes/index.js';
import { scoringRules } from '../../workflows/scoring.js';

const T0 = '2026-03-01T09:00:00.000Z';

function world(store = new InMemoryLeadStore()) {
  const deps = { store, starter: new RecordingStarter(), publisher: new RecordingPublisher(), clock: fixedClock(T0), ids: sequentialIds(), rules: scoringRules };
  return deps satisfies FunnelDeps;
}

const aLead = (over: Partial<Lead> = {}) => baseLead({ email: 'ann@example.com', company: 'Acme', ...over });

async function seeded(over: Partial<Lead> = {}) {
  const w = world();
  await w.store.create(aLead(over), []);
  return w;
}

const ev = (type: EngagementEvent['type'], over: Partial<EngagementEvent> = {}): EngagementEvent => ({
  eventId: `e-${type}-${Math.random()}`,
  type,
  leadId: 'lead-1',
  occurredAt: T0,
  ...over,
});

describe('applying an event', () => {
  it('refuses an event for an unknown lead', async () => {
    const w = world();
    await expect(ingestEvent(w, ev('email_opened', { leadId: 'nobody' }))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('adds the points and records the event, keeping the stage and run below a threshold', async () => {
    const w = await seeded();
    const { outcome, lead } = await ingestEvent(w, ev('email_clicked'));
    expect(outcome).toBe('applied');
    expect(lead).toMatchObject({ score: 3, stage: 'awareness', run: 1, version: 2 });
    expect((await w.store.timeline('lead-1')).map((e) => e.type)).toEqual(['event', 'score_changed']);
    expect(w.starter.stopped).toEqual([]);
    expect(w.publisher.events).toEqual([]);
  });

  it('finds the lead by its email, whatever its case', async () => {
    const w = await seeded();
    const { lead } = await ingestEvent(w, ev('email_opened', { leadId: undefined, email: ' ANN@Example.com' }));
    expect(lead.score).toBe(1);
  });

  it('moves the lead to interest within the request: stops the old run and starts the new one', async () => {
    const w = await seeded({ score: 8 });
    const { lead } = await ingestEvent(w, ev('email_clicked'));
    expect(lead).toMatchObject({ stage: 'interest', run: 2, score: 11 });
    expect(w.starter.stopped).toEqual([expect.objectContaining({ leadId: 'lead-1', run: 1 })]);
    expect(w.starter.started).toEqual([{ leadId: 'lead-1', run: 2, stage: 'interest' }]);
    expect(w.publisher.events).toEqual([
      expect.objectContaining({ type: 'LeadStageChanged', id: 'lead-1:LeadStageChanged:2', detail: expect.objectContaining({ from: 'awareness', to: 'interest' }) }),
    ]);
    expect((await w.store.timeline('lead-1')).map((e) => e.type)).toEqual(['event', 'score_changed', 'stage_changed', 'workflow_started']);
  });

  it('moves a lead that requests a demo straight to decision', async () => {
    const w = await seeded();
    const { lead } = await ingestEvent(w, ev('demo_requested'));
    expect(lead.stage).toBe('decision');
    expect(w.starter.started).toEqual([{ leadId: 'lead-1', run: 2, stage: 'decision' }]);
  });

  it('acknowledges a repeated eventId and changes nothing, but repairs a lost start of the current run', async () => {
    const w = await seeded({ stage: 'interest', score: 10, run: 3 });
    const first = await ingestEvent(w, ev('email_opened', { eventId: 'same' }));
    const again = await ingestEvent(w, ev('email_opened', { eventId: 'same' }));
    expect(again.outcome).toBe('duplicate');
    expect(again.lead).toEqual(first.lead);
    expect((await w.store.get('lead-1'))?.score).toBe(11);
    expect(w.starter.started).toEqual([{ leadId: 'lead-1', run: 3, stage: 'interest' }]);
  });

  it('turns a purchase into a won customer with a derived customer id and publishes LeadConverted', async () => {
    const w = await seeded({ stage: 'decision', score: 70 });
    const { lead } = await ingestEvent(w, ev('purchased'));
    expect(lead).toMatchObject({ stage: 'purchase', status: 'won', run: 2, customerId: 'cus-lead-1' });
    expect(await w.store.getCustomer('cus-lead-1')).toMatchObject({ leadId: 'lead-1', email: 'ann@example.com', company: 'Acme' });
    expect(w.starter.started).toEqual([{ leadId: 'lead-1', run: 2, stage: 'purchase' }]);
    expect(w.publisher.events.map((e) => e.type)).toEqual(['LeadStageChanged', 'LeadConverted']);
    const byCustomer = await ingestEvent(w, ev('nps_submitted', { leadId: undefined, customerId: 'cus-lead-1' }));
    expect(byCustomer.lead.leadId).toBe('lead-1');
  });

  it('closes a lost lead: bumps the run, stops its execution, starts nothing, publishes LeadClosed', async () => {
    const w = await seeded({ stage: 'consideration', score: 40 });
    const { lead } = await ingestEvent(w, ev('lost', { properties: { reason: 'went with a competitor' } }));
    expect(lead).toMatchObject({ status: 'lost', run: 2, stage: 'consideration', closedReason: 'went with a competitor' });
    expect(w.starter.stopped.map((s) => s.run)).toEqual([1]);
    expect(w.starter.started).toEqual([]);
    expect(w.publisher.events).toEqual([expect.objectContaining({ type: 'LeadClosed', id: 'lead-1:LeadClosed:2' })]);
  });

  it('records engagement on a lost lead on its timeline without moving it', async () => {
    const w = await seeded({ status: 'lost', run: 2 });
    const { lead } = await ingestEvent(w, ev('demo_requested'));
    expect(lead).toMatchObject({ status: 'lost', stage: 'awareness', run: 2, score: 0 });
    expect((await w.store.timeline('lead-1')).map((e) => e.type)).toEqual(['event']);
  });

  it('wakes a recycled lead on engagement and restarts it at its stage', async () => {
    const w = await seeded({ stage: 'interest', status: 'recycled', score: 12, run: 2 });
    const { lead } = await ingestEvent(w, ev('email_opened'));
    expect(lead).toMatchObject({ status: 'active', run: 3, stage: 'interest' });
    expect(w.starter.stopped.map((s) => s.run)).toEqual([2]);
    expect(w.starter.started).toEqual([{ leadId: 'lead-1', run: 3, stage: 'interest' }]);
  });

  it('records when a rep contacted the lead', async () => {
    const w = await seeded({ stage: 'decision', ownerId: 'rep-1' });
    const { lead } = await ingestEvent(w, ev('rep_contacted', { occurredAt: '2026-03-01T08:30:00.000Z' }));
    expect(lead.contactedAt).toBe('2026-03-01T08:30:00.000Z');
  });

  it('retries when the lead changed concurrently and applies the event once', async () => {
    class Contended extends InMemoryLeadStore {
      conflicts = 2;
      override async save(...args: Parameters<InMemoryLeadStore['save']>) {
        if (this.conflicts-- > 0) {
          const stored = this.leads.get(args[0].leadId)!;
          this.leads.set(stored.leadId, { ...stored, score: stored.score + 1, version: stored.version + 1 });
          throw new VersionConflictError(stored.leadId);
        }
        return super.save(...args);
      }
    }
    const w = world(new Contended());
    await w.store.create(aLead(), []);
    const { lead } = await ingestEvent(w, ev('email_clicked'));
    expect(lead).toMatchObject({ score: 5, version: 4 });
  });

  it('gives up with the conflict after a few attempts', async () => {
    class AlwaysContended extends InMemoryLeadStore {
      override async save(lead: Lead): Promise<Lead> {
        throw new VersionConflictError(lead.leadId);
      }
    }
    const w = world(new AlwaysContended());
    await w.store.create(aLead(), []);
    await expect(ingestEvent(w, ev('email_opened'))).rejects.toBeInstanceOf(VersionConflictError);
  });
});

describe('publishing domain events', () => {
  /** A publisher whose first call fails, as EventBridge may. */
  class FlakyPublisher extends RecordingPublisher {
    failures = 1;
    override async publish(events: Parameters<RecordingPublisher['publish']>[0]) {
      if (this.failures-- > 0) throw Object.assign(new Error('EventBridge unavailable'), { name: 'InternalException' });
      return super.publish(events);
    }
  }

  it('publishes on the retried request what a failed first delivery could not, and nothing twice', async () => {
    const w = { ...world(), publisher: new FlakyPublisher() };
    await w.store.create(aLead(), []);
    const demo = ev('demo_requested');

    await expect(ingestEvent(w, demo)).rejects.toThrow('EventBridge unavailable');
    expect((await w.store.get('lead-1'))?.stage).toBe('decision'); // the change itself was saved

    expect(await ingestEvent(w, demo)).toMatchObject({ outcome: 'duplicate' });
    expect(w.publisher.events.map((e) => e.type)).toEqual(['LeadStageChanged']);
    expect(w.publisher.events[0]).toMatchObject({ id: 'lead-1:LeadStageChanged:2', detail: { from: 'awareness', to: 'decision' } });

    await ingestEvent(w, demo);
    expect(w.publisher.events).toHaveLength(1);
  });
});
