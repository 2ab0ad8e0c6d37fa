/**
 * The read routes and unsubscribing over real HTTP: GET /leads/{leadId}, GET /leads?stage=… with
 * pagination, and GET|POST /unsubscribe with the token from an email that local SES received.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, eventually, timelineTypes, uniqueEmail, type App } from '../support/app.js';

let app: App;
beforeAll(async () => {
  app = await bootApp(1);
});
afterAll(() => app?.stop());

async function get(path: string, key: string | false = app.stack.apiKey) {
  const res = await fetch(`${app.stack.apiUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.text();
  const isJson = /json/.test(res.headers.get('content-type') ?? '');
  return { status: res.status, contentType: res.headers.get('content-type'), body: isJson && text ? JSON.parse(text) : (text as any) };
}

/** The contract's error body from the handlers: `{error, message, issues?}` and nothing else. */
function expectError(answer: { status: number; body: any }, status: number, error: string) {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ error, message: expect.any(String) });
  expect(Object.keys(answer.body).every((k) => ['error', 'message', 'issues'].includes(k))).toBe(true);
}

async function newLead(name: string, extra: Record<string, unknown> = {}) {
  const email = uniqueEmail(name);
  const res = await app.capture({ email, ...extra });
  expect(res.status).toBe(201);
  return { email, leadId: res.body.leadId as string };
}

/** The one-click URL from the List-Unsubscribe header of the first email the address received. */
async function unsubscribeUrl(email: string): Promise<URL> {
  const [mail] = await eventually(async () => {
    const mails = await app.mailTo(email);
    expect(mails.length).toBeGreaterThan(0);
    return mails;
  });
  const header = mail!.headers['list-unsubscribe'];
  expect(header).toMatch(/^<https?:\/\/[^>]+>$/);
  const url = new URL(header!.slice(1, -1));
  expect(url.searchParams.get('token')).toBeTruthy();
  return url;
}
/** The email links to the API's public URL; the request goes to the local API whatever its host. */
const local = (url: URL) => `${url.pathname}${url.search}`;

describe('GET /leads/{leadId}', () => {
  it('answers the profile, stage, score, status, consent and the timeline in order', async () => {
    const { email, leadId } = await newLead('read', { firstName: 'Ada', company: 'Analytical Engines', consent: true });
    await app.event({ eventId: `${leadId}-open`, type: 'email_opened', leadId });
    await app.event({ eventId: `${leadId}-dl`, type: 'content_downloaded', leadId });

    const res = await get(`/leads/${leadId}`);
    expect(res.status).toBe(200);
    const lead = res.body;
    expect(lead).toMatchObject({
      leadId,
      email,
      firstName: 'Ada',
      company: 'Analytical Engines',
      stage: 'awareness',
      status: 'active',
      score: expect.any(Number),
      consent: { given: true, textVersion: 'v1', sourceForm: 'web-form', at: expect.any(String) },
    });
    expect(lead.score).toBeGreaterThan(0);
    expect(lead).not.toHaveProperty('version');

    expect(timelineTypes(lead)).toEqual(expect.arrayContaining(['lead_captured', 'consent_recorded', 'event', 'score_changed']));
    const at = lead.timeline.map((e: { at: string }) => e.at);
    expect(at).toEqual([...at].sort());
    const events = lead.timeline.filter((e: any) => e.type === 'event').map((e: any) => e.data.eventType);
    expect(events).toEqual(['email_opened', 'content_downloaded']);
  });

  it('puts the capture first on a new lead’s timeline, before the consent recorded with it', async () => {
    // Both entries share the capture's timestamp, so their order rests on their ids; five leads
    // make an order left to chance show up on (almost) every run.
    const leads = await Promise.all([1, 2, 3, 4, 5].map((n) => newLead(`order-${n}`, { consent: true })));
    for (const { leadId } of leads) {
      const types = timelineTypes((await get(`/leads/${leadId}`)).body);
      expect(types.slice(0, 2)).toEqual(['lead_captured', 'consent_recorded']);
    }
  });

  it('checks the key before anything else for odd lead ids, then answers 404 (never 500, never a local page)', async () => {
    // node:http sends the path as written (fetch would resolve `..` and `%2e%2e` before sending).
    const asSent = (path: string, key?: string) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = http.request(`${app.stack.apiUrl}/`, { path, headers: key ? { authorization: `Bearer ${key}` } : {} }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : text }));
        });
        req.on('error', reject);
        req.end();
      });
    for (const id of ['%E0%A4%A', '%C0%AF', '..', '%2e%2e', 'LEAD%23x', '%00']) {
      expect((await asSent(`/leads/${id}`)).status).toBe(401);
      expectError(await asSent(`/leads/${id}`, app.stack.apiKey), 404, 'NotFound');
    }
  });

  it('answers 404 for an unknown lead', async () => {
    expectError(await get('/leads/no-such-lead'), 404, 'NotFound');
  });

  it('answers 401 without an API key', async () => {
    const { leadId } = await newLead('nokey');
    const res = await get(`/leads/${leadId}`, false);
    expect(res.status).toBe(401);
    expect(res.body).not.toHaveProperty('email');
  });
});

describe('GET /leads?stage=…', () => {
  it('pages through the leads of a stage with a cursor, each lead once', async () => {
    const created = [await newLead('page-a'), await newLead('page-b'), await newLead('page-c')].map((l) => l.leadId);

    const first = await get('/leads?stage=awareness&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.cursor).toEqual(expect.any(String));

    const seen: string[] = first.body.items.map((l: any) => l.leadId);
    let cursor: string | undefined = first.body.cursor;
    while (cursor) {
      const next = await get(`/leads?stage=awareness&limit=2&cursor=${encodeURIComponent(cursor)}`);
      expect(next.status).toBe(200);
      expect(next.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...next.body.items.map((l: any) => l.leadId));
      cursor = next.body.cursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(created));
    expect(seen.length).toBeGreaterThan(2);
  });

  it('lists only leads of the stage asked for', async () => {
    const { leadId } = await newLead('moved');
    await app.event({ eventId: `${leadId}-demo`, type: 'demo_requested', leadId });
    const awareness = await get('/leads?stage=awareness&limit=100');
    const decision = await get('/leads?stage=decision&limit=100');
    expect(awareness.body.items.map((l: any) => l.leadId)).not.toContain(leadId);
    expect(decision.body.items.map((l: any) => l.leadId)).toContain(leadId);
    expect(decision.body.items.every((l: any) => l.stage === 'decision')).toBe(true);
  });

  it('rejects forged cursors (right key count, wrong names, empty strings, another partition) with 400 naming cursor', async () => {
    const b64 = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const forged = [
      b64({ a: 'x', b: 'y', c: 'z', d: 'w' }),
      b64({ pk: '', sk: '', gsi1pk: 'STAGE#awareness', gsi1sk: '' }),
      b64({ pk: 'LEAD#x', sk: 'PROFILE', gsi1pk: 'STAGE#decision', gsi1sk: '2026#x' }),
      b64({ pk: 'LEAD#x', sk: 'PROFILE', gsi2pk: 'STAGE#awareness', gsi2sk: '2026#x' }),
      b64({ pk: 'REP#x', sk: 'PROFILE', gsi1pk: 'STAGE#awareness', gsi1sk: '2026#x' }),
      b64({ pk: 'LEAD#\ud800', sk: 'PROFILE', gsi1pk: 'STAGE#awareness', gsi1sk: '2026#\ud800' }),
      b64([1, 2, 3, 4]),
      'not base64 !',
    ];
    for (const cursor of forged) {
      const res = await get(`/leads?stage=awareness&cursor=${encodeURIComponent(cursor)}`);
      expectError(res, 400, 'ValidationError');
      expect(res.body.issues.map((i: any) => i.path)).toEqual(['cursor']);
    }
  });

  it('reads limit only as decimal digits: 0x10, 1e1 and 16.0 are 400 naming limit', async () => {
    for (const limit of ['0x10', '1e1', '16.0', ' 16', '0', '101']) {
      const res = await get(`/leads?stage=awareness&limit=${encodeURIComponent(limit)}`);
      expectError(res, 400, 'ValidationError');
      expect(res.body.issues.map((i: any) => i.path)).toEqual(['limit']);
    }
    expect((await get('/leads?stage=awareness&limit=16')).status).toBe(200);
  });

  it('rejects an unknown stage with 400 naming stage', async () => {
    const res = await get('/leads?stage=bargaining');
    expectError(res, 400, 'ValidationError');
    expect(res.body.issues.map((i: any) => i.path)).toContain('stage');
  });
});

describe('GET|POST /unsubscribe', () => {
  it('rejects an invalid token with 400 and changes nothing', async () => {
    const { email, leadId } = await newLead('badtoken', { consent: true });
    const real = await unsubscribeUrl(email);
    // A token for this very lead with one character changed in its signature.
    const token = real.searchParams.get('token')!;
    const forged = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const bad of [forged, 'garbage', '']) {
      const res = await fetch(`${app.stack.apiUrl}/unsubscribe?token=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as any;
      expectError({ status: res.status, body }, 400, 'ValidationError');
      expect(body.issues.map((i: any) => i.path)).toEqual(['token']);
    }
    const lead = await app.lead(leadId);
    expect(lead.suppressed).toBeUndefined();
    expect(timelineTypes(lead)).not.toContain('unsubscribed');
  });

  it('answers the link in a real email (GET) with a confirmation page and unsubscribes nobody, as a mail scanner would follow it', async () => {
    const { email, leadId } = await newLead('unsub-get', { consent: true });
    const url = await unsubscribeUrl(email);
    expect(url.origin).toBe(app.stack.apiUrl);
    for (let i = 0; i < 3; i++) {
      const res = await get(local(url), false);
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/^text\/html/);
      // The button posts back to the same URL (no action attribute): the token travels with it.
      expect(res.body).toMatch(/<form method="post"><button type="submit">Unsubscribe<\/button><\/form>/);
    }
    const lead = await app.lead(leadId);
    expect(lead.suppressed).toBeUndefined();
    expect(timelineTypes(lead)).not.toContain('unsubscribed');
  });

  it('suppresses the lead at once when the person presses the page’s button', async () => {
    const { email, leadId } = await newLead('unsub', { consent: true });
    const url = await unsubscribeUrl(email);
    const res = await fetch(`${app.stack.apiUrl}${local(url)}`, { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/unsubscribed/i);
    const lead = await app.lead(leadId);
    expect(lead.suppressed).toMatchObject({ reason: 'unsubscribed', at: expect.any(String) });
    expect(timelineTypes(lead)).toContain('unsubscribed');
  });

  it('suppresses the lead on an RFC 8058 one-click POST from the mail client', async () => {
    const { email, leadId } = await newLead('oneclick', { consent: true });
    const url = await unsubscribeUrl(email);
    const [mail] = await app.mailTo(email);
    expect(mail!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const res = await fetch(`${app.stack.apiUrl}${local(url)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'unsubscribed' });
    expect((await app.lead(leadId)).suppressed).toMatchObject({ reason: 'unsubscribed' });
  });
});
