/**
 * SecondsPath/TimestampPath waits on the local runtime: their time is only known at run time, and they
 * still pass on the compressed clock (5 virtual days in about 5 s at a day per second), show in the
 * history as Waits, and pass their input on unchanged.
 */
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { fixtureTemplate } from '../support/fixtures/template.js';

const DAY_PER_SECOND = 86_400;
const DAY_MS = 86_400_000;

let stack: LocalStack;
let sfn: SFNClient;
beforeAll(async () => {
  stack = await startLocalStack({
    template: fixtureTemplate({
      StartAt: 'Wait until due',
      States: {
        'Wait until due': { Type: 'Wait', TimestampPath: '$.due.at', Next: 'Wait the pause' },
        'Wait the pause': { Type: 'Wait', SecondsPath: '$.pause', Next: 'Done' },
        Done: { Type: 'Pass', End: true },
      },
    }),
    timeScale: DAY_PER_SECOND,
    dynamodb: { endpoint: inject('dynamodbEndpoint') },
    ports: 0,
    tableName: `local-sfn-dynamic-${Date.now()}`,
  });
  sfn = new SFNClient({ endpoint: stack.sfnEndpoint });
});
afterAll(async () => {
  sfn?.destroy();
  await stack?.stop();
});

let runs = 0;
async function start(input: Record<string, unknown>): Promise<string> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: stack.stateMachines.Funnel, name: `dyn-${++runs}`, input: JSON.stringify(input) }));
  return executionArn!;
}

describe('dynamic waits on the compressed clock', () => {
  it('waits until a due date 5 virtual days out, then for SecondsPath seconds, and passes the input on unchanged', async () => {
    const dueAt = stack.clock.now().getTime() + 5 * DAY_MS;
    const input = { due: { at: new Date(dueAt).toISOString() }, pause: 86_400, keep: 'me' };
    const arn = await start(input);

    // A virtual day or so in, the run is still in the first wait.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(stack.clock.now().getTime()).toBeLessThan(dueAt);
    expect(stack.executions.describe(arn).status).toBe('RUNNING');

    const record = await stack.executions.waitForStatus(arn, 'SUCCEEDED', { timeoutMs: 60_000 });
    // Past the due date, and past the day of pause after it.
    expect(stack.clock.now().getTime()).toBeGreaterThanOrEqual(dueAt + DAY_MS);
    expect(JSON.parse(record.output!)).toEqual(input);
    const types = record.history.map((e) => e.type);
    expect(types.filter((t) => t === 'WaitStateEntered')).toHaveLength(2);
    expect(types.filter((t) => t === 'WaitStateExited')).toHaveLength(2);
    expect(types.some((t) => t.startsWith('Task'))).toBe(false);
  });

  it('passes a due date already behind the clock at once', async () => {
    const arn = await start({ due: { at: new Date(stack.clock.now().getTime() - DAY_MS).toISOString() }, pause: 0 });
    const record = await stack.executions.waitForStatus(arn, 'SUCCEEDED', { timeoutMs: 10_000 });
    expect(record.status).toBe('SUCCEEDED');
  });

  it('fails the execution with States.Runtime when the timestamp is not one', async () => {
    const arn = await start({ due: { at: 'next tuesday' }, pause: 0 });
    const record = await stack.executions.waitForStatus(arn, 'FAILED', { timeoutMs: 10_000 });
    expect(record.error).toBe('States.Runtime');
    expect(record.cause).toMatch(/TimestampPath \$\.due\.at is not an ISO-8601 timestamp/);
  });

  it('ends ABORTED at once when stopped in a dynamic wait, leaving no timer behind', async () => {
    const arn = await start({ due: { at: new Date(stack.clock.now().getTime() + 365 * DAY_MS).toISOString() }, pause: 0 });
    await new Promise((r) => setTimeout(r, 200));
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
    const record = await stack.executions.waitForStatus(arn, 'ABORTED', { timeoutMs: 10_000 });
    await record.done;
    expect(record.history.map((e) => e.type)).toContain('WaitStateEntered');
  });
});
