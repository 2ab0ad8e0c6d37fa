import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { call, handlerEnv, httpEvent } from './handlers-support.js';

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const ses = mockClient(SESv2Client);
let handler: typeof import('../../functions/http/capture-lead.js').handler;

beforeAll(async () => {
  handlerEnv();
  vi.resetModules();
  ({ handler } = await import('../../functions/http/capture-lead.js'));
});

beforeEach(() => {
  ddb.reset();
  sfn.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
  secrets.reset();
  secrets.on(GetSecretValueCommand, { SecretId: 'api-key-secret' }).resolves({ SecretString: 'the-api-key' });
  secrets.on(GetSecretValueCommand, { SecretId: 'signing-secret' }).resolves({ SecretString: 'signing-key' });
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});

const INTEGRATION = { 'content-type': 'application/json', authorization: 'Bearer the-api-key' };

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  call(handler, httpEvent({ method: 'POST', path: '/leads', body, headers }));

describe('POST /leads', () => {
  it('creates a new lead for an integration (API key) with 201 in one write: the lead with its intake pending (the submission outbox), calling no StartExecution', async () => {
    const res = await post(JSON.stringify({ email: ' Ann@Example.com', firstName: 'Ann', consent: true }), INTEGRATION);
    expect(res.statusCode).toBe(201);
    expect(res.json).toEqual({ leadId: expect.any(String), stage: 'awareness' });
    // One request to DynamoDB: the lead, its email's claim and its first two timeline entries, in one
    // transaction; nothing read first.
    expect(ddb.calls()).toHaveLength(1);
    const put = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(put.map((p) => p.Put!.Item!.type ?? p.Put!.Item!.entity)).toEqual(['lead', 'leadEmail', 'lead_captured', 'consent_recorded']);
    expect(put[0]!.Put!.Item).toMatchObject({
      email: 'ann@example.com',
      firstName: 'Ann',
      consent: { given: true, method: 'integration', ip: '203.0.113.9', textVersion: 'v1' },
      intake: { trusted: true, consent: true, ip: '203.0.113.9', consentTextVersion: 'v1' },
    });
    // The lead item itself asks for its intake (then run 1): it is in the index StartRuns drains.
    expect(put[0]!.Put!.Item).toMatchObject({ run: 1, gsi4pk: 'RUNPENDING#LeadFunnel/intake', gsi4sk: expect.stringMatching(new RegExp(`#${res.json.leadId}$`)) });
    expect(put[0]!.Put!.Item!.startedRun).toBeUndefined();
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('accepts a plain HTML form post and redirects the browser to an allowed thank-you URL', async () => {
    const body = new URLSearchParams({ email: 'bo@example.com', consent: 'on', _hp: '', _redirect: 'https://www.example.com/thanks' });
    const res = await post(body.toString(), { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' });
    expect(res.statusCode).toBe(303);
    expect(res.headers?.location).toBe('https://www.example.com/thanks');
  });

  it('shows a thank-you page instead of redirecting a browser to a foreign site', async () => {
    const body = new URLSearchParams({ email: 'bo@example.com', _redirect: 'https://evil.example/' });
    const res = await post(body.toString(), { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' });
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Thank you');
  });

  it('rejects a bad email with 400 naming the field, and writes nothing', async () => {
    const res = await post(JSON.stringify({ email: 'not-an-email' }));
    expect(res.statusCode).toBe(400);
    expect(res.json.issues).toEqual([expect.objectContaining({ path: 'email' })]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('rejects unknown fields with 400 naming them', async () => {
    const res = await post(JSON.stringify({ email: 'a@example.com', favouriteColour: 'red', _other: 'x' }));
    expect(res.statusCode).toBe(400);
    expect(res.json.issues.map((i: { path: string }) => i.path).sort()).toEqual(['_other', 'favouriteColour']);
  });

  it('rejects bodies over 16 KB with 413 and other content types with 415', async () => {
    expect((await post(JSON.stringify({ email: 'a@example.com', message: 'x'.repeat(17_000) }))).statusCode).toBe(413);
    expect((await post('email=a@example.com', { 'content-type': 'text/plain' })).statusCode).toBe(415);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers an anonymous caller 202 with no lead id, and stores the lead with its opt-in waiting for confirmation', async () => {
    const res = await post(JSON.stringify({ email: 'cy@example.com', consent: true }));
    expect(res.statusCode).toBe(202);
    expect(res.json).toEqual({ status: 'received' });
    const put = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    // The request is stored at once; the confirmation outbox mails it once the intake is done (an erased
    // address is stored suppressed by then, and mailed nothing).
    expect(put[0]!.Put!.Item).toMatchObject({ email: 'cy@example.com', consent: { given: false }, consentRequest: { requestId: expect.any(String) }, intake: { trusted: false, consent: true, doubleOptIn: true } });
  });

  it('refuses a wrong API key with 401 and writes nothing', async () => {
    const res = await post(JSON.stringify({ email: 'dee@example.com' }), { 'content-type': 'application/json', authorization: 'Bearer wrong' });
    expect(res.statusCode).toBe(401);
    expect(res.json).toMatchObject({ error: 'Unauthorized' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 503 with Retry-After when DynamoDB throttles, not 500', async () => {
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } }));
    const res = await post(JSON.stringify({ email: 'eve@example.com' }));
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toMatch(/^\d+$/);
    expect(res.json).toEqual({ error: 'ServiceUnavailable', message: expect.any(String) });
  });

  it('answers a filled honeypot like any anonymous post and stores nothing', async () => {
    const res = await post(JSON.stringify({ email: 'bot@example.com', _hp: 'gotcha' }));
    expect(res.statusCode).toBe(202);
    expect(res.json).toEqual({ status: 'received' });
    expect(ddb.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers 500 with a generic message when the table fails', async () => {
    ddb.on(TransactWriteCommand).rejects(new Error('socket hang up'));
    const res = await post(JSON.stringify({ email: 'a@example.com' }));
    expect(res.statusCode).toBe(500);
    expect(res.json).toEqual({ error: 'InternalError', message: expect.any(String) });
    expect(res.body).not.toContain('socket');
  });
});
