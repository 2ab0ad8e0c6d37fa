import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { fixtureTemplate } from '../support/fixtures/template.js';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    template: fixtureTemplate(),
    dynamodb: { endpoint: inject('dynamodbEndpoint') },
    ports: 0,
    tableName: `local-api-${Date.now()}`,
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('the local HTTP API', () => {
  it('builds a payload 2.0 event from the request and maps the result back', async () => {
    const res = await fetch(`${stack.apiUrl}/things/abc%20d?x=1&x=2&y=3`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'fixture-agent', Cookie: 'a=1; b=2' },
      body: JSON.stringify({ hello: 'there' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-fixture')).toBe('yes');
    expect(res.headers.get('set-cookie')).toBe('seen=1; Path=/');
    const event = (await res.json()) as any;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /things/{thingId}',
      rawPath: '/things/abc%20d',
      rawQueryString: 'x=1&x=2&y=3',
      queryStringParameters: { x: '1,2', y: '3' },
      pathParameters: { thingId: 'abc d' },
      cookies: ['a=1', 'b=2'],
      body: '{"hello":"there"}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/things/abc%20d', sourceIp: '127.0.0.1', userAgent: 'fixture-agent' }, routeKey: 'POST /things/{thingId}' },
    });
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.headers.cookie).toBeUndefined();
    expect(typeof event.requestContext.requestId).toBe('string');
  });

  it('base64-encodes a binary request body', async () => {
    const res = await fetch(`${stack.apiUrl}/things/bin`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([0, 1, 2]) });
    const event = (await res.json()) as any;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, 'base64')).toEqual(Buffer.from([0, 1, 2]));
  });

  it('answers a result without statusCode as 200 JSON, and decodes base64 results', async () => {
    const plain = await fetch(`${stack.apiUrl}/plain`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(await plain.json()).toEqual({ hello: 'world' });
    const binary = await fetch(`${stack.apiUrl}/binary`);
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from([137, 80, 78, 71]));
  });

  it('answers an unknown route with 404 Not Found', async () => {
    const res = await fetch(`${stack.apiUrl}/nowhere`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found' });
  });

  it('refuses a body over 10 MB with 413', async () => {
    const res = await fetch(`${stack.apiUrl}/things/big`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(res.status).toBe(413);
  });

  it('runs the authorizer: 401 without the identity header, 403 when refused, 200 with its context', async () => {
    const missing = await fetch(`${stack.apiUrl}/private/1`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    const refused = await fetch(`${stack.apiUrl}/private/1`, { headers: { authorization: 'Bearer bad-key' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: 'Forbidden' });
    const allowed = await fetch(`${stack.apiUrl}/private/1`, { headers: { authorization: 'Bearer good-key' } });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as any).requestContext.authorizer).toEqual({ lambda: { caller: 'fixture' } });
  });

  it('answers CORS preflight from the API configuration and adds the origin to responses', async () => {
    const preflight = await fetch(`${stack.apiUrl}/things/1`, {
      method: 'OPTIONS',
      headers: { origin: 'https://www.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://www.example.com');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    const other = await fetch(`${stack.apiUrl}/things/1`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const post = await fetch(`${stack.apiUrl}/things/1`, { method: 'POST', headers: { origin: 'https://www.example.com' }, body: '{}' });
    expect(post.headers.get('access-control-allow-origin')).toBe('https://www.example.com');
  });

  it('serves the sample form and the local pages', async () => {
    const form = await (await fetch(`${stack.apiUrl}/`)).text();
    expect(form).toContain('action="/leads"');
    expect(form).toContain('name="_hp"');
    expect((await fetch(`${stack.apiUrl}/thank-you`)).status).toBe(200);
    expect(await (await fetch(`${stack.apiUrl}/_local/events`)).json()).toEqual([]);
  });

  it('resolves function environments into the process, pointing at the local stand-ins', () => {
    expect(process.env.TABLE_NAME).toBe(stack.tableName);
    expect(process.env.FUNNEL_STATE_MACHINE_ARN).toBe(stack.stateMachines.Funnel);
    expect(process.env.AWS_ENDPOINT_URL_SFN).toBe(stack.sfnEndpoint);
    expect(process.env.PUBLIC_BASE_URL).toBe(stack.apiUrl);
  });
});
