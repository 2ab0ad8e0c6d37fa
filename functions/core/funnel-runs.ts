/**
 * Funnel runs: each (re)start of a lead's LeadFunnel execution is a new run with a derived
 * execution name, so starting a run twice is a no-op and a retried request repairs a lost start.
 */
import type { Clock } from './clock.js';
import { executionName, type Lead } from './model.js';
import type { EventPublisher, IdGenerator, LeadStore, WorkflowStarter } from './ports.js';
import type { ScoringRules } from './scoring.js';
import { timelineEntry } from './timeline.js';

/** Everything the funnel use cases need from the world. */
export interface FunnelDeps {
  store: LeadStore;
  starter: WorkflowStarter;
  publisher: EventPublisher;
  clock: Clock;
  ids: IdGenerator;
  /** The scoring rules (workflows/scoring.ts, wired in by the handler). */
  rules: ScoringRules;
}

/** Active leads nurture in their stage; a won lead runs the purchase (thank-you) programme. */
const hasRunningFunnel = (lead: Lead) => lead.status === 'active' || lead.status === 'won';

/** Starts the lead's current run if it should have one; recorded on the timeline only when it really started. */
export async function ensureCurrentRun(deps: Pick<FunnelDeps, 'starter' | 'store' | 'clock' | 'ids'>, lead: Lead): Promise<void> {
  if (!hasRunningFunnel(lead)) return;
  const outcome = await deps.starter.start({ leadId: lead.leadId, run: lead.run, stage: lead.stage });
  if (outcome !== 'started') return;
  const name = executionName(lead.leadId, lead.run);
  await deps.store.appendTimeline([
    timelineEntry(deps.ids, lead.leadId, deps.clock.now(), 'workflow_started', `Funnel run ${lead.run} started at ${lead.stage}`, {
      run: lead.run,
      stage: lead.stage,
      execution: name,
    }),
  ]);
}

/**
 * After a save that bumped the run: stop the old execution (its tasks would be superseded anyway,
 * this just ends it sooner) and start the new run, unless the lead is now closed.
 */
export async function switchRun(deps: FunnelDeps, before: Lead, after: Lead, reason: string): Promise<void> {
  await deps.starter.stop(before.leadId, before.run, reason);
  await ensureCurrentRun(deps, after);
}
