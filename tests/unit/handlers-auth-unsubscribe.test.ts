import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { signUnsubscribeToken } from '../../functions/core/unsubscribe-token.js';
import { keys } from '../../functions/table/keys.js';
import { aLead } from '../fakes/leads.js';
import { call, handlerEnv, httpEvent } from './handlers-support.js';

const ddb = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
let authorizer: typeof import('../../functions/http/authorizer.js').handler;
let unsubscribe: typeof import('../../functions/http/unsubscribe.js').handler;

const T0 = '2026-03-01T09:00:00.000Z';
const lead = aLead({ email: 'ann@example.com', stage: 'interest', score: 12, run: 2, version: 5 });

beforeAll(async () => {
  handlerEnv();
  vi.resetModules();
  ({ handler: authorizer } = await import('../../functions/http/authorizer.js'));
  ({ handler: unsubscribe } = await import('../../functions/http/unsubscribe.js'));
});

beforeEach(() => {
  ddb.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand, { SecretId: 'api-key-secret' }).resolves({ SecretString: 'the-api-key' });
  secrets.on(GetSecretValueCommand, { SecretId: 'signing-secret' }).resolves({ SecretString: 'signing-key' });
  ddb.on(GetCommand).resolves({});
  ddb.on(GetCommand, { Key: keys.lead('lead-1') }).resolves({ Item: { ...keys.lead('lead-1'), ...lead } });
  ddb.on(TransactWriteCommand).resolves({});
});

const authEvent = (headers: Record<string, string>) => ({ routeKey: 'POST /events', headers }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('the API key authorizer', () => {
  it('authorizes the key from Secrets Manager as a Bearer token', async () => {
    expect(await authorizer(authEvent({ authorization: 'Bearer the-api-key' }))).toEqual({ isAuthorized: true });
  });

  it('refuses a wrong, truncated, unprefixed or missing key', async () => {
    for (const headers of [{ authorization: 'Bearer wrong' }, { authorization: 'Bearer the-api-ke' }, { authorization: 'the-api-key' }, {}] as Record<string, string>[])
      expect(await authorizer(authEvent(headers))).toEqual({ isAuthorized: false });
  });
});

describe('GET|POST /unsubscribe', () => {
  const token = signUnsubscribeToken('lead-1', 'signing-key');

  it('answers GET with a confirmation page and writes nothing (mail scanners follow links)', async () => {
    const res = await call(unsubscribe, httpEvent({ path: '/unsubscribe', query: { token } }));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<form method="post">');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('suppresses the lead at once when the page’s button posts, and answers a page', async () => {
    const res = await call(unsubscribe, httpEvent({ method: 'POST', path: '/unsubscribe', query: { token }, headers: { accept: 'text/html' } }));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^text\/html/);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    // One transaction: the person's Contact suppressed, the lead's version and its timeline entry.
    expect(items.map((i) => i.Put!.Item!.entity)).toEqual(['contact', 'lead', 'timeline']);
    expect(items[0]!.Put!.Item).toMatchObject({ email: expect.any(String), suppressed: { reason: 'unsubscribed' } });
    expect(items[1]!.Put!.Item).toMatchObject({ leadId: 'lead-1' });
    expect(items[2]!.Put!.Item).toMatchObject({ type: 'unsubscribed' });
  });

  it('answers an RFC 8058 one-click POST with 200', async () => {
    const res = await call(
      unsubscribe,
      httpEvent({ method: 'POST', path: '/unsubscribe', query: { token }, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    );
    expect(res.statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('changes nothing for a lead that is already unsubscribed', async () => {
    ddb.on(GetCommand, { Key: keys.lead('lead-1') }).resolves({ Item: { ...lead, suppressed: { at: T0, reason: 'unsubscribed' } } });
    expect((await call(unsubscribe, httpEvent({ path: '/unsubscribe', query: { token } }))).statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 400 and changes nothing for a forged or missing token', async () => {
    const forged = signUnsubscribeToken('lead-1', 'someone-elses-key');
    for (const query of [{ token: forged }, {}] as Record<string, string>[]) {
      const res = await call(unsubscribe, httpEvent({ path: '/unsubscribe', query }));
      expect(res.statusCode).toBe(400);
    }
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
