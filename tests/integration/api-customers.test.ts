/**
 * The customer routes over real HTTP (real handlers, DynamoDB Local): a customer made the way
 * integrations make one — a lead captured with the API key, then its `purchased` event — read back
 * with its term, status and timeline; 404 for an unknown customer, 400 naming a malformed id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminGet, bootApp, eventually, uniqueEmail, type App } from '../support/app.js';

let app: App;
beforeAll(async () => {
  app = await bootApp(1);
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
