/**
 * StartRuns — the only caller of StartExecution: starts the runs waiting in the run outbox
 * (core/run-outbox.ts), for every workflow.
 *
 *   - From the table's stream (an event source mapping filtered to items whose gsi4pk says a run is
 *     pending): within a second of the write that asked for the run. Answers the records it could not
 *     start as batch item failures, so the stream retries from the first of them.
 *   - Every minute from EventBridge (the sweeper): whatever is still pending after two minutes — a record
 *     that ran out of retries, a crashed invocation, a start throttled for longer than one invocation.
 *
 * Starts are paced to START_RATE per second (a token bucket), so a burst of 10× Step Functions'
 * StartExecution bucket drains at the refill rate instead of hammering it; a throttled start backs off
 * with full jitter and tries again while the invocation has time, and is otherwise left pending.
 * How long runs waited is a CloudWatch metric (embedded metric format) and, past a minute, a line on
 * the subject's timeline.
 *
 * A new lead's submission comes first (the submission outbox): POST /leads stores the lead with its
 * intake pending and answers; StartRuns completes the intake (core/capture.ts completeIntake: consent,
 * Contact, erasure and referral checks, the captured timeline) and then starts the lead's first run.
 */
import type { Context } from 'aws-lambda';
import { DynamoRunOutbox } from '../adapters/dynamodb/run-outbox.js';
import { StepFunctionsStarter } from '../adapters/sfn-starter.js';
import { completeIntake } from '../core/capture.js';
import { randomIds } from '../core/ids.js';
import { WORKFLOWS, type WorkflowName } from '../core/model.js';
import { startPendingRun, type RunOutboxDeps } from '../core/run-outbox.js';
import { secretReader } from '../adapters/secrets.js';
import { captureDeps } from '../shared/capture-deps.js';
import { documentClient, secretsClient, sfnClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { customerEventDeps } from '../shared/retention-deps.js';
import { logger } from '../shared/logger.js';
import { withMetrics } from '../shared/metrics.js';
import * as z from '../shared/schema.js';
import { TokenBucket, mapPool, retryWhileThrottled } from '../shared/pacing.js';
import { keys } from '../table/keys.js';

const config = loadConfig('table', 'runs', 'events', 'signing');
/** What a new lead's intake needs (the same parts as POST /leads). */
const intakeDeps = captureDeps(config, customerEventDeps(config), secretReader(secretsClient()));
const deps: RunOutboxDeps = {
  outbox: new DynamoRunOutbox(documentClient(), config.tableName),
  runs: new StepFunctionsStarter(sfnClient(), { LeadFunnel: config.funnelStateMachineArn, RepOnboarding: config.repOnboardingStateMachineArn, CustomerRetention: config.retentionStateMachineArn }),
  clock: config.clock,
  ids: randomIds,
  timeScale: config.timeScale,
};
/** One bucket per instance: a one-second burst, then START_RATE per second. */
const bucket = new TokenBucket(config.startRate, config.startRate);

/**
 * A pending run the sweeper takes: asked for at least this long ago (real time). Long enough that the
 * stream path has had its chance even while it drains a burst (13,000 runs at 250/s take 52 s), so the
 * two rarely spend StartExecution quota on the same run; short enough that nothing waits for long.
 */
const SWEEP_AFTER_MS = 120_000;
const SWEEP_PAGE = 500;
/** Starts in flight at once within one invocation (the bucket sets the pace, this only hides latency). */
const CONCURRENCY = 16;
/** Time kept back from the invocation's timeout for answering. */
const MARGIN_MS = 5_000;

interface Request {
  workflow: WorkflowName;
  subjectId: string;
  requestedAt: string;
  /** A new lead whose submission awaits its intake, before its run. */
  intake?: boolean;
  /** The stream record's sequence number (batch item failures name it). */
  sequenceNumber?: string;
}

interface StreamRecord {
  eventName?: string;
  dynamodb?: { SequenceNumber?: string; NewImage?: Record<string, { S?: string }> };
}

const isStream = (event: unknown): event is { Records: StreamRecord[] } => Array.isArray((event as { Records?: unknown })?.Records);

/** The pending runs a batch of stream records asks for (one per subject: its latest record's request). */
export function requestsFromStream(records: StreamRecord[]): Request[] {
  const bySubject = new Map<string, Request>();
  for (const record of records) {
    const image = record.dynamodb?.NewImage;
    const intake = image?.gsi4pk?.S === keys.leadIntakePartition();
    const workflow = intake ? 'LeadFunnel' : keys.workflowOfPendingPartition(image?.gsi4pk?.S);
    const sortKey = image?.gsi4sk?.S;
    if (!workflow || !(WORKFLOWS as readonly string[]).includes(workflow) || !sortKey) continue;
    const at = sortKey.lastIndexOf('#');
    const key = `${workflow}#${sortKey.slice(at + 1)}`;
    // The first record of a subject keeps its sequence number: a failure retries from there.
    const first = bySubject.get(key);
    bySubject.set(key, {
      workflow: workflow as WorkflowName,
      subjectId: sortKey.slice(at + 1),
      requestedAt: first?.intake ? first.requestedAt : sortKey.slice(0, at),
      ...(intake || first?.intake ? { intake: true } : {}),
      sequenceNumber: first?.sequenceNumber ?? record.dynamodb?.SequenceNumber,
    });
  }
  return [...bySubject.values()];
}

/**
 * The scheduled event is EventBridge's (ignored). An operator (or a test) may sweep runs pending for less
 * than a minute with `olderThanSeconds`, e.g. after fixing whatever failed them.
 */
const sweepOptions = z.looseObject({ olderThanSeconds: z.optional(z.number().check(z.gte(0))) });

async function sweep(event: unknown, deadline: number): Promise<Request[]> {
  const parsed = sweepOptions.safeParse(event ?? {});
  const afterMs = parsed.success && parsed.data.olderThanSeconds !== undefined ? parsed.data.olderThanSeconds * 1000 : SWEEP_AFTER_MS;
  // Locally time is compressed: "a minute ago" is a real minute, whatever the scale.
  const before = new Date(config.clock.now().getTime() - afterMs * config.timeScale).toISOString();
  const requests: Request[] = [];
  if (Date.now() <= deadline) {
    const intakes = await deps.outbox.pendingIntakes(before, SWEEP_PAGE);
    requests.push(...intakes.map((p) => ({ workflow: 'LeadFunnel' as const, intake: true, ...p })));
  }
  for (const workflow of WORKFLOWS) {
    if (Date.now() > deadline) break;
    const pending = await deps.outbox.pending(workflow, before, SWEEP_PAGE);
    requests.push(...pending.map((p) => ({ workflow, ...p })));
  }
  return requests;
}

export interface StartRunsSummary {
  started: number;
  alreadyStarted: number;
  notPending: number;
  /** Left pending for the next attempt (throttled past the invocation's time, or failed). */
  leftPending: number;
  throttled: number;
  /** The longest a run started by this invocation had waited since it was asked for (ms). */
  maxWaitMs: number;
}

async function startAll(requests: Request[], deadline: number): Promise<{ summary: StartRunsSummary; failed: Request[] }> {
  const summary: StartRunsSummary = { started: 0, alreadyStarted: 0, notPending: 0, leftPending: 0, throttled: 0, maxWaitMs: 0 };
  const failed: Request[] = [];
  await mapPool(requests, CONCURRENCY, async (req) => {
    try {
      const attempt = await retryWhileThrottled(
        async () => {
          if (req.intake) await completeIntake(intakeDeps, req.subjectId);
          await bucket.take();
          return startPendingRun(deps, req.workflow, req.subjectId, req.requestedAt);
        },
        { deadline, baseMs: 100, capMs: 5_000, onThrottle: () => summary.throttled++ },
      );
      if (!attempt.done) return void failed.push(req);
      const result = attempt.value;
      if (result.outcome === 'not-pending') summary.notPending++;
      else {
        if (result.outcome === 'started') summary.started++;
        else summary.alreadyStarted++;
        summary.maxWaitMs = Math.max(summary.maxWaitMs, result.waitedMs);
      }
    } catch (err) {
      logger.error('Could not start a pending run (left pending: retried by the stream or the sweeper)', { ...req, error: err as Error });
      failed.push(req);
    }
  });
  summary.leftPending = failed.length;
  return { summary, failed };
}

/** The figures as CloudWatch metrics (embedded metric format, in the structured log line). */
function report(source: 'stream' | 'sweep', summary: StartRunsSummary) {
  // An idle sweep (every minute, nothing pending) is not worth a log line or a data point.
  if (!summary.started && !summary.alreadyStarted && !summary.throttled && !summary.leftPending) return;
  logger.info('run outbox drained', {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: 'SalesFlow',
          Dimensions: [['Source']],
          Metrics: [
            { Name: 'RunsStarted', Unit: 'Count' },
            { Name: 'RunStartsThrottled', Unit: 'Count' },
            { Name: 'RunsLeftPending', Unit: 'Count' },
            { Name: 'RunStartWaitMax', Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    Source: source,
    RunsStarted: summary.started,
    RunStartsThrottled: summary.throttled,
    RunsLeftPending: summary.leftPending,
    RunStartWaitMax: summary.maxWaitMs,
    ...summary,
  });
}

// The intake publishes domain events through the counting publisher: its metrics are flushed per invocation.
export const handler = withMetrics(async (event: unknown, context?: Context) => {
  if (context) logger.addContext(context);
  const deadline = Date.now() + Math.max(1_000, (context?.getRemainingTimeInMillis?.() ?? 60_000) - MARGIN_MS);
  if (isStream(event)) {
    const { summary, failed } = await startAll(requestsFromStream(event.Records), deadline);
    report('stream', summary);
    return { batchItemFailures: failed.filter((f) => f.sequenceNumber).map((f) => ({ itemIdentifier: f.sequenceNumber! })) };
  }
  const { summary } = await startAll(await sweep(event, deadline), deadline);
  report('sweep', summary);
  return summary;
});
