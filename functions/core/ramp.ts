/**
 * A rep's ramp, recorded when it happens: the first lead AssignRep gives them and the first deal won on
 * a lead they own are written on the rep (and its timeline) at that moment, once. Read later from the
 * leads they own now, a reassigned or erased lead would move or lose the date.
 */
import type { Rep } from './model.js';
import type { IdGenerator, RepStore } from './ports.js';
import { withOptimisticRetry } from './retry.js';

export type RampMilestone = 'firstLeadAt' | 'firstWonAt';

/** What recording ramp needs: the rep store's versioned read and save. */
export interface RampDeps {
  reps: Pick<RepStore, 'get' | 'save'>;
  ids: IdGenerator;
}

const ENTRY = {
  firstLeadAt: { type: 'first_lead_assigned', summary: 'First lead assigned' },
  firstWonAt: { type: 'first_deal_won', summary: 'First deal won' },
} as const;

/** Records the milestone on the rep unless it already has it (a retry or a later lead changes nothing). */
export async function recordRamp(deps: RampDeps, repId: string, milestone: RampMilestone, at: Date, leadId: string): Promise<boolean> {
  return withOptimisticRetry(async () => {
    const rep = await deps.reps.get(repId);
    if (!rep || rep.ramp?.[milestone]) return false;
    const when = at.toISOString();
    const next: Rep = { ...rep, ramp: { ...rep.ramp, [milestone]: when } };
    const { type, summary } = ENTRY[milestone];
    await deps.reps.save(next, rep.version ?? 0, [{ entryId: deps.ids.next(), at: when, type, summary: `${summary} (lead ${leadId})`, data: { leadId } }]);
    return true;
  });
}
