import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { fixtureTemplate } from '../support/fixtures/template.js';

let stack: LocalStack;
let sfn: SFNClient;
let machine: string;

beforeAll(async () => {
  stack = await startLocalStack({
    template: fixtureTemplate(),
    timeScale: 86_400,
    dynamodb: { endpoint: inject('dynamodbEndpoint') },
    ports: 0,
    tableName: `local-sfn-${Date.now()}`,
  });
  sfn = new SFNClient({ endpoint: stack.sfnEndpoint });
  machine = stack.stateMachines.Funnel!;
});
afterAll(async () => {
  sfn?.destroy();
  await stack?.stop();
});

describe('the local Step Functions endpoint', () => {
  it('runs an execution through a day-long wait on the compressed clock, with AWS-like history', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'run-1', input: JSON.stringify({ step: 1 }) }));
    await stack.executions.waitForStatus(executionArn!, 'SUCCEEDED');
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output!);
    expect(output.first.result).toMatchObject({ ok: true, step: 1, env: 'in-us-east-1' });
    expect(output.second.result).toMatchObject({ ok: true, step: 2 });
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = events!.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types.indexOf('WaitStateEntered')).toBeGreaterThan(types.indexOf('TaskSucceeded'));
    expect(types.filter((t) => t === 'TaskSucceeded')).toHaveLength(2);
  });

  it('passes the execution name in the context object', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'named-run', input: '{}' }));
    const record = await stack.executions.waitForStatus(executionArn!, 'SUCCEEDED');
    expect(JSON.parse(record.output!).second.result.step).toBe(2);
    const scheduled = record.history.filter((e) => e.type === 'TaskScheduled').at(-1) as any;
    expect(JSON.parse(scheduled.taskScheduledEventDetails.parameters).Payload.execution).toBe('named-run');
  });

  it('refuses a second execution with the same name', async () => {
    await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'dup', input: '{}' }));
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'dup', input: '{}' }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('stops a running execution, which ends ABORTED', async () => {
    const slow = await startLocalStack({
      template: fixtureTemplate(),
      timeScale: 1,
      dynamodb: { endpoint: inject('dynamodbEndpoint') },
      ports: 0,
      tableName: `local-sfn-stop-${Date.now()}`,
    });
    const client = new SFNClient({ endpoint: slow.sfnEndpoint });
    try {
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: slow.stateMachines.Funnel, name: 'to-stop', input: '{}' }));
      await new Promise<void>((resolve, reject) => {
        const t = setInterval(() => {
          if (slow.executions.history(executionArn!).some((e) => e.type === 'WaitStateEntered')) resolve(clearInterval(t));
        }, 10);
        setTimeout(() => reject(new Error('never reached the wait')), 20_000);
      });
      await client.send(new StopExecutionCommand({ executionArn }));
      const record = await slow.executions.waitForStatus(executionArn!, 'ABORTED');
      expect(record.history.at(-1)?.type).toBe('ExecutionAborted');
      const { executions } = await client.send(new ListExecutionsCommand({ stateMachineArn: slow.stateMachines.Funnel, statusFilter: 'ABORTED' }));
      expect(executions?.map((e) => e.name)).toEqual(['to-stop']);
    } finally {
      client.destroy();
      await slow.stop();
    }
  });

  it('retries a task whose response was lost, running the handler again', async () => {
    stack.faults.failNext('Step', { after: true, errorName: 'Lambda.ServiceException' });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'lost-response', input: '{}' }));
    const record = await stack.executions.waitForStatus(executionArn!, 'SUCCEEDED');
    const types = record.history.map((e) => e.type);
    expect(types.filter((t) => t === 'TaskFailed')).toHaveLength(1);
    expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(3);
  });

  it('catches a handler error by its name', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'superseded', input: JSON.stringify({ fail: 'SupersededError' }) }));
    const record = await stack.executions.waitForStatus(executionArn!, 'SUCCEEDED');
    expect(record.history.map((e) => e.type)).toContain('SucceedStateEntered');
    const failing = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'broken', input: JSON.stringify({ fail: 'TypeError' }) }));
    const failed = await stack.executions.waitForStatus(failing.executionArn!, 'FAILED');
    expect(failed.error).toBe('StepFailed');
  });
});

describe('definitions the local runtime cannot run faithfully', () => {
  const start = (definition: Record<string, unknown>) =>
    startLocalStack({ template: fixtureTemplate(definition), dynamodb: { endpoint: inject('dynamodbEndpoint') }, ports: 0, tableName: `local-sfn-bad-${Date.now()}` });

  it('refuses JSONata, naming the state', async () => {
    await expect(start({ StartAt: 'X', States: { X: { Type: 'Pass', QueryLanguage: 'JSONata', End: true } } })).rejects.toThrow(/state "X" uses QueryLanguage "JSONata"/);
  });

  it('refuses a Task with no local handler', async () => {
    await expect(start({ StartAt: 'Put', States: { Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', End: true } } })).rejects.toThrow(/Task "Put" uses resource/);
  });

  it('refuses a SecondsPath wait whose path is more than a plain field path', async () => {
    await expect(start({ StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s[0]', End: true } } })).rejects.toThrow(/Wait state "W" uses SecondsPath "\$\.s\[0\]"/);
  });
});
