/**
 * Funnel runs: each (re)start of a lead's LeadFunnel execution is a new run with a derived
 * execution name, so starting a run twice is a no-op and a retried request repairs a lost start.
 */
import type { CustomerEventDeps } from './customers.js';
import type { Clock } from './clock.js';
import type { Lead, TimelineEntry } from './model.js';
import { RUN_POLICIES } from './run-outbox.js';
import type { EventPublisher, IdGenerator, LeadStore, WorkflowStarter } from './ports.js';
import type { RampDeps } from './ramp.js';
import type { ScoringRules } from './scoring.js';
import { withOptimisticRetry } from './retry.js';
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
  /** Records the owner's first won deal on the rep when a lead is won (ramp); without it, ramp is not recorded. */
  reps?: RampDeps['reps'];
  /** Customers' events and referrals (core/customers.ts); without it, every event goes to the lead. */
  customers?: CustomerEventDeps;
  /**
   * Completes a new lead's pending intake (core/capture.ts completeIntake, the submission outbox), so an event
   * that meets a lead in its first second (a purchase, say) follows its referral and consent; without it, the
   * event is applied to the lead as stored and the intake follows from StartRuns.
   */
  intake?(leadId: string): Promise<Lead | undefined>;
}

/**
 * Asks for the lead's current run if it should have one. Requests and tasks get `queued`: the lead's own
 * stored write put it in the run outbox, and StartRuns starts it and records it (core/run-outbox.ts).
 * A starter that starts at once (tests' fakes) records it here, only when it really started.
 */
export async function ensureCurrentRun(deps: Pick<FunnelDeps, 'starter' | 'store' | 'clock' | 'ids'>, lead: Lead): Promise<void> {
  if (!RUN_POLICIES.LeadFunnel.wantsRun(lead)) return;
  const outcome = await deps.starter.start({ leadId: lead.leadId, run: lead.run, stage: lead.stage });
  if (outcome !== 'started') return;
  const version = deps.starter.programmeVersion?.('LeadFunnel');
  await deps.store.appendTimeline([RUN_POLICIES.LeadFunnel.startedEntry(deps.ids, lead, deps.clock.now(), version, 0) as TimelineEntry]);
}

/**
 * After a save that bumped the run: stop the old execution (its tasks would be superseded anyway,
 * this just ends it sooner) and start the new run, unless the lead is now closed.
 */
export async function switchRun(deps: FunnelDeps, before: Lead, after: Lead, reason: string): Promise<void> {
  await deps.starter.stop(before.leadId, before.run, reason);
  await ensureCurrentRun(deps, after);
}

/**
 * A rep who can no longer take leads (inactive, certification lapsed) hands back their open leads: each
 * active lead they own starts a new run at its stage, whose hand-off assigns it again with the funnel's
 * own assignment — round-robin over the reps still eligible, or the unassigned queue. Emails the lead
 * had are not sent again (their ledger keys are per stage and step).
 */
export async function reassignOpenLeads(deps: Pick<FunnelDeps, 'store' | 'starter' | 'clock' | 'ids'>, repId: string, reason: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  const owned: Lead[] = [];
  do {
    const page = await deps.store.listByOwner(repId, { limit: 100, cursor });
    owned.push(...page.items.filter((l) => l.status === 'active'));
    cursor = page.cursor;
  } while (cursor);
  for (const listed of owned) {
    const moved = await withOptimisticRetry(async () => {
      const lead = await deps.store.get(listed.leadId);
      if (!lead || lead.ownerId !== repId || lead.status !== 'active') return undefined;
      const now = deps.clock.now();
      const next: Lead = { ...lead, run: lead.run + 1, updatedAt: now.toISOString() };
      const saved = await deps.store.save(next, lead.version, [
        timelineEntry(deps.ids, lead.leadId, now, 'rep_unavailable', `Its rep can no longer take leads (${reason}): assigning it again`, { repId, run: next.run }),
      ]);
      return { before: lead, after: saved };
    });
    if (!moved) continue;
    await deps.starter.stop(moved.before.leadId, moved.before.run, reason);
    await ensureCurrentRun(deps, moved.after);
    count++;
  }
  return count;
}
