/**
 * POST /leads over real HTTP: the local API, the real CaptureLead handler, DynamoDB Local and the
 * local Step Functions runtime — JSON and plain form posts, validation, browsers, consent, CORS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, leadsAt, timelineTypes, uniqueEmail, type App } from '../support/app.js';

let app: App;
beforeAll(async () => {
  app = await bootApp(1);
});
afterAll(() => app?.stop());

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function post(body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${app.stack.apiUrl}/leads`, { method: 'POST', headers, body, redirect: 'manual' });
  const text = await res.text();
  const isJson = /json/.test(res.headers.get('content-type') ?? '');
  return { status: res.status, headers: res.headers, body: isJson && text ? JSON.parse(text) : text };
}
const postJson = (body: Record<string, unknown>) => post(JSON.stringify(body), { 'content-type': 'application/json' });
const postForm = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  post(new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers });

const awarenessLeads = () => leadsAt(app, 'awareness');
const stored = async (email: string) => (await awarenessLeads()).filter((l) => l.email === email.trim().toLowerCase());
const executionsOf = (leadId: string) => app.stack.executions.list().filter((e) => e.name.startsWith(`${leadId}-`));

/** The contract's error body: `{error, message, issues?}` and nothing else. */
function expectError(answer: Answer, status: number, error: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.body).toMatchObject({ error, message: expect.any(String) });
  expect(Object.keys(answer.body).every((k) => ['error', 'message', 'issues'].includes(k))).toBe(true);
  for (const issue of answer.body.issues ?? []) expect(issue).toEqual({ path: expect.any(String), message: expect.any(String) });
}
const issuePaths = (answer: Answer) => (answer.body.issues as Array<{ path: string }>).map((i) => i.path);

describe('POST /leads', () => {
  it('creates a lead from JSON and answers 201 with its id and the awareness stage', async () => {
    const email = uniqueEmail('json');
    const res = await postJson({ email, firstName: 'Ada', company: 'Analytical Engines' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ leadId: expect.any(String), stage: 'awareness' });
    const lead = await app.lead(res.body.leadId);
    expect(lead).toMatchObject({ leadId: res.body.leadId, email, firstName: 'Ada', company: 'Analytical Engines', stage: 'awareness', status: 'active' });
    expect(executionsOf(res.body.leadId).map((e) => e.name)).toEqual([`${res.body.leadId}-r1`]);
  });

  it('accepts a plain HTML form post (application/x-www-form-urlencoded)', async () => {
    const email = uniqueEmail('form');
    const res = await postForm({ email, firstName: 'Grace', jobTitle: 'Rear Admiral', consent: 'on' });
    expect(res.status).toBe(201);
    expect(res.body.stage).toBe('awareness');
    expect(await app.lead(res.body.leadId)).toMatchObject({ email, firstName: 'Grace', jobTitle: 'Rear Admiral', consent: { given: true } });
  });

  it('normalizes the email: trimmed and lower-cased', async () => {
    const local = uniqueEmail('Ada').split('@')[0]!;
    const res = await postJson({ email: `  ${local.toUpperCase()}@Example.COM ` });
    expect(res.status).toBe(201);
    expect((await app.lead(res.body.leadId)).email).toBe(`${local.toLowerCase()}@example.com`);
  });

  it('rejects an unknown field with 400 naming it, and stores nothing', async () => {
    const email = uniqueEmail('unknown');
    const res = await postJson({ email, favouriteColour: 'teal' });
    expectError(res, 400, 'ValidationError');
    expect(issuePaths(res)).toContain('favouriteColour');
    expect(await stored(email)).toEqual([]);
  });

  it('rejects a bad email with 400 naming the email field, and stores nothing', async () => {
    const res = await postForm({ email: 'not-an-email', firstName: 'Nobody' });
    expectError(res, 400, 'ValidationError');
    expect(issuePaths(res)).toEqual(['email']);
    expect((await awarenessLeads()).some((l) => l.firstName === 'Nobody')).toBe(false);
  });

  it('refuses a body over 16 KB with 413, and stores nothing', async () => {
    const email = uniqueEmail('large');
    const res = await postJson({ email, message: 'x'.repeat(17 * 1024) });
    expectError(res, 413, 'PayloadTooLarge');
    expect(await stored(email)).toEqual([]);
  });

  it('refuses other content types such as text/plain with 415, and stores nothing', async () => {
    const email = uniqueEmail('plain');
    const res = await post(`email=${email}`, { 'content-type': 'text/plain' });
    expectError(res, 415, 'UnsupportedMediaType');
    expect(await stored(email)).toEqual([]);
  });

  it('answers a known email with 200 and the same lead, merges new fields, records the submission and starts no second funnel', async () => {
    const email = uniqueEmail('repeat');
    const first = await postJson({ email, firstName: 'Ada' });
    expect(first.status).toBe(201);
    const { leadId } = first.body;

    const again = await postForm({ email: email.toUpperCase(), firstName: '', company: 'Analytical Engines', jobTitle: 'Countess' });
    expect(again.status).toBe(200);
    // A repeat submission is engagement (form_submitted, 10 points): enough for interest.
    expect(again.body).toEqual({ leadId, stage: 'interest' });

    const lead = await app.lead(leadId);
    // Empty fields keep what was known; new non-empty ones are added.
    expect(lead).toMatchObject({ email, firstName: 'Ada', company: 'Analytical Engines', jobTitle: 'Countess', score: 10 });
    expect(timelineTypes(lead)).toContain('form_submitted');

    // The stage change restarted the lead's one funnel at interest; a further submission starts nothing.
    const third = await postJson({ email, phone: '+44 20 7946 0000' });
    expect(third.body).toEqual({ leadId, stage: 'interest' });
    const runs = executionsOf(leadId);
    expect(runs.map((e) => e.name).sort()).toEqual([`${leadId}-r1`, `${leadId}-r2`]);
    expect(runs.filter((e) => e.status === 'RUNNING').map((e) => e.name)).toEqual([`${leadId}-r2`]);
    expect(app.stack.executions.list().filter((e) => e.name.includes(leadId))).toHaveLength(2);
    expect((await app.lead(leadId)).phone).toBe('+44 20 7946 0000');
  });

  it('answers a filled honeypot like a success and stores nothing', async () => {
    const email = uniqueEmail('bot');
    const res = await postForm({ email, firstName: 'Bot', _hp: 'http://spam.example' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ leadId: expect.any(String), stage: 'awareness' });
    expect(await stored(email)).toEqual([]);
    const lookup = await fetch(`${app.stack.apiUrl}/leads/${res.body.leadId}`, { headers: { authorization: `Bearer ${app.stack.apiKey}` } });
    expect(lookup.status).toBe(404);
    expect(executionsOf(res.body.leadId)).toEqual([]);
  });

  it('sends a browser to a relative thank-you path with 303', async () => {
    const res = await postForm({ email: uniqueEmail('browser'), _redirect: '/thank-you' }, { accept: 'text/html,application/xhtml+xml' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/thank-you');
  });

  it('sends a browser to a thank-you URL on an allowed form origin with 303', async () => {
    const [allowed] = (process.env.FORM_ORIGINS ?? '').split(',').filter(Boolean);
    expect(allowed).toBe('https://www.example.com');
    const target = `${allowed}/thanks?from=form`;
    const res = await postForm({ email: uniqueEmail('origin'), _redirect: target }, { accept: 'text/html' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(target);
  });

  it('answers a foreign redirect target with a small thank-you page instead of redirecting', async () => {
    const email = uniqueEmail('foreign');
    const res = await postForm({ email, _redirect: 'https://evil.example/phish' }, { accept: 'text/html' });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.body).toMatch(/Thank you/);
    expect(res.body).not.toContain('evil.example');
    expect(await stored(email)).toHaveLength(1);
  });

  it('records consent: given, the consent text version, the source form, the IP and the time', async () => {
    const before = new Date().toISOString();
    const res = await postForm({ email: uniqueEmail('consent'), consent: 'true', _consentVersion: 'v7-test', _formId: 'pricing-page' });
    const after = new Date().toISOString();
    expect(res.status).toBe(201);
    const lead = await app.lead(res.body.leadId);
    expect(lead.consent).toEqual({ given: true, textVersion: 'v7-test', sourceForm: 'pricing-page', ip: '127.0.0.1', at: expect.any(String) });
    expect(lead.consent.at >= before && lead.consent.at <= after).toBe(true);
    const entry = lead.timeline.find((e: any) => e.type === 'consent_recorded');
    expect(entry.data).toMatchObject({ given: true, textVersion: 'v7-test', sourceForm: 'pricing-page' });
  });

  it('records no consent when the box is not ticked, with the default consent text version', async () => {
    const res = await postJson({ email: uniqueEmail('noconsent') });
    expect((await app.lead(res.body.leadId)).consent).toMatchObject({ given: false, textVersion: 'v1', sourceForm: 'web-form' });
  });

  it('answers CORS preflight from an allowed origin, and not from a foreign one', async () => {
    const preflight = (origin: string) =>
      fetch(`${app.stack.apiUrl}/leads`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight('https://www.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://www.example.com');
    expect(allowed.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const foreign = await preflight('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
