/**
 * POST /events over real HTTP: the API key checked by the real authorizer, the real IngestEvent
 * handler on DynamoDB Local — scoring, duplicates, validation and lookups by id or email.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, uniqueEmail, type App } from '../support/app.js';

let app: App;
beforeAll(async () => {
  app = await bootApp(1);
});
afterAll(() => app?.stop());

async function postEvent(body: unknown, authorization?: string) {
  const res = await fetch(`${app.stack.apiUrl}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as any };
}
const withKey = (body: unknown) => postEvent(body, `Bearer ${app.stack.apiKey}`);

/** The contract's error body from the handlers: `{error, message, issues?}` and nothing else. */
function expectError(answer: { status: number; body: any }, status: number, error: string) {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ error, message: expect.any(String) });
  expect(Object.keys(answer.body).every((k) => ['error', 'message', 'issues'].includes(k))).toBe(true);
}

async function newLead(name: string) {
  const email = uniqueEmail(name);
  const res = await app.capture({ email });
  expect(res.status).toBe(201);
  return { email, leadId: res.body.leadId as string };
}

describe('POST /events', () => {
  it('answers 401 without an API key, and changes nothing', async () => {
    const { leadId } = await newLead('nokey');
    const res = await postEvent({ eventId: 'nokey-1', type: 'demo_requested', leadId });
    expect(res.status).toBe(401);
    // Answered by the gateway before any handler runs (API Gateway HTTP APIs: `{message}` only).
    expect(res.body.message).toEqual(expect.any(String));
    expect(await app.lead(leadId)).toMatchObject({ score: 0, stage: 'awareness' });
  });

  it('answers 403 with a wrong API key, and changes nothing', async () => {
    const { leadId } = await newLead('wrongkey');
    const res = await postEvent({ eventId: 'wrongkey-1', type: 'demo_requested', leadId }, 'Bearer not-the-key');
    expect(res.status).toBe(403);
    expect(res.body.message).toEqual(expect.any(String));
    expect(await app.lead(leadId)).toMatchObject({ score: 0, stage: 'awareness' });
  });

  it('accepts a valid event with 202 and the new score', async () => {
    const { leadId } = await newLead('valid');
    const res = await withKey({ eventId: `${leadId}-open`, type: 'email_opened', leadId });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ leadId, stage: 'awareness', score: expect.any(Number), status: 'active' });
    expect(res.body.score).toBeGreaterThan(0);
    expect((await app.lead(leadId)).score).toBe(res.body.score);
  });

  it('acknowledges a repeated eventId with 200 duplicate and leaves the score unchanged', async () => {
    const { leadId } = await newLead('dup');
    const event = { eventId: `${leadId}-dl`, type: 'content_downloaded', leadId };
    const first = await withKey(event);
    expect(first.status).toBe(202);
    const again = await withKey(event);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'duplicate', leadId });
    const lead = await app.lead(leadId);
    expect(lead.score).toBe(first.body.score);
    expect(lead.timeline.filter((e: any) => e.data?.eventId === event.eventId)).toHaveLength(1);
  });

  it('rejects an unknown event type with 400 naming type', async () => {
    const { leadId } = await newLead('badtype');
    const res = await withKey({ eventId: `${leadId}-x`, type: 'coffee_drunk', leadId });
    expectError(res, 400, 'ValidationError');
    expect(res.body.issues.map((i: any) => i.path)).toContain('type');
    expect((await app.lead(leadId)).score).toBe(0);
  });

  it('answers 404 for an event about an unknown lead', async () => {
    const byId = await withKey({ eventId: 'ghost-1', type: 'email_opened', leadId: 'no-such-lead' });
    expectError(byId, 404, 'NotFound');
    const byEmail = await withKey({ eventId: 'ghost-2', type: 'email_opened', email: uniqueEmail('ghost') });
    expectError(byEmail, 404, 'NotFound');
  });

  it('answers odd-but-valid JSON that DynamoDB cannot store with 400 naming the property, and changes nothing', async () => {
    const { leadId } = await newLead('oddjson');
    const deep = (levels: number): unknown => (levels === 0 ? 'x' : { n: deep(levels - 1) });
    const raw = (properties: string) => `{"eventId":"odd-${Math.random()}","type":"page_viewed","leadId":"${leadId}","properties":${properties}}`;
    const cases: Array<[string, RegExp]> = [
      ['{"big":9007199254740993}', /^properties\.big$/],
      ['{"huge":1e400}', /^properties\.huge$/],
      ['{"tiny":1e-200}', /^properties\.tiny$/],
      ['{"":1}', /^properties$/],
      ['{"a":{"":1}}', /^properties\.a$/],
      [JSON.stringify({ deep: deep(33) }), /^properties\.deep(\.n)+$/],
      ['{"text":"a\\u0000b"}', /^properties\.text$/],
    ];
    for (const [properties, path] of cases) {
      const res = await fetch(`${app.stack.apiUrl}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${app.stack.apiKey}` },
        body: raw(properties),
      });
      const body = (await res.json()) as any;
      expectError({ status: res.status, body }, 400, 'ValidationError');
      expect(body.issues.map((i: any) => i.path)).toEqual([expect.stringMatching(path)]);
    }
    const lead = await app.lead(leadId);
    expect(lead.score).toBe(0);
    expect(lead.timeline.filter((e: any) => e.type === 'event')).toHaveLength(0);
  });

  it('applies 20 concurrent different events for one lead, refusing none, and adds their scores up exactly', async () => {
    const { leadId } = await newLead('contended');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => withKey({ eventId: `${leadId}-open-${i}`, type: 'email_opened', leadId })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    const lead = await app.lead(leadId);
    expect(lead.score).toBe(20); // email_opened is worth 1 point
    expect(lead.timeline.filter((e: any) => e.type === 'event')).toHaveLength(20);
  });

  it('rejects ids and emails that are not plain text with 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ eventId: 'a\u0000b', type: 'email_opened', leadId: 'x' }, 'eventId'],
      [{ eventId: 'ok-1', type: 'email_opened', leadId: 'LEAD#x' }, 'leadId'],
      [{ eventId: 'ok-2', type: 'email_opened', email: `${'a'.repeat(65)}@example.com` }, 'email'],
      [{ eventId: '\u202eevil', type: 'email_opened', leadId: 'x' }, 'eventId'],
    ];
    for (const [body, path] of cases) {
      const res = await withKey(body);
      expectError(res, 400, 'ValidationError');
      expect(res.body.issues.map((i: any) => i.path)).toContain(path);
    }
  });

  it('finds the lead by email, whatever its case', async () => {
    const { email, leadId } = await newLead('byemail');
    const res = await withKey({ eventId: `${leadId}-demo`, type: 'demo_requested', email: email.toUpperCase() });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ leadId, stage: 'decision' });
    expect((await app.lead(leadId)).stage).toBe('decision');
  });
});
