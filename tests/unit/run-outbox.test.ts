/**
 * The run outbox's core (functions/core/run-outbox.ts) and the pacing StartRuns uses
 * (functions/shared/pacing.ts), with fakes: which subjects are pending, what a start records, what a
 * throttled start leaves behind. The real thing (stream, sweeper, DynamoDB Local, Step Functions
 * throttling) is tests/integration/run-outbox.test.ts and tests/workflows/burst.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Lead, Rep, SubjectTimelineEntry, TimelineEntry, WorkflowName } from '../../functions/core/model.js';
import type { StartOutcome, WorkflowInputs, WorkflowRuns } from '../../functions/core/ports.js';
import { NOTABLE_WAIT_MS, runPending, startPendingRun, type RunOutboxStore, type RunSubjects } from '../../functions/core/run-outbox.js';
import { TokenBucket, fullJitterMs, isThrottled, mapPool, retryWhileThrottled } from '../../functions/shared/pacing.js';
import { keys } from '../../functions/table/keys.js';
import { matchesPattern } from '../../local/streams.js';
import { aLead } from '../fakes/leads.js';
import { sequentialIds } from '../fakes/index.js';

const T0 = new Date('2026-03-02T10:00:00Z');

class FakeOutbox implements RunOutboxStore {
  subjects = new Map<string, Lead | Rep>();
  timeline: Array<{ workflow: WorkflowName; subjectId: string; entry: TimelineEntry | SubjectTimelineEntry }> = [];
  async load<W extends WorkflowName>(_workflow: W, id: string) {
    return structuredClone(this.subjects.get(id)) as RunSubjects[W] | undefined;
  }
  async pending() {
    return [];
  }
  async pendingIntakes() {
    return [];
  }
  async markStarted(_workflow: WorkflowName, id: string, run: number) {
    const s = this.subjects.get(id);
    if (s && s.run === run) this.subjects.set(id, { ...s, startedRun: run } as Lead | Rep);
  }
  async appendTimeline(workflow: WorkflowName, subjectId: string, entry: TimelineEntry | SubjectTimelineEntry) {
    this.timeline.push({ workflow, subjectId, entry });
  }
}

class FakeRuns implements WorkflowRuns {
  started: Array<{ workflow: WorkflowName; subjectId: string; input: unknown }> = [];
  throttleNext = 0;
  async startRun<W extends WorkflowName>(workflow: W, subjectId: string, input: WorkflowInputs[W]): Promise<StartOutcome> {
    if (this.throttleNext-- > 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    if (this.started.some((s) => s.subjectId === subjectId && (s.input as { run: number }).run === input.run)) return 'already-exists';
    this.started.push({ workflow, subjectId, input });
    return 'started';
  }
  async stopRun() {}
  programmeVersion = () => 3;
}

const setup = (now = T0) => {
  const outbox = new FakeOutbox();
  const runs = new FakeRuns();
  return { outbox, runs, deps: { outbox, runs, clock: { now: () => now }, ids: sequentialIds() } };
};

describe('which subjects are in the run outbox', () => {
  it('holds an active or won lead whose current run is not known started, and nothing closed', () => {
    expect(runPending('LeadFunnel', aLead({ run: 1 }))).toBe(true);
    expect(runPending('LeadFunnel', aLead({ run: 2, startedRun: 1 }))).toBe(true);
    expect(runPending('LeadFunnel', aLead({ run: 2, startedRun: 2 }))).toBe(false);
    expect(runPending('LeadFunnel', aLead({ status: 'won', run: 3, startedRun: 2 }))).toBe(true);
    for (const status of ['lost', 'disqualified', 'dormant', 'recycled'] as const) expect(runPending('LeadFunnel', aLead({ status, run: 2 })), status).toBe(false);
  });

  it('holds a rep on a run that is not inactive, and never a seeded rep without a run', () => {
    const rep: Rep = { repId: 'r1', name: 'R', email: 'r@x.example', status: 'onboarding', createdAt: T0.toISOString(), run: 1 };
    expect(runPending('RepOnboarding', rep)).toBe(true);
    expect(runPending('RepOnboarding', { ...rep, startedRun: 1 })).toBe(false);
    expect(runPending('RepOnboarding', { ...rep, status: 'inactive' })).toBe(false);
    expect(runPending('RepOnboarding', { ...rep, run: undefined })).toBe(false);
  });

  it('puts exactly the pending ones in the sparse index, sorted by when their run was asked for', () => {
    const pending = keys.leadIndexes(aLead({ leadId: 'L1', run: 2, startedRun: 1, updatedAt: '2026-03-02T10:00:00.000Z' }));
    expect(pending).toMatchObject({ gsi4pk: 'RUNPENDING#LeadFunnel', gsi4sk: '2026-03-02T10:00:00.000Z#L1' });
    expect(keys.leadIndexes(aLead({ run: 2, startedRun: 2 }))).toMatchObject({ gsi4pk: undefined, gsi4sk: undefined });
    expect(keys.workflowOfPendingPartition(pending.gsi4pk)).toBe('LeadFunnel');
    expect(keys.workflowOfPendingPartition('STAGE#awareness')).toBeUndefined();
  });
});

describe('starting a pending run', () => {
  it('starts the run the subject is on now, records it once on its timeline with the programme version, and takes it out of the outbox', async () => {
    const { outbox, runs, deps } = setup();
    outbox.subjects.set('L1', aLead({ leadId: 'L1', run: 2, startedRun: 1, stage: 'interest' }));
    const result = await startPendingRun(deps, 'LeadFunnel', 'L1', T0.toISOString());
    expect(result).toEqual({ outcome: 'started', run: 2, waitedMs: 0 });
    expect(runs.started).toEqual([{ workflow: 'LeadFunnel', subjectId: 'L1', input: { leadId: 'L1', run: 2, stage: 'interest' } }]);
    expect(outbox.timeline.map((t) => t.entry)).toEqual([
      expect.objectContaining({ type: 'workflow_started', summary: 'Funnel run 2 started at interest (programme version 3)', data: expect.objectContaining({ run: 2, version: 3 }) }),
    ]);
    expect(runPending('LeadFunnel', outbox.subjects.get('L1') as Lead)).toBe(false);
    // A second attempt (a stream retry, the sweeper) finds nothing to do.
    expect(await startPendingRun(deps, 'LeadFunnel', 'L1', T0.toISOString())).toEqual({ outcome: 'not-pending' });
    expect(runs.started).toHaveLength(1);
  });

  it('marks a run another attempt already started without a second timeline line', async () => {
    const { outbox, runs, deps } = setup();
    outbox.subjects.set('L1', aLead({ leadId: 'L1', run: 1 }));
    runs.started.push({ workflow: 'LeadFunnel', subjectId: 'L1', input: { leadId: 'L1', run: 1, stage: 'awareness' } });
    expect(await startPendingRun(deps, 'LeadFunnel', 'L1', T0.toISOString())).toMatchObject({ outcome: 'already-exists', run: 1 });
    expect(outbox.timeline).toEqual([]);
    expect((outbox.subjects.get('L1') as Lead).startedRun).toBe(1);
  });

  it('leaves a throttled start pending and unrecorded, for the next attempt', async () => {
    const { outbox, runs, deps } = setup();
    outbox.subjects.set('L1', aLead({ leadId: 'L1', run: 1 }));
    runs.throttleNext = 1;
    await expect(startPendingRun(deps, 'LeadFunnel', 'L1', T0.toISOString())).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(outbox.timeline).toEqual([]);
    expect(runPending('LeadFunnel', outbox.subjects.get('L1') as Lead)).toBe(true);
    expect(await startPendingRun(deps, 'LeadFunnel', 'L1', T0.toISOString())).toMatchObject({ outcome: 'started' });
  });

  it('says on the timeline when a run waited more than a minute for capacity, in real time whatever the clock scale', async () => {
    const later = new Date(T0.getTime() + 5 * 60_000);
    const { outbox, deps } = setup(later);
    outbox.subjects.set('L1', aLead({ leadId: 'L1', run: 1 }));
    const result = await startPendingRun(deps, 'LeadFunnel', 'L1', T0.toISOString());
    expect(result).toMatchObject({ waitedMs: 300_000 });
    expect(outbox.timeline[0]!.entry).toMatchObject({ summary: expect.stringContaining('after waiting 300 s for Step Functions capacity'), data: expect.objectContaining({ waitedMs: 300_000 }) });

    // At ×3600 the same five virtual minutes are a twelfth of a real second: not worth a line.
    const scaled = setup(later);
    scaled.outbox.subjects.set('L2', aLead({ leadId: 'L2', run: 1 }));
    expect(await startPendingRun({ ...scaled.deps, timeScale: 3600 }, 'LeadFunnel', 'L2', T0.toISOString())).toMatchObject({ waitedMs: 83 });
    expect(scaled.outbox.timeline[0]!.entry.summary).not.toContain('waiting');
    expect(83).toBeLessThan(NOTABLE_WAIT_MS);
  });

  it('skips a subject that no longer wants a run (closed since it was asked for) and an unknown one', async () => {
    const { outbox, runs, deps } = setup();
    outbox.subjects.set('L1', aLead({ leadId: 'L1', run: 2, status: 'lost' }));
    expect(await startPendingRun(deps, 'LeadFunnel', 'L1', T0.toISOString())).toEqual({ outcome: 'not-pending' });
    expect(await startPendingRun(deps, 'LeadFunnel', 'nobody', T0.toISOString())).toEqual({ outcome: 'not-pending' });
    expect(runs.started).toEqual([]);
  });

  it('starts a rep’s onboarding run the same way', async () => {
    const { outbox, runs, deps } = setup();
    outbox.subjects.set('R1', { repId: 'R1', name: 'R', email: 'r@x.example', status: 'onboarding', createdAt: T0.toISOString(), run: 4, programmeVersion: 2 });
    expect(await startPendingRun(deps, 'RepOnboarding', 'R1', T0.toISOString())).toMatchObject({ outcome: 'started', run: 4 });
    expect(runs.started).toEqual([{ workflow: 'RepOnboarding', subjectId: 'R1', input: { repId: 'R1', run: 4 } }]);
    expect(outbox.timeline[0]!.entry).toMatchObject({ type: 'workflow_started', summary: 'Onboarding run 4 started (programme version 2)' });
  });
});

describe('pacing', () => {
  it('lets a full bucket through at once, then one call per 1/rate seconds', async () => {
    let now = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket(10, 3, () => now, async (ms) => {
      waits.push(ms);
      now += ms;
    });
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(waits).toEqual([100, 100]);
    expect(now).toBe(200);
  });

  it('backs off with full jitter: a random delay below min(cap, base × 2^attempt)', () => {
    expect(fullJitterMs(0, 100, 5000, () => 0.999)).toBe(99);
    expect(fullJitterMs(3, 100, 5000, () => 0.5)).toBe(400);
    expect(fullJitterMs(20, 100, 5000, () => 0.999)).toBe(4995);
    expect(fullJitterMs(5, 100, 5000, () => 0)).toBe(0);
  });

  it('knows a throttle when it sees one', () => {
    expect(isThrottled(Object.assign(new Error('x'), { name: 'ThrottlingException' }))).toBe(true);
    expect(isThrottled(Object.assign(new Error('x'), { name: 'X', $metadata: { httpStatusCode: 429 } }))).toBe(true);
    expect(isThrottled(Object.assign(new Error('x'), { name: 'ExecutionAlreadyExists' }))).toBe(false);
    expect(isThrottled(undefined)).toBe(false);
  });

  it('retries a throttled call until it succeeds, gives up when the deadline comes, and throws anything else', async () => {
    const throttle = () => Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    let calls = 0;
    let throttles = 0;
    const ok = await retryWhileThrottled(
      async () => {
        if (++calls < 3) throw throttle();
        return 'sent';
      },
      { deadline: Date.now() + 5_000, baseMs: 1, capMs: 2, onThrottle: () => throttles++ },
    );
    expect(ok).toEqual({ done: true, value: 'sent' });
    expect([calls, throttles]).toEqual([3, 2]);
    expect(await retryWhileThrottled(async () => Promise.reject(throttle()), { deadline: Date.now() + 30, baseMs: 1, capMs: 2 })).toEqual({ done: false });
    await expect(retryWhileThrottled(async () => Promise.reject(new Error('broken')), { deadline: Date.now() + 5_000, baseMs: 1, capMs: 2 })).rejects.toThrow('broken');
  });

  it('runs a pool with at most `limit` in flight and finishes them all', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await mapPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      done.push(n);
      inFlight--;
    });
    expect(most).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('the local event source mapping’s filter', () => {
  const pattern = { dynamodb: { NewImage: { gsi4pk: { S: [{ prefix: 'RUNPENDING#' }] } } } };
  const record = (image: Record<string, unknown>) => ({ eventName: 'MODIFY', dynamodb: { NewImage: image } });

  it('delivers pending-run records and drops the rest, as Lambda event filtering does', () => {
    expect(matchesPattern(pattern, record({ gsi4pk: { S: 'RUNPENDING#LeadFunnel' } }))).toBe(true);
    expect(matchesPattern(pattern, record({ gsi4pk: { S: 'STAGE#awareness' } }))).toBe(false);
    expect(matchesPattern(pattern, record({ pk: { S: 'LEAD#1' } }))).toBe(false);
    expect(matchesPattern(pattern, { eventName: 'REMOVE', dynamodb: {} })).toBe(false);
  });

  it('understands exact values, exists and anything-but', () => {
    expect(matchesPattern({ eventName: ['INSERT', 'MODIFY'] }, { eventName: 'INSERT' })).toBe(true);
    expect(matchesPattern({ eventName: ['INSERT'] }, { eventName: 'REMOVE' })).toBe(false);
    expect(matchesPattern({ dynamodb: { NewImage: { x: [{ exists: false }] } } }, record({}))).toBe(true);
    expect(matchesPattern({ dynamodb: { NewImage: { x: [{ exists: true }] } } }, record({}))).toBe(false);
    expect(matchesPattern({ eventName: [{ 'anything-but': ['REMOVE'] }] }, { eventName: 'INSERT' })).toBe(true);
  });
});
