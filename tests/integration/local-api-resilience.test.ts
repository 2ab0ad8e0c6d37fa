/**
 * No request may stop the local HTTP API: a handler result Node refuses to write (a '€' or CR/LF in a
 * header value, an invalid header name or status) is that request's 500, malformed HTTP is a 400,
 * and the next request is answered as usual.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FunctionRuntime } from '../../local/functions.js';
import { startApiServer } from '../../local/api/server.js';
import type { LocalRoute } from '../../local/api/routes.js';

const results: Record<string, unknown> = {
  'fn-location': { statusCode: 303, headers: { location: '/thank-you€' }, body: '' },
  'fn-crlf': { statusCode: 200, headers: { 'x-note': 'a\r\nset-cookie: evil=1' }, body: 'hi' },
  'fn-name': { statusCode: 200, headers: { 'bad name': 'x' }, body: 'hi' },
  'fn-status': { statusCode: 1234, body: 'hi' },
  'fn-ok': { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
  'fn-echo': (event: any) => ({ statusCode: 200, body: JSON.stringify(event.pathParameters) }),
};
const functions = {
  invoke: async (arn: string, event: unknown) => {
    const result = results[arn];
    return typeof result === 'function' ? result(event) : result;
  },
} as unknown as FunctionRuntime;

const route = (path: string, fn: string, paramNames: string[] = []): LocalRoute => ({
  routeKey: `GET ${path}`,
  method: 'GET',
  pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
  paramNames,
  functionArn: fn,
});

let api: Awaited<ReturnType<typeof startApiServer>>;
const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);

beforeAll(async () => {
  api = await startApiServer({
    model: {
      routes: [
        route('/location', 'fn-location'),
        route('/crlf', 'fn-crlf'),
        route('/name', 'fn-name'),
        route('/status', 'fn-status'),
        route('/ok', 'fn-ok'),
        route('/leads/{leadId}', 'fn-echo', ['leadId']),
      ],
    },
    functions,
    port: 0,
    localPages: {},
  });
});
afterAll(async () => {
  await api?.close();
  errors.mockRestore();
});

/** Sends raw bytes and reads until the server closes the connection. */
const raw = (request: string) =>
  new Promise<string>((resolve, reject) => {
    const socket = net.connect({ port: api.port, host: '127.0.0.1' }, () => socket.write(request));
    let answer = '';
    socket.on('data', (b) => (answer += b.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });

describe('the local HTTP API under requests that used to stop it', () => {
  it.each([
    ['a non-Latin-1 character in a header value', '/location'],
    ['CR/LF in a header value', '/crlf'],
    ['an invalid header name', '/name'],
    ['an invalid status code', '/status'],
  ])('answers a handler result with %s as 500 and goes on serving', async (_, path) => {
    errors.mockClear();
    const res = await fetch(`${api.url}${path}`, { redirect: 'manual' });
    expect(res.status).toBe(500);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.json()).toEqual({ message: 'Internal Server Error' });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]![0])).not.toContain('\n');

    const next = await fetch(`${api.url}/ok`);
    expect(next.status).toBe(200);
    expect(await next.json()).toEqual({ ok: true });
  });

  it('hands a path parameter that is not valid percent-encoded UTF-8 to its route as it came, instead of failing', async () => {
    const res = await fetch(`${api.url}/leads/%E0%A4%A`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ leadId: '%E0%A4%A' });
    const decoded = await fetch(`${api.url}/leads/a%20b`);
    expect(await decoded.json()).toEqual({ leadId: 'a b' });
  });

  it('answers malformed HTTP with 400, closes that connection, and goes on serving', async () => {
    const answer = await raw('GET /ok HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain('{"message":"Bad Request"}');
    expect((await fetch(`${api.url}/ok`)).status).toBe(200);
  });
});
