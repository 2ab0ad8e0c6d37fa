/**
 * The run outbox: no stored subject is left without its run. A subject's run is requested by the very
 * write that puts it on that run (a new lead, a stage change, a rep's progress): its item then says
 * `run` > `startedRun`, which puts it in the sparse pending index (keys.pendingRun) and on the table's
 * stream in the same write — nothing separate to lose. Requests answer once that write is stored; they
 * never call StartExecution themselves (adapters/queued-starts.ts). StartRuns (functions/tasks/start-runs.ts)
 * starts what is pending: from the stream within a second, and every minute from the index (the
 * sweeper), whatever failed in between — a throttled StartExecution, a timeout, a crashed function.
 * Starting twice is harmless: the execution's name is derived from (subject, run), so Step Functions
 * itself refuses a second one; `markStarted` then takes the subject out of the outbox.
 *
 * A fourth workflow adds its subject here (RUN_POLICIES) and its store to the adapter.
 */
import type { Customer, Lead, Rep, SubjectTimelineEntry, TimelineEntry, WorkflowName } from './model.js';
import type { IdGenerator, WorkflowInputs, WorkflowRuns } from './ports.js';
import { runExecutionName } from './runs.js';
import { repEntry } from './rep-send.js';
import { timelineEntry } from './timeline.js';

/** The subject each workflow runs for. */
export interface RunSubjects {
  LeadFunnel: Lead;
  RepOnboarding: Rep;
  CustomerRetention: Customer;
}

/** A wait longer than this is worth a line on the subject's timeline (it is always in the metric). */
export const NOTABLE_WAIT_MS = 60_000;

interface RunPolicy<W extends WorkflowName> {
  /** Whether the subject should have a running execution of its current run. */
  wantsRun(subject: RunSubjects[W]): boolean;
  id(subject: RunSubjects[W]): string;
  input(subject: RunSubjects[W]): WorkflowInputs[W];
  /** The timeline line saying the run started. */
  startedEntry(ids: IdGenerator, subject: RunSubjects[W], at: Date, version: number | undefined, waitedMs: number): TimelineEntry | SubjectTimelineEntry;
}

const waitedNote = (waitedMs: number) => (waitedMs >= NOTABLE_WAIT_MS ? `, after waiting ${Math.round(waitedMs / 1000)} s for Step Functions capacity` : '');
const versionNote = (version: number | undefined) => (version !== undefined ? ` (programme version ${version})` : '');
const waitedData = (waitedMs: number) => (waitedMs >= NOTABLE_WAIT_MS ? { waitedMs } : {});

export const RUN_POLICIES: { readonly [W in WorkflowName]: RunPolicy<W> } = {
  LeadFunnel: {
    // Active leads nurture in their stage; a won lead runs the purchase (thank-you) programme. A lead whose
    // submission is not yet taken in waits for its intake (core/capture.ts completeIntake) instead.
    wantsRun: (lead) => !lead.intake && (lead.status === 'active' || lead.status === 'won'),
    id: (lead) => lead.leadId,
    input: (lead) => ({ leadId: lead.leadId, run: lead.run, stage: lead.stage }),
    startedEntry: (ids, lead, at, version, waitedMs) =>
      timelineEntry(ids, lead.leadId, at, 'workflow_started', `Funnel run ${lead.run} started at ${lead.stage}${versionNote(version)}${waitedNote(waitedMs)}`, {
        run: lead.run,
        stage: lead.stage,
        execution: runExecutionName(lead.leadId, lead.run),
        ...(version !== undefined ? { version } : {}),
        ...waitedData(waitedMs),
      }),
  },
  RepOnboarding: {
    wantsRun: (rep) => rep.status !== 'inactive' && Boolean(rep.run),
    id: (rep) => rep.repId,
    input: (rep) => ({ repId: rep.repId, run: rep.run ?? 0 }),
    startedEntry: (ids, rep, at, version, waitedMs) =>
      repEntry(ids, at, 'workflow_started', `Onboarding run ${rep.run} started${versionNote(rep.programmeVersion ?? version)}${waitedNote(waitedMs)}`, {
        run: rep.run,
        execution: runExecutionName(rep.repId, rep.run ?? 0),
        ...((rep.programmeVersion ?? version) !== undefined ? { version: rep.programmeVersion ?? version } : {}),
        ...waitedData(waitedMs),
      }),
  },
  CustomerRetention: {
    // Every term is a run, and so is the win-back after a cancellation: a customer always wants its current one.
    wantsRun: (customer) => Boolean(customer.run) && Boolean(customer.email),
    id: (customer) => customer.customerId,
    input: (customer) => ({ customerId: customer.customerId, run: customer.run ?? 0 }),
    startedEntry: (ids, customer, at, version, waitedMs) =>
      repEntry(ids, at, 'workflow_started', `Retention run ${customer.run} started${customer.term ? ` (term ${customer.term.number}${customer.status === 'cancelled' ? ', win-back' : ''})` : ''}${versionNote(customer.programmeVersion ?? version)}${waitedNote(waitedMs)}`, {
        run: customer.run,
        execution: runExecutionName(customer.customerId, customer.run ?? 0),
        ...((customer.programmeVersion ?? version) !== undefined ? { version: customer.programmeVersion ?? version } : {}),
        ...waitedData(waitedMs),
      }),
  },
};

const runOf = (subject: { run?: number }) => subject.run ?? 0;

/** Whether the subject is in the outbox: it wants a run, and its current run is not known to have started. */
export function runPending<W extends WorkflowName>(workflow: W, subject: RunSubjects[W]): boolean {
  const policy = RUN_POLICIES[workflow] as RunPolicy<W>;
  return policy.wantsRun(subject) && (subject.startedRun ?? 0) < runOf(subject);
}

/**
 * What a task of run `run` may add to the subject it saves: its own run has evidently started. A task's
 * save (the welcome send's claim, the first write of every run) then keeps the subject out of the outbox
 * instead of putting back a `startedRun` it read before StartRuns marked the start — which would cost a
 * second StartExecution call ("already exists") for nothing.
 */
export function seenRunning<S extends { run?: number; startedRun?: number }>(subject: S, run: number | undefined): Pick<S, 'startedRun'> | Record<string, never> {
  if (run === undefined || subject.run !== run || (subject.startedRun ?? 0) >= run) return {};
  return { startedRun: run } as Pick<S, 'startedRun'>;
}

/** The subject's stores, as the outbox needs them (functions/adapters/dynamodb/run-outbox.ts). */
export interface RunOutboxStore {
  /** The subject as stored now (a consistent read). */
  load<W extends WorkflowName>(workflow: W, subjectId: string): Promise<RunSubjects[W] | undefined>;
  /** Subjects whose runs were requested before `before` and are still pending, oldest first. */
  pending(workflow: WorkflowName, before: string, limit: number): Promise<Array<{ subjectId: string; requestedAt: string }>>;
  /** New leads whose submission was stored before `before` and still awaits its intake, oldest first. */
  pendingIntakes(before: string, limit: number): Promise<Array<{ subjectId: string; requestedAt: string }>>;
  /** `run` is known started: the subject leaves the outbox (no change when it has moved on to another run). */
  markStarted(workflow: WorkflowName, subjectId: string, run: number): Promise<void>;
  appendTimeline(workflow: WorkflowName, subjectId: string, entry: TimelineEntry | SubjectTimelineEntry): Promise<void>;
}

export interface RunOutboxDeps {
  outbox: RunOutboxStore;
  /** The real starter (Step Functions): the only caller of StartExecution. */
  runs: WorkflowRuns;
  clock: { now(): Date };
  ids: IdGenerator;
  /** Virtual seconds per real second (the local runtime's compressed clock; 1 on AWS): waits are reported in real time. */
  timeScale?: number;
}

export type PendingStart = { outcome: 'started' | 'already-exists'; run: number; waitedMs: number } | { outcome: 'not-pending' };

/**
 * Starts the subject's pending run, if it still has one: read fresh (a stream record may be old), start,
 * record it on the timeline when this call started it, and take the subject out of the outbox. A
 * throttled or failed StartExecution throws and changes nothing: the subject stays pending.
 * `requestedAt` is when the run was asked for (the index's sort key, or the write the stream saw).
 */
export async function startPendingRun(deps: RunOutboxDeps, workflow: WorkflowName, subjectId: string, requestedAt: string): Promise<PendingStart> {
  const subject = await deps.outbox.load(workflow, subjectId);
  if (!subject || !runPending(workflow, subject as never)) return { outcome: 'not-pending' };
  const policy = RUN_POLICIES[workflow] as RunPolicy<WorkflowName>;
  const run = runOf(subject);
  const outcome = await deps.runs.startRun(workflow, subjectId, policy.input(subject as never) as never);
  const now = deps.clock.now();
  // Capacity waits are real time, whatever the clock's compression.
  const waitedMs = Math.round(Math.max(0, now.getTime() - Date.parse(requestedAt)) / (deps.timeScale ?? 1));
  // Marked first: the sooner the subject leaves the outbox, the fewer writes of it ask for the run again.
  await deps.outbox.markStarted(workflow, subjectId, run);
  if (outcome === 'started') {
    await deps.outbox.appendTimeline(workflow, subjectId, policy.startedEntry(deps.ids, subject as never, now, deps.runs.programmeVersion?.(workflow), waitedMs));
  }
  return { outcome: outcome === 'started' ? 'started' : 'already-exists', run, waitedMs: Number.isFinite(waitedMs) ? waitedMs : 0 };
}
