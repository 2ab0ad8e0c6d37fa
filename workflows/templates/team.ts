/**
 * The words of the emails to the sales team (the assigned rep, the sales manager). They are
 * operational, not marketing: no unsubscribe footer, but every one says which system sent it and
 * why. The core lays them out (functions/core/templates.ts: summary table, timeline, escaping).
 */
import type { AfterMiss, TeamMessages } from '../../functions/core/templates.js';
import { brand } from './brand.js';


function outcomeOf(after: AfterMiss, escalation: boolean): string {
  if (!after)
    return escalation
      ? 'Its rep is no longer active, so it waits in the unassigned queue.'
      : 'No other active rep is available, so it waits in the unassigned queue.';
  if ('keptWith' in after)
    return escalation
      ? `It stays with ${after.keptWith.name}.`
      : `No other rep is free, so it stays with ${after.keptWith.name} for another ${after.slaHours} hours.`;
  return `It has been reassigned to ${after.name}.`;
}

export const teamMessages: TeamMessages = {
  signature: `Sent automatically by Sales Flow, the lead funnel of ${brand.company}.`,

  newLeadAssigned: (rep, lead, slaHours) => ({
    subject: `New lead assigned to you: ${lead}`,
    intro: [
      `Hi ${rep.name},`,
      `${lead} has reached the decision stage and is now yours. Please get in touch within ${slaHours} hours and log the contact (rep_contacted); otherwise the lead moves to another rep.`,
    ],
  }),

  /**
   * The manager's notice of a missed contact SLA. `escalation` marks the miss that ends the SLA
   * ladder: the lead is not reassigned or checked again, so the notice says it is over to them.
   */
  slaMissed: (lead, missedBy, misses, escalation, after) => ({
    subject: `${escalation ? 'ESCALATION: ' : ''}Contact SLA missed for ${lead} (${misses} miss${misses === 1 ? '' : 'es'})`,
    intro: [
      `${missedBy ? `${missedBy.name} <${missedBy.email}>` : 'the assigned rep'} did not contact ${lead} within the SLA. ${outcomeOf(after, escalation)}`,
      ...(escalation
        ? [
            `This lead has now missed the contact SLA ${misses} time${misses === 1 ? '' : 's'} and needs your attention. Sales Flow will not reassign it or check the SLA again, and sends no more notices about it; the decision-stage emails to the lead carry on.`,
          ]
        : []),
    ],
  }),

  emptyQueue: (lead) => ({
    subject: `No active rep for ${lead}: lead waiting in the unassigned queue`,
    intro: [
      `${lead} is ready for sales, but no rep is active. The lead waits in the unassigned queue and is assigned as soon as a rep becomes active.`,
    ],
  }),
};
