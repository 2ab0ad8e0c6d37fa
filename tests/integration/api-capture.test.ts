/**
 * POST /leads over real HTTP: the local API, the real CaptureLead handler, DynamoDB Local and the
 * local Step Functions runtime — JSON and plain form posts, validation, browsers, consent, CORS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, eventually, leadsAt, timelineTypes, uniqueEmail, type App } from '../support/app.js';

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
/** As an integration would post: with the API key. */
const postJson = (body: Record<string, unknown>) =>
  post(JSON.stringify(body), { 'content-type': 'application/json', authorization: `Bearer ${app.stack.apiKey}` });
/** As a browser's form would post: anonymous. */
const postForm = (fields: Record<string, string> | string, headers: Record<string, string> = {}) =>
  post(typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
const postAnonymousJson = (body: Record<string, unknown>) => post(JSON.stringify(body), { 'content-type': 'application/json' });
const RECEIVED = { status: 'received' };

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
    // The run outbox starts it (StartRuns, from the table stream) right after the answer.
    await eventually(() => expect(executionsOf(res.body.leadId).map((e) => e.name)).toEqual([`${res.body.leadId}-r1`]));
  });

  it('accepts an anonymous plain HTML form post (application/x-www-form-urlencoded) with 202 and no lead id', async () => {
    const email = uniqueEmail('form');
    const res = await postForm({ email, firstName: 'Grace', jobTitle: 'Rear Admiral' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual(RECEIVED);
    const [lead] = await stored(email);
    expect(lead).toMatchObject({ email, firstName: 'Grace', jobTitle: 'Rear Admiral', consent: { given: false } });
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

  it('rejects a repeated form field with 400 naming it, and stores neither value', async () => {
    const [a, b] = [uniqueEmail('twice-a'), uniqueEmail('twice-b')];
    const res = await postForm(`email=${encodeURIComponent(a)}&email=${encodeURIComponent(b)}&firstName=Twice`);
    expectError(res, 400, 'ValidationError');
    expect(issuePaths(res)).toEqual(['email']);
    expect(await stored(a)).toEqual([]);
    expect(await stored(b)).toEqual([]);
  });

  it('rejects a 65-character local part, and NUL or bidi-override characters, with 400 naming the field', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ email: `${'a'.repeat(65)}@example.com` }, 'email'],
      [{ email: uniqueEmail('nul'), firstName: 'Ann\u0000ie' }, 'firstName'],
      [{ email: uniqueEmail('bidi'), company: 'Acme \u202Egnp.exe' }, 'company'],
      [{ email: uniqueEmail('isolate'), lastName: 'x\u2067y' }, 'lastName'],
      [{ email: uniqueEmail('newline'), firstName: 'Ann\r\nBcc: x@y.z' }, 'firstName'],
    ];
    for (const [fields, path] of cases) {
      const res = await postForm(fields);
      expectError(res, 400, 'ValidationError');
      expect(issuePaths(res)).toEqual([path]);
      expect(await stored(fields.email!)).toEqual([]);
    }
    // A 64-character local part is fine, and a message may have line breaks.
    const ok = await postForm({ email: `${'b'.repeat(56)}${uniqueEmail('x').slice(0, 8)}@example.com`, message: 'line one\nline two' });
    expect(ok.status).toBe(202);
  });

  it('refuses a wrong API key with 401, and stores nothing', async () => {
    const email = uniqueEmail('wrongkey');
    const res = await post(JSON.stringify({ email }), { 'content-type': 'application/json', authorization: 'Bearer not-the-key' });
    expectError(res, 401, 'Unauthorized');
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

    const again = await postJson({ email: email.toUpperCase(), firstName: '', company: 'Analytical Engines', jobTitle: 'Countess' });
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
    await eventually(() => expect(executionsOf(leadId).filter((e) => e.status === 'RUNNING').map((e) => e.name)).toEqual([`${leadId}-r2`]));
    await app.stack.streams.idle();
    // Run 1 exists only if the run outbox started it before the stage change (it starts the lead's run
    // as it is then); either way run 2 is the one funnel, and nothing started a third.
    expect(executionsOf(leadId).map((e) => e.name).filter((n) => n !== `${leadId}-r1`)).toEqual([`${leadId}-r2`]);
    expect((await app.lead(leadId)).phone).toBe('+44 20 7946 0000');
  });

  it('gives an anonymous caller the same answer for a new and a known email, and never a lead id', async () => {
    const known = uniqueEmail('known');
    await postJson({ email: known, firstName: 'Kim' });
    const answers = [
      await postForm({ email: uniqueEmail('unknown'), firstName: 'Kim' }),
      await postForm({ email: known, firstName: 'Kim' }),
      await postAnonymousJson({ email: uniqueEmail('unknown-json') }),
      await postAnonymousJson({ email: known, company: 'Other' }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual(RECEIVED);
    }
    // Browsers get the same page or redirect whoever they are.
    const pages = [await postForm({ email: uniqueEmail('page') }, { accept: 'text/html' }), await postForm({ email: known }, { accept: 'text/html' })];
    expect(pages.map((p) => [p.status, p.body])).toEqual([pages[0]!, pages[0]!].map((p) => [p.status, p.body]));
  });

  it('never lets an anonymous caller overwrite a known person: empty fields are filled, differing values go on the timeline, consent waits for confirmation, and forms score once a day', async () => {
    const email = uniqueEmail('victim');
    const created = await postJson({ email, firstName: 'Vera', company: 'Victim Co', phone: '+1 555 0100', consent: false });
    const { leadId } = created.body;
    for (let i = 0; i < 7; i++) {
      const res = await postForm({ email, firstName: `Mallory ${i}`, company: 'Evil Inc', phone: '+1 555 0199', jobTitle: 'CEO', consent: 'on' });
      expect(res.status).toBe(202);
    }
    const lead = await app.lead(leadId);
    expect(lead).toMatchObject({ firstName: 'Vera', company: 'Victim Co', phone: '+1 555 0100', jobTitle: 'CEO', score: 10, stage: 'interest' });
    expect(lead.consent.given).toBe(false);
    expect(lead.consentRequest).toMatchObject({ requestId: expect.any(String), at: expect.any(String) });
    expect(lead.ownerId).toBeUndefined();
    const submitted = lead.timeline.filter((e: any) => e.type === 'profile_change_submitted');
    expect(submitted.length).toBeGreaterThanOrEqual(1);
    expect(submitted[0].data.submitted).toMatchObject({ firstName: 'Mallory 0', company: 'Evil Inc', phone: '+1 555 0199' });
    // One confirmation email only, however often the form was posted.
    const confirmations = (await app.mailTo(email)).filter((m) => /Please confirm/.test(m.subject));
    expect(confirmations).toHaveLength(1);
  });

  it('takes an anonymous opt-in only once the person confirms it by the emailed link (GET shows a page, POST confirms), and a withdrawal at once', async () => {
    const email = uniqueEmail('doi');
    expect((await postForm({ email, firstName: 'Dora', consent: 'on', _formId: 'newsletter' })).status).toBe(202);
    const [lead] = await stored(email);
    expect(lead.consent).toMatchObject({ given: false });

    const [mail] = await eventually(async () => {
      const mails = (await app.mailTo(email)).filter((m) => /Please confirm/.test(m.subject));
      expect(mails).toHaveLength(1);
      return mails;
    });
    const link = new URL(/https?:\/\/\S+\/consent\/confirm\?token=[A-Za-z0-9._%-]+/.exec(mail!.text)![0]);
    const path = `${link.pathname}${link.search}`;
    // A mail scanner's GET changes nothing.
    const page = await fetch(`${app.stack.apiUrl}${path}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<form method="post">/);
    expect((await app.lead(lead.leadId)).consent.given).toBe(false);

    const confirmed = await fetch(`${app.stack.apiUrl}${path}`, { method: 'POST', headers: { accept: 'text/html' } });
    expect(confirmed.status).toBe(200);
    const after = await app.lead(lead.leadId);
    expect(after.consent).toMatchObject({
      given: true,
      method: 'double-opt-in',
      sourceForm: 'newsletter',
      requestedAt: expect.any(String),
      confirmedAt: expect.any(String),
    });
    expect(after.consentRequest).toBeUndefined();
    expect(timelineTypes(after)).toEqual(expect.arrayContaining(['consent_requested', 'consent_confirmed']));
    // A forged token is refused and changes nothing.
    const forged = await fetch(`${app.stack.apiUrl}/consent/confirm?token=${encodeURIComponent(link.searchParams.get('token')!.slice(0, -2) + 'xx')}`, { method: 'POST' });
    expect(forged.status).toBe(400);

    // Withdrawing takes effect at once, even anonymously.
    expect((await postForm({ email, consent: 'off' })).status).toBe(202);
    const withdrawn = await app.lead(lead.leadId);
    expect(withdrawn.consent).toMatchObject({ given: false, withdrawnAt: expect.any(String) });
    expect(timelineTypes(withdrawn)).toContain('consent_withdrawn');
  });

  it('answers a filled honeypot like a success and stores nothing', async () => {
    const email = uniqueEmail('bot');
    const res = await postForm({ email, firstName: 'Bot', _hp: 'http://spam.example' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual(RECEIVED);
    expect(await stored(email)).toEqual([]);
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

  it('encodes a redirect path with non-ASCII or line-break characters instead of failing, and keeps serving', async () => {
    for (const [target, location] of [
      ['/thank-you€', '/thank-you%E2%82%AC'],
      ['/thank-you\r\nSet-Cookie: x=1', '/thank-youSet-Cookie:%20x=1'],
      ['/thanks\n', '/thanks'],
    ]) {
      const res = await postForm({ email: uniqueEmail('euro'), _redirect: target! }, { accept: 'text/html' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(location);
    }
    expect((await postForm({ email: uniqueEmail('after') })).status).toBe(202);
  });

  it('never redirects to another host however the path is disguised (tab, backslash, protocol-relative)', async () => {
    for (const target of ['/\t/evil.com', '//evil.com', '/\\evil.com', '\\\\evil.com', 'javascript:alert(1)', 'https://www.example.com.evil.com/', 'https://same-origin.invalid/x']) {
      const res = await postForm({ email: uniqueEmail('disguised'), _redirect: target }, { accept: 'text/html' });
      expect(res.status).toBe(200);
      expect(res.headers.get('location')).toBeNull();
      expect(res.body).toMatch(/Thank you/);
    }
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

  it('records the consent an integration collected: given, the consent text version, the source form, the IP and the time', async () => {
    const before = new Date().toISOString();
    const res = await postJson({ email: uniqueEmail('consent'), consent: 'true', _consentVersion: 'v7-test', _formId: 'pricing-page' });
    const after = new Date().toISOString();
    expect(res.status).toBe(201);
    const lead = await app.lead(res.body.leadId);
    expect(lead.consent).toEqual({ given: true, method: 'integration', textVersion: 'v7-test', sourceForm: 'pricing-page', ip: '127.0.0.1', at: expect.any(String) });
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
