/**
 * The customer routes over real HTTP (real handlers, DynamoDB Local): a customer made the way
 * integrations make one — a lead captured with the API key, then its `purchased` event — read back
 * with its term, status and timeline; 404 for an unknown customer, 400 naming a malformed id. The
 * survey's score links: GET shows the page and records nothing, POST records one answer per survey,
 * a forged token gets a page that names nobody. POST /customers: a customer won outside the funnel,
 * made once per email (a new lead, or the person's own), with the field at fault named and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSurveyToken } from '../../functions/core/nps-token.js';
import { adminGet, bootApp, eventually, uniqueEmail, type App } from '../support/app.js';
import { post } from '../support/reps.js';

const signingKey = `test-signing-${Math.random().toString(36).slice(2)}`;
let app: App;
beforeAll(async () => {
  app = await bootApp(1, { signingKey });
});
afterAll(() => app?.stop());

/** The contract's error body: `{error, message, issues?}`; a 400 names the field. */
function expectError(answer: { status: number; body: any }, status: number, field?: string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  if (field) expect(answer.body.issues.map((i: any) => i.path)).toContain(field);
}

/** A lead captured with consent and bought: answers its customer id (`cus-<leadId>`). */
async function newCustomer(name: string): Promise<string> {
  const captured = await app.capture({ email: uniqueEmail(name), firstName: name, consent: true });
  expect(captured.status).toBe(201);
  const leadId = captured.body.leadId as string;
  const bought = await app.event({ eventId: `${leadId}-buy`, type: 'purchased', leadId, properties: { plan: 'Growth', termMonths: 12 } });
  expect(bought.status, JSON.stringify(bought.body)).toBe(202);
  return `cus-${leadId}`;
}

describe('GET /customers/{customerId}', () => {
  it('answers the profile with its plan, term, status and timeline, without storage-only fields', async () => {
    const customerId = await newCustomer('grace');
    const res = await adminGet(app, `/customers/${customerId}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.customer).toMatchObject({ customerId, status: 'active', plan: 'Growth', term: { number: 1, termMonths: 12 }, nps: [], npsScore: null, npsByMonth: [], referrals: [], tasks: [] });
    for (const internal of ['version', 'run', 'startedRun', 'signals', 'retention', 'pk', 'sk']) expect(res.body.customer).not.toHaveProperty(internal);
    expect(Array.isArray(res.body.timeline) && Array.isArray(res.body.ledger)).toBe(true);
    // The retention run started by the purchase writes the customer's timeline.
    await eventually(async () => expect((await adminGet(app, `/customers/${customerId}`)).body.timeline.length).toBeGreaterThan(0));
  });

  it('answers 404 for an unknown customer and 400 naming customerId for a malformed one', async () => {
    expectError(await adminGet(app, '/customers/cus-nobody'), 404);
    expectError(await adminGet(app, `/customers/${encodeURIComponent('bad id!')}`), 400, 'customerId');
  });
});

const page = async (method: 'GET' | 'POST', path: string, form?: Record<string, string>) => {
  const res = await fetch(`${app.stack.apiUrl}${path}`, {
    method,
    headers: { accept: 'text/html', ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};
const customer = async (customerId: string) => (await adminGet(app, `/customers/${customerId}`)).body.customer;

describe('GET|POST /nps (the survey links)', () => {
  it('shows the page on GET with the score chosen and records nothing; POST records the answer once', async () => {
    const customerId = await newCustomer('nps');
    const token = signSurveyToken(customerId, 't1#nps', signingKey);
    const shown = await page('GET', `/nps?token=${encodeURIComponent(token)}&score=9`);
    expect(shown.status).toBe(200);
    expect(shown.type).toMatch(/text\/html/);
    expect(shown.text).toContain('value="9" required checked');
    expect((await customer(customerId)).nps).toEqual([]);

    const answered = await page('POST', '/nps', { token, score: '9', comment: 'Great support' });
    expect(answered.status).toBe(200);
    expect(answered.text).toContain('Thank you');
    const after = await customer(customerId);
    expect(after.nps).toMatchObject([{ score: 9, comment: 'Great support', surveyId: 't1#nps', source: 'link' }]);
    expect(after.npsScore).toBe(100);

    const again = await page('POST', '/nps', { token, score: '2' });
    expect(again.status).toBe(200);
    expect(again.text).toContain('Thank you');
    expect((await customer(customerId)).nps).toHaveLength(1);
  });

  it('answers a forged or missing token, or a bad score, with a 400 page that names nobody', async () => {
    const customerId = await newCustomer('forged');
    const forged = signSurveyToken(customerId, 't1#nps', 'not-the-key');
    for (const res of [await page('GET', `/nps?token=${encodeURIComponent(forged)}&score=9`), await page('GET', '/nps'), await page('POST', '/nps', { token: forged, score: '9' })]) {
      expect(res.status).toBe(400);
      expect(res.text).toContain('This link is not valid');
      expect(res.text).not.toContain(customerId);
    }
    // A caller that asks for no page (a scanner, a script) gets the API's error, naming only the field.
    const scripted = await fetch(`${app.stack.apiUrl}/nps?token=${encodeURIComponent(forged)}`);
    expectError({ status: scripted.status, body: await scripted.json() }, 400, 'token');
    const badScore = await page('POST', '/nps', { token: signSurveyToken(customerId, 't1#nps', signingKey), score: '11' });
    expect(badScore.status).toBe(400);
    expect(badScore.text).not.toContain(customerId);
    expect((await customer(customerId)).nps).toEqual([]);
  });

  it('thanks an answer for a customer who does not exist, and writes nothing', async () => {
    const res = await page('POST', '/nps', { token: signSurveyToken('cus-gone', 't1#nps', signingKey), score: '3' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Thank you');
    expect((await adminGet(app, '/customers/cus-gone')).status).toBe(404);
  });
});

describe('POST /customers/{customerId}/feedback', () => {
  it('records a detractor: 202 with its category, then the answer, the owner task and the quiet period on the customer', async () => {
    const customerId = await newCustomer('detractor');
    const answered = await post(app, `/customers/${customerId}/feedback`, { nps: 3, comment: 'Reports are slow', responseId: 'r-1', respondentEmail: 'someone@example.com' });
    expect(answered.status, JSON.stringify(answered.body)).toBe(202);
    expect(answered.body).toMatchObject({ customerId, nps: 3, category: 'detractor' });
    const after = await customer(customerId);
    expect(after.nps).toMatchObject([{ score: 3, comment: 'Reports are slow', source: 'api' }]);
    expect(after.tasks).toMatchObject([{ kind: 'detractor-call' }]);
    expect(after.surveyQuietUntil).toEqual(expect.any(String));
    expect(after.npsScore).toBe(-100);

    const repeated = await post(app, `/customers/${customerId}/feedback`, { nps: 10, responseId: 'r-1' });
    expect(repeated).toMatchObject({ status: 200, body: { status: 'duplicate', customerId } });
    expect((await customer(customerId)).nps).toHaveLength(1);
  });

  it('answers 400 naming the field for a bad body (unknown fields too) and 404 for an unknown customer', async () => {
    const customerId = await newCustomer('badfeedback');
    expectError(await post(app, `/customers/${customerId}/feedback`, { nps: 11 }), 400, 'nps');
    expectError(await post(app, `/customers/${customerId}/feedback`, { nps: 4.5 }), 400, 'nps');
    expectError(await post(app, `/customers/${customerId}/feedback`, { comment: 'no score' }), 400, 'nps');
    expectError(await post(app, `/customers/${customerId}/feedback`, { nps: 5, mood: 'ok' }), 400, 'mood');
    expectError(await post(app, `/customers/${customerId}/feedback`, { nps: 5, respondentEmail: 'not-an-email' }), 400, 'respondentEmail');
    expectError(await post(app, `/customers/${customerId}/feedback`, { nps: 5, comment: 'x'.repeat(2001) }), 400, 'comment');
    expect((await customer(customerId)).nps).toEqual([]);
    expectError(await post(app, '/customers/cus-nobody/feedback', { nps: 5 }), 404);
  });
});

describe('GET /customers', () => {
  it('lists customers renewing before a date, soonest first, a page at a time', async () => {
    const customerId = await newCustomer('renewing');
    await newCustomer('renewing2');
    const all = await adminGet(app, '/customers?renewingBefore=2100-01-01');
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.items.map((c: any) => c.customerId)).toContain(customerId);
    const dates = all.body.items.map((c: any) => c.term.renewalDate);
    expect(dates).toEqual([...dates].sort());
    expect(all.body.items.every((c: any) => !('version' in c))).toBe(true);

    const first = await adminGet(app, '/customers?renewingBefore=2100-01-01&limit=1');
    expect(first.body.items).toHaveLength(1);
    const next = await adminGet(app, `/customers?renewingBefore=2100-01-01&limit=1&cursor=${first.body.cursor}`);
    expect(next.status).toBe(200);
    expect(next.body.items[0].customerId).not.toBe(first.body.items[0].customerId);
    // The cursor of one list is no position in another.
    expectError(await adminGet(app, `/customers?health=healthy&cursor=${first.body.cursor}`), 400, 'cursor');
    // Nor is a position past the end of a shorter range (DynamoDB would refuse the query).
    expectError(await adminGet(app, `/customers?renewingBefore=2000-01-01&cursor=${first.body.cursor}`), 400, 'cursor');
  });

  it('refuses a list without health or renewingBefore, unknown parameters and bad values, naming them', async () => {
    expectError(await adminGet(app, '/customers'), 400, 'health');
    expectError(await adminGet(app, '/customers?bogus=1'), 400, 'bogus');
    expectError(await adminGet(app, '/customers?health=sick'), 400, 'health');
    expectError(await adminGet(app, '/customers?renewingBefore=2026-13-01'), 400, 'renewingBefore');
    expectError(await adminGet(app, '/customers?health=healthy&limit=0'), 400, 'limit');
    expectError(await adminGet(app, '/customers?health=healthy&cursor=not*a*cursor'), 400, 'cursor');
    expect((await adminGet(app, '/customers?health=at-risk')).status).toBe(200);
  });
});

describe('POST /customers (a customer won outside the funnel)', () => {
  const lead = async (leadId: string) => (await adminGet(app, `/leads/${leadId}`)).body;
  const exported = (email: string) => adminGet(app, `/privacy/export?email=${encodeURIComponent(email)}`);

  it('makes the lead and the customer with its first term: 201, then 200 with the same ids for a repeat', async () => {
    const email = uniqueEmail('outside');
    const made = await post(app, '/customers', { email, firstName: 'Olive', company: 'Outside Ltd', plan: 'Scale', termMonths: 24, startDate: '2026-01-15' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const { customerId, leadId } = made.body;
    expect(made.body).toEqual({ customerId, leadId, status: 'active' });
    expect(await customer(customerId)).toMatchObject({
      customerId,
      leadId,
      email,
      firstName: 'Olive',
      company: 'Outside Ltd',
      status: 'active',
      plan: 'Scale',
      term: { number: 1, startDate: '2026-01-15', renewalDate: '2028-01-15', termMonths: 24 },
    });
    expect(await lead(leadId)).toMatchObject({ leadId, email, status: 'won', source: 'direct', customerId });

    const repeated = await post(app, '/customers', { email: email.toUpperCase(), plan: 'Growth', termMonths: 12 });
    expect(repeated).toMatchObject({ status: 200, body: { customerId, leadId, status: 'active' } });
    expect(await customer(customerId)).toMatchObject({ plan: 'Scale', term: { number: 1, termMonths: 24 } });
    // One person, one lead, one purchase: the repeat made no second lead (customer ids are per lead) and bought nothing.
    const held = await exported(email);
    expect(held.body).toMatchObject({ lead: { leadId }, customer: { customerId } });
    expect((await lead(leadId)).timeline.filter((e: any) => e.data?.eventType === 'purchased')).toHaveLength(1);
  });

  it('makes an existing lead the customer, keeping its leadId', async () => {
    const email = uniqueEmail('known');
    const captured = await app.capture({ email, firstName: 'Kim', consent: true });
    expect(captured.status).toBe(201);
    const made = await post(app, '/customers', { email, firstName: 'Ignored', currency: 'EUR', amount: 4800 });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toEqual({ customerId: `cus-${captured.body.leadId}`, leadId: captured.body.leadId, status: 'active' });
    expect(await customer(made.body.customerId)).toMatchObject({ firstName: 'Kim', currency: 'EUR', amount: 4800, term: { number: 1 } });
    expect(await lead(captured.body.leadId)).toMatchObject({ status: 'won', firstName: 'Kim' });
  });

  it('answers 400 naming the field for a bad body and writes nothing; 401 without the API key', async () => {
    const email = uniqueEmail('refused');
    expectError(await post(app, '/customers', { email, termMonths: 0 }), 400, 'termMonths');
    expectError(await post(app, '/customers', { email, currency: 'euro' }), 400, 'currency');
    expectError(await post(app, '/customers', { email, plan: 'Scale', seats: 10 }), 400, 'seats');
    expectError(await post(app, '/customers', { email, startDate: '2026-02-30' }), 400, 'startDate');
    expectError(await post(app, '/customers', { plan: 'Scale' }), 400, 'email');
    expect((await exported(email)).status).toBe(404);

    const anonymous = await fetch(`${app.stack.apiUrl}/customers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    expect(anonymous.status).toBe(401);
    expect((await exported(email)).status).toBe(404);
  });
});
