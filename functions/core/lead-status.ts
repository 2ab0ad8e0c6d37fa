/**
 * Status changes driven by the funnel itself: a lead that ran out of its stage programme is
 * `recycled` into the slow monthly nurture; one that stayed silent through it closes as `dormant`.
 */
import type { Clock } from './clock.js';
import type { Lead } from './model.js';
import type { EventPublisher, IdGenerator, LeadStore } from './ports.js';
import { loadCurrentLead } from './assignment.js';
import { withOptimisticRetry } from './retry.js';
import { timelineEntry } from './timeline.js';
import { trackStage } from './stage-history.js';

export interface LeadStatusDeps {
  leads: LeadStore;
  publisher: EventPublisher;
  clock: Clock;
  ids: IdGenerator;
}

export type FunnelStatus = 'recycled' | 'dormant';

export async function setLeadStatus(deps: LeadStatusDeps, req: { leadId: string; run: number; status: FunnelStatus }) {
  const lead = await withOptimisticRetry(async () => {
    const current = await loadCurrentLead(deps.leads, req.leadId, req.run);
    // A retried task finds the status set already: only the (idempotent, deterministic-id) event is repeated.
    if (current.status === req.status) return current;
    const now = deps.clock.now();
    const next: Lead = { ...current, status: req.status, updatedAt: now.toISOString(), ...(req.status === 'dormant' ? { closedReason: 'dormant' } : {}) };
    Object.assign(next, trackStage(current, next, next.updatedAt));
    const summary = req.status === 'recycled' ? 'Programme finished without moving on: recycled to monthly nurture' : 'No engagement through the recycle nurture: closed as dormant';
    const entry = timelineEntry(deps.ids, current.leadId, now, 'status_changed', summary, { from: current.status, to: req.status, run: current.run });
    return deps.leads.save(next, current.version, [entry]);
  });
  if (req.status === 'dormant') {
    await deps.publisher.publish([
      { type: 'LeadClosed', id: `LeadClosed#${lead.leadId}#${lead.run}`, at: deps.clock.now().toISOString(), detail: { leadId: lead.leadId, run: lead.run, status: 'dormant', stage: lead.stage } },
    ]);
  }
  return { status: req.status };
}
