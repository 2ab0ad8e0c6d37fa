/**
 * The discrete-event clock (local/discrete-clock.ts) on the local runtime: virtual time stands still
 * while work is in flight, moves only when driven, and then straight to the next due timer — every kind
 * of Wait, retry pauses and scheduled rules fire exactly at their due time; a Lambda still running or a
 * stream record still unread holds the clock.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../functions/core/clock.js';
import type { DiscreteClock } from '../../local/discrete-clock.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import type { CfnTemplate } from '../../local/template.js';

const START = Date.parse('2031-01-06T09:00:00.000Z');
const FIXED_DATE = '2031-02-01T00:00:00.000Z';
const calls = () => (globalThis as unknown as { __clockFixtureCalls?: Array<{ handler: string; virtualMs: number; realMs: number; detail?: unknown }> }).__clockFixtureCalls ?? [];

const fn = (handler: string) => ({
  Type: 'AWS::Lambda::Function',
  Metadata: { 'SalesFlow:Entry': 'tests/support/fixtures/clock-handlers.ts', 'SalesFlow:Handler': handler },
  Properties: { Timeout: 30, Environment: { Variables: { TABLE_NAME: { Ref: 'Table' } } } },
});
const task = (fnId: string, next: string | undefined, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, 'Payload.$': '$' },
  ResultSelector: { 'result.$': '$.Payload.virtualMs' },
  ...(next ? { Next: next } : { End: true }),
  ...extra,
});
const machine = (definition: Record<string, unknown>) => ({ Type: 'AWS::StepFunctions::StateMachine', Properties: { Definition: definition } });

const template: CfnTemplate = {
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Stamp: fn('stamp'),
    Slow: fn('slow'),
    Flaky: fn('flaky'),
    Write: fn('write'),
    Consume: fn('consume'),
    Tick: fn('tick'),
    Waits: machine({
      StartAt: 'Stamp start',
      States: {
        'Stamp start': task('Stamp', 'Wait 3 days', { ResultPath: '$.start' }),
        'Wait 3 days': { Type: 'Wait', Seconds: 3 * 86_400, Next: 'Stamp after 3 days' },
        'Stamp after 3 days': task('Stamp', 'Wait until due', { ResultPath: '$.afterSeconds' }),
        'Wait until due': { Type: 'Wait', TimestampPath: '$.due', Next: 'Stamp at due' },
        'Stamp at due': task('Stamp', 'Wait the pause', { ResultPath: '$.atDue' }),
        'Wait the pause': { Type: 'Wait', SecondsPath: '$.pause', Next: 'Stamp after pause' },
        'Stamp after pause': task('Stamp', 'Wait until a fixed date', { ResultPath: '$.afterPause' }),
        'Wait until a fixed date': { Type: 'Wait', Timestamp: FIXED_DATE, Next: 'Stamp at fixed date' },
        'Stamp at fixed date': task('Stamp', undefined, { ResultPath: '$.atFixed' }),
      },
    }),
    Retrying: machine({
      StartAt: 'Flaky step',
      States: {
        'Flaky step': task('Flaky', undefined, {
          ResultPath: '$.done',
          Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 3600, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'NONE' }],
        }),
      },
    }),
    RetryingWithATimeout: machine({
      StartAt: 'Flaky step',
      States: {
        'Flaky step': task('Flaky', undefined, {
          ResultPath: '$.done',
          TimeoutSeconds: 1,
          Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 3600, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'NONE' }],
        }),
      },
    }),
    SlowStep: machine({
      StartAt: 'Slow step',
      States: { 'Slow step': { ...task('Slow', undefined), ResultSelector: { 'slow.$': '$.Payload' } } },
    }),
    AfterAMinute: machine({
      StartAt: 'Wait a minute',
      States: {
        'Wait a minute': { Type: 'Wait', Seconds: 60, Next: 'Stamp' },
        Stamp: { ...task('Stamp', undefined), ResultSelector: { 'stamp.$': '$.Payload' } },
      },
    }),
    WriteThenWait: machine({
      StartAt: 'Write an item',
      States: {
        'Write an item': task('Write', 'Wait an hour', { ResultPath: '$.written' }),
        'Wait an hour': { Type: 'Wait', Seconds: 3600, Next: 'Stamp' },
        Stamp: task('Stamp', undefined, { ResultPath: '$.after' }),
      },
    }),
    Mapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
        FunctionName: { Ref: 'Consume' },
        BatchSize: 10,
        StartingPosition: 'TRIM_HORIZON',
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { clockFixture: { S: [{ exists: true }] } } } }) }] },
      },
    },
    Daily: {
      Type: 'AWS::Events::Rule',
      Properties: { ScheduleExpression: 'rate(1 day)', State: 'ENABLED', Targets: [{ Arn: { 'Fn::GetAtt': ['Tick', 'Arn'] }, Id: 'Target0' }] },
    },
  },
};

let stack: LocalStack<DiscreteClock>;
let sfn: SFNClient;
beforeAll(async () => {
  stack = await startLocalStack({
    template,
    clock: 'discrete',
    virtualStartMs: START,
    dynamodb: { endpoint: inject('dynamodbEndpoint') },
    ports: 0,
    tableName: `local-discrete-${Date.now()}`,
    env: { LOG_LEVEL: 'ERROR' },
  });
  sfn = new SFNClient({ endpoint: stack.sfnEndpoint });
});
afterAll(async () => {
  sfn?.destroy();
  await stack?.stop();
});

let runs = 0;
async function start(machineId: string, input: Record<string, unknown> = {}): Promise<string> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: stack.stateMachines[machineId], name: `run-${++runs}`, input: JSON.stringify(input) }));
  return executionArn!;
}
const output = (arn: string) => JSON.parse(stack.executions.describe(arn).output ?? 'null');

describe('the discrete-event clock', () => {
  it('stands still until it is driven, however much wall time passes', async () => {
    const before = stack.clock.nowMs();
    await new Promise((r) => setTimeout(r, 300));
    expect(stack.clock.nowMs()).toBe(before);
    expect(stack.clock.now().getTime()).toBe(START);
  });

  it('ends every kind of Wait exactly at its due time: Seconds, TimestampPath (a due date 5 days out), SecondsPath, Timestamp', async () => {
    const t0 = stack.clock.nowMs();
    const due = t0 + 3 * DAY_MS + 5 * DAY_MS;
    const arn = await start('Waits', { due: new Date(due).toISOString(), pause: 7_200 });
    await stack.clock.runUntil(Date.parse(FIXED_DATE) + HOUR_MS);

    const out = output(arn);
    expect(stack.executions.describe(arn).status).toBe('SUCCEEDED');
    expect(out.start.result).toBe(t0);
    expect(out.afterSeconds.result).toBe(t0 + 3 * DAY_MS);
    expect(out.atDue.result).toBe(due);
    expect(out.afterPause.result).toBe(due + 2 * HOUR_MS);
    expect(out.atFixed.result).toBe(Date.parse(FIXED_DATE));
    // The history shows the stand-ins as the Waits they are.
    const types = stack.executions.history(arn).map((e) => e.type);
    expect(types.filter((t) => t === 'WaitStateEntered')).toHaveLength(4);
    expect(stack.clock.nowMs()).toBe(Date.parse(FIXED_DATE) + HOUR_MS);
    expect(stack.clock.stats().maxLatenessMs).toBe(0);
  });

  it('pauses before each retry for the retrier\'s interval and backoff, in virtual time', async () => {
    const t0 = stack.clock.nowMs();
    const arn = await start('Retrying', { failTimes: 2, key: 'plain' });
    await stack.clock.runUntil(t0 + DAY_MS);
    expect(stack.executions.describe(arn).status).toBe('SUCCEEDED');
    const attempts = calls().filter((c) => c.handler === 'flaky' && c.detail === 'plain').map((c) => c.virtualMs - t0);
    expect(attempts).toEqual([0, HOUR_MS, 3 * HOUR_MS]);
  });

  it('does not count a retry pause against the task\'s timeout, however long it takes in wall time', async () => {
    const t0 = stack.clock.nowMs();
    const arn = await start('RetryingWithATimeout', { failTimes: 1, key: 'timed' });
    // A Lambda busy for 1.5 s holds the clock, so the hour's pause before the retry lasts over the task's 1 s.
    const busy = stack.invoke('Slow', { ms: 1_500 });
    await stack.clock.runUntil(t0 + DAY_MS);
    await busy;
    expect(stack.executions.describe(arn).status).toBe('SUCCEEDED');
    const attempts = calls().filter((c) => c.handler === 'flaky' && c.detail === 'timed').map((c) => c.virtualMs - t0);
    expect(attempts).toEqual([0, HOUR_MS]);
  });

  it('does not move while a Lambda is running: a timer due meanwhile fires only after it returns', async () => {
    const t0 = stack.clock.nowMs();
    const slow = await start('SlowStep', { ms: 800 });
    const minute = await start('AfterAMinute');
    await stack.clock.runUntil(t0 + HOUR_MS);

    const { slow: s } = output(slow);
    const { stamp } = output(minute);
    // The slow handler saw no virtual time pass in its 800 ms, and the one-minute wait, due long before
    // 800 ms of wall time, did not end until the handler had returned.
    expect(s.virtualStart).toBe(t0);
    expect(s.virtualEnd).toBe(t0);
    expect(stamp.realMs).toBeGreaterThanOrEqual(s.realEnd);
    expect(stamp.virtualMs).toBe(t0 + 60_000);
  });

  it('does not move while a Lambda invoked outside any execution runs (as an HTTP route, a stream batch or a rule is)', async () => {
    const t0 = stack.clock.nowMs();
    const invocation = stack.invoke('Slow', { ms: 800 }) as Promise<{ virtualStart: number; virtualEnd: number; realEnd: number }>;
    const minute = await start('AfterAMinute');
    await stack.clock.runUntil(t0 + HOUR_MS);
    const s = await invocation;
    const { stamp } = output(minute);
    expect(s.virtualEnd).toBe(t0);
    expect(stamp.realMs).toBeGreaterThanOrEqual(s.realEnd);
    expect(stamp.virtualMs).toBe(t0 + 60_000);
  });

  it('does not move while the table stream holds unread records: the consumer sees the record at the write\'s time', async () => {
    const t0 = stack.clock.nowMs();
    const arn = await start('WriteThenWait', { id: 'stream-1' });
    await stack.clock.runUntil(t0 + DAY_MS);

    const out = output(arn);
    expect(out.written.result).toBe(t0);
    expect(out.after.result).toBe(t0 + HOUR_MS);
    const consumed = calls().filter((c) => c.handler === 'consume' && c.detail === 'stream-1');
    expect(consumed).toHaveLength(1);
    // Had the clock jumped as soon as the execution parked in its wait, the 50 ms poller would have
    // delivered the record an hour (or more) later in virtual time.
    expect(consumed[0]!.virtualMs).toBe(t0);
  });

  it('answers a drain check from the count of writes while nothing is written, and reads the stream again after a write', async () => {
    await stack.clock.settle();
    const quiet = stack.streams.stats();
    await stack.clock.settle();
    await stack.clock.settle();
    const after = stack.streams.stats();
    // Nothing was written: both checks were answered without asking DynamoDB Local (each mapping counts its own).
    expect(after.drainsWithoutPass).toBeGreaterThanOrEqual(quiet.drainsWithoutPass + 2);

    const t0 = stack.clock.nowMs();
    const arn = await start('WriteThenWait', { id: 'stream-2' });
    await stack.clock.runUntil(t0 + DAY_MS);
    // The write made the next check a real pass, which delivered the record at the write's virtual time.
    expect(stack.streams.stats().passes).toBeGreaterThan(after.passes);
    expect(output(arn).written.result).toBe(t0);
    const consumed = calls().filter((c) => c.handler === 'consume' && c.detail === 'stream-2');
    expect(consumed).toHaveLength(1);
    expect(consumed[0]!.virtualMs).toBe(t0);
  });

  it('fires a scheduled rule on its grid, once a tick, and runUntilIdle stops when only rules are left', async () => {
    const t0 = stack.clock.nowMs();
    const ticksBefore = calls().filter((c) => c.handler === 'tick').length;
    await stack.clock.runUntil(t0 + 3 * DAY_MS + 1);
    const ticks = calls()
      .filter((c) => c.handler === 'tick')
      .slice(ticksBefore)
      .map((c) => c.virtualMs);
    expect(ticks).toHaveLength(3);
    for (const at of ticks) expect((at - START) % DAY_MS).toBe(0);

    const arn = await start('AfterAMinute');
    const idleAt = await stack.clock.runUntilIdle();
    expect(output(arn).stamp.virtualMs).toBe(t0 + 3 * DAY_MS + 1 + 60_000);
    // Nothing but the daily rule remains; the clock stayed at the last one-off timer.
    expect(idleAt.nowMs).toBe(t0 + 3 * DAY_MS + 1 + 60_000);
    expect(stack.clock.nextDueMs()! - START).toBe(Math.ceil((idleAt.nowMs - START) / DAY_MS) * DAY_MS);
  });

  it('counts timers fired and jumps, with no timer ever late', () => {
    const stats = stack.clock.stats();
    expect(stats.timersFired).toBeGreaterThan(10);
    expect(stats.jumps).toBeGreaterThan(5);
    expect(stats.maxLatenessMs).toBe(0);
    expect(stats.inFlight).toBe(0);
  });
});
