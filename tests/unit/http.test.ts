import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, TooManyRequestsError, ValidationError } from '../../functions/core/errors.js';
import { allowedRedirect } from '../../functions/shared/html.js';
import { errorResponse, parseBody, wantsHtml } from '../../functions/shared/http.js';
import * as z from '../../functions/shared/schema.js';

const event = (body: string | undefined, headers: Record<string, string> = {}, isBase64Encoded = false) =>
  ({ body, headers, isBase64Encoded }) as unknown as APIGatewayProxyEventV2;

describe('parsing request bodies', () => {
  it('parses JSON, with or without a charset', () => {
    expect(parseBody(event('{"a":1}', { 'content-type': 'application/json; charset=utf-8' }), 'json')).toEqual({ a: 1 });
  });

  it('parses a form post where the route accepts forms', () => {
    const body = parseBody(event('email=a%40b.com&consent=on', { 'Content-Type': 'application/x-www-form-urlencoded' }), 'json-or-form');
    expect(body).toEqual({ email: 'a@b.com', consent: 'on' });
  });

  it('decodes base64 bodies from API Gateway', () => {
    const b64 = Buffer.from('{"x":"y"}').toString('base64');
    expect(parseBody(event(b64, { 'content-type': 'application/json' }, true), 'json')).toEqual({ x: 'y' });
  });

  it('refuses form posts on JSON-only routes and other content types with 415', () => {
    const form = event('a=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(errorResponse(catching(() => parseBody(form, 'json'))).statusCode).toBe(415);
    expect(errorResponse(catching(() => parseBody(event('x', { 'content-type': 'text/plain' }), 'json-or-form'))).statusCode).toBe(415);
  });

  it('refuses bodies over 16 KB with 413', () => {
    const big = event(JSON.stringify({ m: 'x'.repeat(16 * 1024) }), { 'content-type': 'application/json' });
    expect(errorResponse(catching(() => parseBody(big, 'json'))).statusCode).toBe(413);
  });

  it('answers invalid JSON with a 400', () => {
    expect(errorResponse(catching(() => parseBody(event('{nope', { 'content-type': 'application/json' }), 'json'))).statusCode).toBe(400);
  });

  it('treats an empty body as an empty object', () => {
    expect(parseBody(event(undefined), 'json')).toEqual({});
  });
});

describe('mapping errors to responses', () => {
  it('turns zod issues into a 400 naming each field, unknown fields included', () => {
    const err = catching(() => z.strictObject({ email: z.email() }).parse({ email: 'nope', color: 'red' }));
    const res = errorResponse(err);
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body!);
    expect(body.error).toBe('ValidationError');
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['color', 'email']);
  });

  it('maps domain errors through the one status table', () => {
    expect(errorResponse(new ValidationError('bad', [{ path: 'x', message: 'y' }]))).toMatchObject({ statusCode: 400 });
    expect(errorResponse(new NotFoundError('gone'))).toMatchObject({ statusCode: 404 });
    expect(errorResponse(new ConflictError('busy'))).toMatchObject({ statusCode: 409 });
    expect(errorResponse(new TooManyRequestsError('slow down'))).toMatchObject({ statusCode: 429 });
    expect(JSON.parse(errorResponse(new NotFoundError('gone')).body!)).toEqual({ error: 'NotFound', message: 'gone' });
  });

  it('hides the detail of an unknown error behind a generic 500', () => {
    const res = errorResponse(new Error('password=hunter2 at db.ts:12'));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
  });
});

describe('browser form posts', () => {
  it('recognizes a browser by its Accept header', () => {
    expect(wantsHtml(event(undefined, { accept: 'text/html,application/xhtml+xml;q=0.9' }))).toBe(true);
    expect(wantsHtml(event(undefined, { accept: 'application/json' }))).toBe(false);
  });

  it('redirects only to relative paths and allowed form origins', () => {
    const origins = ['https://www.example.com'];
    expect(allowedRedirect('/thanks', origins)).toBe('/thanks');
    expect(allowedRedirect('https://www.example.com/thanks?x=1', origins)).toBe('https://www.example.com/thanks?x=1');
    expect(allowedRedirect('https://evil.example/thanks', origins)).toBeUndefined();
    expect(allowedRedirect('//evil.example/thanks', origins)).toBeUndefined();
    expect(allowedRedirect('javascript:alert(1)', origins)).toBeUndefined();
  });
});

function catching(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
