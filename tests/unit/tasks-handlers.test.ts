import { PutEventsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Lead } from '../../functions/core/model.js';
import { verifyUnsubscribeToken } from '../../functions/core/unsubscribe-token.js';

// Handlers read configuration at import (cold start), so the environment is set first.
Object.assign(process.env, {
  TABLE_NAME: 'sales-flow-test',
  SENDER_ADDRESS: 'hello@brightline.example',
  POSTAL_ADDRESS: '1 Harbour Street, Bristol',
  PUBLIC_BASE_URL: 'https://api.example.test/',
  SIGNING_SECRET_ID: 'signing-secret',
  MANAGER_EMAIL: 'manager@brightline.example',
  EVENT_BUS_NAME: 'sales-flow-bus',
  SES_CONFIGURATION_SET: 'sales-flow',
});
const { handler: sendEmail } = await import('../../functions/tasks/send-email.js');
const { handler: assignRep } = await import('../../functions/tasks/assign-rep.js');
const { handler: checkRepContact } = await import('../../functions/tasks/check-rep-contact.js');
const { handler: setLeadStatus } = await import('../../functions/tasks/set-lead-status.js');
const { handler: recordFailure } = await import('../../functions/tasks/record-failure.js');

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const secrets = mockClient(SecretsManagerClient);
const events = mockClient(EventBridgeClient);

const lead: Lead = {
  leadId: 'lead-1',
  email: 'ada@example.com',
  firstName: 'Ada',
  stage: 'decision',
  status: 'active',
  score: 70,
  run: 2,
  consent: { given: true, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 4,
};
const rep = {
  repId: 'rep-1',
  name: 'Grace',
  email: 'grace@brightline.example',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  certification: { certifiedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z', cycle: 1 },
};

beforeEach(() => {
  for (const m of [ddb, ses, secrets, events]) m.reset();
  ddb.on(GetCommand).resolves({ Item: { pk: 'LEAD#lead-1', sk: 'PROFILE', ...lead } });
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
  ddb.on(UpdateCommand).resolves({ Attributes: { turn: 1 } });
  ddb.on(QueryCommand).resolves({ Items: [] });
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'signing-key' });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
});

const sendPayload = { leadId: 'lead-1', run: 2, stage: 'decision', stepId: 'proposal', template: 'decision-proposal', category: 'marketing' };

describe('the SendEmail task', () => {
  it('claims the step and sends through SES with one-click unsubscribe headers and the configuration set', async () => {
    expect(await sendEmail(sendPayload)).toEqual({ outcome: 'sent' });
    const [claim] = ddb.commandCalls(TransactWriteCommand);
    expect(claim!.args[0].input.TransactItems!.map((i) => i.Put?.Item?.sk)).toContain('SEND#decision#proposal');
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FromEmailAddress: 'hello@brightline.example', Destination: { ToAddresses: ['ada@example.com'] }, ConfigurationSetName: 'sales-flow' });
    const headers = Object.fromEntries(input.Content!.Simple!.Headers!.map((h) => [h.Name, h.Value]));
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const token = new URL(headers['List-Unsubscribe']!.slice(1, -1)).searchParams.get('token')!;
    expect(verifyUnsubscribeToken(token, 'signing-key')).toBe('lead-1');
    // Two UpdateItems: a slot of the send-rate ceiling before the claim, the ledger marked sent after SES.
    const [slot, marked] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(slot).toMatchObject({ ConditionExpression: 'attribute_not_exists(sends) OR sends < :ceiling', ExpressionAttributeValues: { ':ceiling': 10 } });
    expect(marked!.ExpressionAttributeValues).toMatchObject({ ':messageId': 'ses-1' });
  });

  it('fails with SendThrottled and claims nothing when the send-rate ceiling is reached this second', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    await expect(sendEmail(sendPayload)).rejects.toMatchObject({ name: 'SendThrottled' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    // The handler's ceiling now remembers this second as full (as it should, for the rest of it): the next
    // tests start in a fresh second, or their sends would wait it out and could fail with SendThrottled.
    await new Promise((resolve) => setTimeout(resolve, 1_005 - (Date.now() % 1_000)));
  });

  it('gives the claim back and fails with SendThrottled when SES is over its sending rate', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } }));
    await expect(sendEmail(sendPayload)).rejects.toMatchObject({ name: 'SendThrottled' });
    const [claim, release] = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    const sent = claim!.find((i) => i.Put?.Item?.type === 'email_sent')!.Put!.Item!;
    // The ledger key and the claim's own "sent" entry go, and no entry is added: a throttle may repeat often.
    expect(release!.map((i) => (i.Delete ? `delete ${i.Delete.Key!.sk}` : `put ${i.Put!.Item!.sk}`))).toEqual(['delete SEND#decision#proposal', `delete ${sent.sk}`]);
  });

  it('fails with SupersededError for a task of an older run, sending nothing', async () => {
    await expect(sendEmail({ ...sendPayload, run: 1 })).rejects.toMatchObject({ name: 'SupersededError' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('rejects a payload that is not a send step', async () => {
    await expect(sendEmail({ ...sendPayload, category: 'spam' })).rejects.toThrow();
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('the AssignRep task', () => {
  it('assigns the active rep, emails them and publishes LeadAssigned on the bus', async () => {
    ddb.on(QueryCommand, { IndexName: 'gsi1' }).resolves({ Items: [{ pk: 'REP#rep-1', sk: 'PROFILE', ...rep }] });
    expect(await assignRep({ leadId: 'lead-1', run: 2, reason: 'decision' })).toEqual({ assigned: true, repId: 'rep-1', next: 'watch-sla' });
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Destination).toEqual({ ToAddresses: ['grace@brightline.example'] });
    const entry = events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ Source: 'sales-flow', DetailType: 'LeadAssigned', EventBusName: 'sales-flow-bus' });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ id: 'LeadAssigned#lead-1#assign#2#0#rep-1', repId: 'rep-1' });
  });

  it('queues the lead and tells the manager when no rep is active', async () => {
    expect(await assignRep({ leadId: 'lead-1', run: 2, reason: 'decision' })).toEqual({ assigned: false, next: 'queue' });
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Destination).toEqual({ ToAddresses: ['manager@brightline.example'] });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});

describe('the CheckRepContact task', () => {
  it('answers contacted when rep_contacted came after the assignment', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...lead, ownerId: 'rep-1', assignedAt: '2026-03-01T00:00:00.000Z', contactedAt: '2026-03-01T05:00:00.000Z' } });
    expect(await checkRepContact({ leadId: 'lead-1', run: 2 })).toEqual({ contacted: true });
  });

  it('logs with the context of the Lambda that invoked it', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...lead, ownerId: 'rep-1', assignedAt: '2026-03-01T00:00:00.000Z' } });
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    const context = { functionName: 'CheckRepContact', awsRequestId: 'req-42', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:CheckRepContact', memoryLimitInMB: '512' } as unknown as Context;
    try {
      expect(await checkRepContact({ leadId: 'lead-1', run: 2 }, context)).toEqual({ contacted: false });
    } finally {
      spy.mockRestore();
    }
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.message === 'rep contact checked');
    expect(logged).toMatchObject({ function_name: 'CheckRepContact', function_request_id: 'req-42' });
  });
});

describe('the SetLeadStatus task', () => {
  it('closes the lead as dormant and publishes LeadClosed', async () => {
    expect(await setLeadStatus({ leadId: 'lead-1', run: 2, status: 'dormant' })).toEqual({ status: 'dormant' });
    const saved = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Put!.Item!;
    expect(saved).toMatchObject({ status: 'dormant', closedReason: 'dormant' });
    expect(events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]).toMatchObject({ DetailType: 'LeadClosed' });
  });

  it('marks the lead recycled without publishing anything', async () => {
    expect(await setLeadStatus({ leadId: 'lead-1', run: 2, status: 'recycled' })).toEqual({ status: 'recycled' });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});

describe('the RecordFailure task', () => {
  it('records the failure on the timeline even when the lead cannot be read', async () => {
    ddb.on(GetCommand).resolves({});
    const cause = JSON.stringify({ errorMessage: 'SES throttled' });
    expect(await recordFailure({ leadId: 'lead-1', run: 2, error: 'Lambda.TooManyRequestsException', cause })).toEqual({ recorded: true });
    const item = Object.values(ddb.commandCalls(BatchWriteCommand)[0]!.args[0].input.RequestItems!)[0]![0]!.PutRequest!.Item!;
    expect(item).toMatchObject({ type: 'workflow_failed', data: { error: 'Lambda.TooManyRequestsException', cause } });
  });
});
