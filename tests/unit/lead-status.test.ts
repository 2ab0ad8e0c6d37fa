import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.js';
import { setLeadStatus } from '../../functions/core/lead-status.js';
import { InMemoryLeadStore, RecordingPublisher, losingSaves, sequentialIds } from '../fakes/index.js';
import { aLead } from '../fakes/leads.js';

function world() {
  const leads = new InMemoryLeadStore();
  const publisher = new RecordingPublisher();
  return { leads, publisher, deps: { leads, publisher, clock: fixedClock('2026-03-20T09:00:00.000Z'), ids: sequentialIds() } };
}

describe('funnel status changes', () => {
  it('recycles a lead once, and a retried task changes nothing more', async () => {
    const w = world();
    await w.leads.create(aLead(), []);
    await setLeadStatus(w.deps, { leadId: 'lead-1', run: 1, status: 'recycled' });
    await setLeadStatus(w.deps, { leadId: 'lead-1', run: 1, status: 'recycled' });
    expect((await w.leads.get('lead-1'))!.status).toBe('recycled');
    expect((await w.leads.timeline('lead-1')).map((e) => e.type)).toEqual(['status_changed']);
  });

  it('closes a lead as dormant even when other writers win the race several times in a row', async () => {
    const w = world();
    await w.leads.create(aLead({ status: 'recycled' }), []);
    losingSaves(w.leads, 6);
    expect(await setLeadStatus(w.deps, { leadId: 'lead-1', run: 1, status: 'dormant' })).toEqual({ status: 'dormant' });
    expect((await w.leads.get('lead-1'))!).toMatchObject({ status: 'dormant', closedReason: 'dormant' });
    expect(w.publisher.events).toMatchObject([{ type: 'LeadClosed', detail: { status: 'dormant' } }]);
  });
});
