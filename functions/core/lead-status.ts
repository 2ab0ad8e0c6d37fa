/**
 * Status changes driven by the funnel itself: a lead that ran out of its stage programme is
 * `recycled` into the slow monthly nurture; one that stayed silent through it closes as `dormant`.
 */
import type { Clock } from './clock.js';
import { VersionConflictError } from './errors.js';
import type { Lead } from './model.js';
import type { EventPublisher, IdGenerator, LeadStore } from './ports.js';
import { loadCurrentLead } from './assignment.js';
import { timelineEntry } from './timeline.js';

export interface LeadStatusDeps {
  leads: LeadStore;
  publisher: EventPublisher;
  clock: Clock;
  ids: IdGenerator;
}

export type FunnelStatus = 'recycled' | 'dormant';

const MAX_ATTEMPTS = 5;

export async function setLeadStatus(deps: LeadStatusDeps, req: { leadId: string; run: number; status: FunnelStatus }) {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const lead = await loadCurrentLead(deps.leads, req.leadId, req.run);
    const now = deps.clock.now();
    const at = now.toISOString();
    // A retried task finds the status set already: only the (idempotent, deterministic-id) event is repeated.
    if (lead.status !== req.status) {
      const next: Lead = { ...lead, status: req.status, updatedAt: at, ...(req.status === 'dormant' ? { closedReason: 'dormant' } : {}) };
      const summary = req.status === 'recycled' ? 'Programme finished without moving on: recycled to monthly nurture' : 'No engagement through the recycle nurture: closed as dormant';
      const entry = timelineEntry(deps.ids, lead.leadId, now, 'status_changed', summary, { from: lead.status, to: req.status, run: lead.run });
      try {
        await deps.leads.save(next, lead.version, [entry]);
      } catch (err) {
        if (err instanceof VersionConflictError && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
    }
    if (req.status === 'dormant') {
      await deps.publisher.publish([
        { type: 'LeadClosed', id: `LeadClosed#${lead.leadId}#${lead.run}`, at, detail: { leadId: lead.leadId, run: lead.run, status: 'dormant', stage: lead.stage } },
      ]);
    }
    return { status: req.status };
  }
  throw new VersionConflictError(req.leadId);
}
