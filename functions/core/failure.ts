/**
 * The LeadFunnel catch path: a failed task is recorded on the lead's timeline so that nobody has to
 * dig through execution history to learn why a lead stopped receiving emails. This must never fail
 * itself (it would hide the original error), so it writes without reading the lead first.
 */
import type { Clock } from './clock.js';
import type { IdGenerator, LeadStore } from './ports.js';
import { timelineEntry } from './timeline.js';

export interface FailureDeps {
  leads: Pick<LeadStore, 'appendTimeline'>;
  clock: Clock;
  ids: IdGenerator;
}

const MAX_CAUSE = 2000;

export async function recordFailure(deps: FailureDeps, req: { leadId: string; run?: number; error?: string; cause?: unknown }) {
  const error = req.error || 'UnknownError';
  const cause = typeof req.cause === 'string' ? req.cause : JSON.stringify(req.cause ?? '');
  await deps.leads.appendTimeline([
    timelineEntry(deps.ids, req.leadId, deps.clock.now(), 'workflow_failed', `Funnel step failed: ${error}`, {
      run: req.run,
      error,
      cause: cause.length > MAX_CAUSE ? `${cause.slice(0, MAX_CAUSE)}…` : cause,
    }),
  ]);
  return { recorded: true as const };
}
