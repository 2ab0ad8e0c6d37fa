import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Lead } from '../../functions/core/model.js';
import { keys } from '../../functions/table/keys.js';
import { call, handlerEnv, httpEvent, STATE_MACHINE_ARN } from './handlers-support.js';

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const bus = mockClient(EventBridgeClient);
let handler: typeof import('../../functions/http/ingest-event.js').handler;

const lead: Lead = {
  leadId: 'lead-1',
  email: 'ann@example.com',
  stage: 'awareness',
  status: 'active',
  score: 8,
  run: 1,
  consent: { given: true, textVersion: 'v1', at: '2026-03-01T09:00:00.000Z', sourceForm: 'web-form' },
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-01T09:00:00.000Z',
  version: 3,
};

beforeAll(async () => {
  handlerEnv();
  vi.resetModules();
  ({ handler } = await import('../../functions/http/ingest-event.js'));
});

beforeEach(() => {
  ddb.reset();
  sfn.reset();
  bus.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(GetCommand, { Key: keys.lead('lead-1') }).resolves({ Item: { ...keys.lead('lead-1'), ...lead } });
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
  sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
  bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
});

const post = (body: unknown) =>
  call(handler, httpEvent({ method: 'POST', path: '/events', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }));

describe('POST /events', () => {
  it('applies an event that moves the lead on: saves run 2 (queued in the run outbox by that write), stops run 1, publishes the change', async () => {
    const res = await post({ eventId: 'evt-1', type: 'email_clicked', leadId: 'lead-1' });
    expect(res.statusCode).toBe(202);
    expect(res.json).toEqual({ leadId: 'lead-1', stage: 'interest', score: 11, status: 'active' });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Put).toMatchObject({ ConditionExpression: '#version = :expected', ExpressionAttributeValues: { ':expected': 3 } });
    expect(items[0]!.Put!.Item).toMatchObject({ run: 2, version: 4, gsi1pk: 'STAGE#interest', gsi4pk: 'RUNPENDING#LeadFunnel' });
    expect(items.at(-1)!.Put!.Item).toMatchObject({ ...keys.processedEvent('evt-1'), expiresAt: expect.any(Number) });
    expect(sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input.executionArn).toBe(
      'arn:aws:states:us-east-1:123456789012:execution:LeadFunnel:lead-1-r1',
    );
    // StartRuns starts run 2 from the table stream; the request never calls StartExecution.
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(bus.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]).toMatchObject({ DetailType: 'LeadStageChanged' });
  });

  it('acknowledges a repeated eventId with 200 duplicate, changing nothing and starting nothing', async () => {
    ddb.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      const last = input.TransactItems!.length - 1;
      throw new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: input.TransactItems!.map((_, i) => ({ Code: i === last ? 'ConditionalCheckFailed' : 'None' })),
      });
    });
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    const res = await post({ eventId: 'evt-1', type: 'email_opened', leadId: 'lead-1' });
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ status: 'duplicate', leadId: 'lead-1' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('answers 404 for an unknown lead', async () => {
    const res = await post({ eventId: 'evt-2', type: 'email_opened', email: 'nobody@example.com' });
    expect(res.statusCode).toBe(404);
    expect(res.json.error).toBe('NotFound');
  });

  it('rejects an unknown type and a missing or doubled identifier with 400', async () => {
    expect((await post({ eventId: 'e', type: 'email_exploded', leadId: 'lead-1' })).json.issues[0].path).toBe('type');
    expect((await post({ eventId: 'e', type: 'email_opened' })).statusCode).toBe(400);
    expect((await post({ eventId: 'e', type: 'email_opened', leadId: 'lead-1', email: 'a@example.com' })).statusCode).toBe(400);
    expect((await post({ eventId: '', type: 'email_opened', leadId: 'lead-1' })).json.issues[0].path).toBe('eventId');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('rejects a form post with 415: webhooks send JSON', async () => {
    const res = await call(
      handler,
      httpEvent({ method: 'POST', path: '/events', body: 'eventId=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    );
    expect(res.statusCode).toBe(415);
  });
});
