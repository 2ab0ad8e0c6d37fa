/**
 * Ramp is recorded on the rep when it happens: the first lead AssignRep gives them and the first deal
 * won on a lead they own, once each, on the rep and its timeline; GET /reps/{repId} reads what was recorded.
 */
import { describe, expect, it } from 'vitest';
import { assignRep, type AssignmentDeps } from '../../functions/core/assignment.js';
import { fixedClock } from '../../functions/core/clock.js';
import { ingestEvent } from '../../functions/core/events.js';
import type { FunnelDeps } from '../../functions/core/funnel-runs.js';
import type { Lead, Rep } from '../../functions/core/model.js';
import { getRepProfile } from '../../functions/core/rep-read.js';
import { onboardingProgramme } from '../../workflows/programmes/onboarding.js';
import { scoringRules } from '../../workflows/scoring.js';
import { teamMessages } from '../../workflows/templates/team.js';
import { InMemoryLeadStore, RecordingMailer, RecordingPublisher, RecordingStarter, sequentialIds } from '../fakes/index.js';
import { aLead as baseLead } from '../fakes/leads.js';
import { InMemoryRepStore } from '../fakes/reps.js';

const ana: Rep = {
  repId: 'rep-ana',
  name: 'Ana Rep',
  email: 'ana@brightline.example',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  startDate: '2026-01-01',
  certification: { certifiedAt: '2026-01-10T00:00:00.000Z', expiresAt: '2027-01-10T00:00:00.000Z', cycle: 1 },
  version: 1,
};
const decisionLead = (leadId: string, over: Partial<Lead> = {}) =>
  baseLead({ leadId, email: `${leadId}@example.com`, stage: 'decision', status: 'active', score: 65, run: 1, ...over });

function world() {
  const leads = new InMemoryLeadStore();
  const reps = new InMemoryRepStore();
  const clock = fixedClock('2026-03-02T09:00:00.000Z');
  const ids = sequentialIds();
  const assignment: AssignmentDeps = {
    leads, roster: reps, reps, mailer: new RecordingMailer(), publisher: new RecordingPublisher(), clock, ids, team: teamMessages,
    settings: { managerEmail: 'manager@brightline.example', slaHours: 24, escalateAfterMisses: 2 },
  };
  const funnel: FunnelDeps = { store: leads, starter: new RecordingStarter(), publisher: new RecordingPublisher(), clock, ids, rules: scoringRules, reps };
  const profile = (repId = ana.repId) => getRepProfile({ reps, leads, programme: onboardingProgramme, clock } as never, repId);
  return { leads, reps, clock, assignment, funnel, profile };
}

describe('ramp, recorded when it happens', () => {
  it('records the rep’s first lead when AssignRep first assigns them one, and not again for the next', async () => {
    const w = world();
    await w.reps.put(ana);
    await w.leads.create(decisionLead('lead-1'), []);
    await w.leads.create(decisionLead('lead-2'), []);

    await assignRep(w.assignment, { leadId: 'lead-1', run: 1, reason: 'decision' });
    expect((await w.reps.get(ana.repId))!.ramp).toEqual({ firstLeadAt: '2026-03-02T09:00:00.000Z' });

    w.clock.advance(86_400_000);
    await assignRep(w.assignment, { leadId: 'lead-2', run: 1, reason: 'decision' });
    expect((await w.reps.get(ana.repId))!.ramp).toEqual({ firstLeadAt: '2026-03-02T09:00:00.000Z' });
    const entries = (await w.reps.timeline(ana.repId)).filter((e) => e.type === 'first_lead_assigned');
    expect(entries).toEqual([expect.objectContaining({ at: '2026-03-02T09:00:00.000Z', data: { leadId: 'lead-1' } })]);
  });

  it('records the owner’s first won deal when a lead they own is won, once, even when the event is repeated', async () => {
    const w = world();
    await w.reps.put({ ...ana, ramp: { firstLeadAt: '2026-02-01T09:00:00.000Z' } });
    await w.leads.create(decisionLead('lead-1', { ownerId: ana.repId, assignedAt: '2026-02-01T09:00:00.000Z' }), []);

    const won = { eventId: 'won-1', type: 'purchased', leadId: 'lead-1', occurredAt: '2026-03-02T08:00:00.000Z' } as const;
    await ingestEvent(w.funnel, won);
    await ingestEvent(w.funnel, won);
    expect((await w.reps.get(ana.repId))!.ramp).toEqual({ firstLeadAt: '2026-02-01T09:00:00.000Z', firstWonAt: '2026-03-02T09:00:00.000Z' });
    expect((await w.reps.timeline(ana.repId)).filter((e) => e.type === 'first_deal_won')).toHaveLength(1);
  });

  it('leaves ramp alone for an event on a lead with no owner, or one that is not a win', async () => {
    const w = world();
    await w.reps.put(ana);
    await w.leads.create(decisionLead('lead-1'), []);
    await w.leads.create(decisionLead('lead-2', { ownerId: ana.repId }), []);
    await ingestEvent(w.funnel, { eventId: 'won-1', type: 'purchased', leadId: 'lead-1', occurredAt: '2026-03-02T08:00:00.000Z' });
    await ingestEvent(w.funnel, { eventId: 'click', type: 'email_clicked', leadId: 'lead-2', occurredAt: '2026-03-02T08:00:00.000Z' });
    expect((await w.reps.get(ana.repId))!.ramp).toBeUndefined();
  });

  it('is what GET /reps/{repId} reads, whatever the rep owns now', async () => {
    const w = world();
    await w.reps.put({ ...ana, ramp: { firstLeadAt: '2026-01-21T10:00:00.000Z', firstWonAt: '2026-02-10T10:00:00.000Z' } });
    const profile = await w.profile();
    expect(profile.ramp).toMatchObject({ firstLeadAt: '2026-01-21T10:00:00.000Z', firstWonAt: '2026-02-10T10:00:00.000Z', daysToFirstLead: 20, daysToFirstWonDeal: 40, daysToCertification: 9 });

    // A won lead the rep owns but was never recorded (reassigned to them later) does not count.
    const other = world();
    await other.reps.put(ana);
    await other.leads.create(decisionLead('lead-9', { ownerId: ana.repId, assignedAt: '2026-01-05T00:00:00.000Z', status: 'won', stage: 'purchase' }), []);
    expect((await other.profile()).ramp).toMatchObject({ firstLeadAt: null, firstWonAt: null, daysToFirstLead: null, daysToFirstWonDeal: null });
  });
});
