/**
 * CustomerRetention on the synthesized machine, through the real handlers, DynamoDB Local and the
 * local SES, at one virtual day per real second: a purchase makes a customer whose first term runs
 * the programme from its own start date — the owner told, the welcome, the set-up check on day 7, the
 * first-value check-in on day 30, the NPS survey with its eleven one-click scores on day 45 — each
 * exactly once, in business hours; a detractor's answer reaches the owner with the comment, leaves a
 * follow-up task and `CustomerAtRisk`, and no further survey; a cancellation ends the term and starts
 * the win-back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCustomerStore } from '../../functions/adapters/dynamodb/customer-store.js';
import { localParts } from '../../functions/core/business-hours.js';
import { documentClient } from '../../functions/shared/clients.js';
import { bootApp, eventually, sleep, uniqueEmail, type App } from '../support/app.js';

const SCALE = 86_400;
const DAY = 1000; // one virtual day, in real ms
const MANAGER = 'sales-manager@example.com';
let app: App;

beforeAll(async () => {
  app = await bootApp(SCALE);
});
afterAll(() => app?.stop());

const store = () => new DynamoCustomerStore(documentClient(), app.stack.tableName);

async function newCustomer(tag: string) {
  const email = uniqueEmail(`ret-${tag}`);
  const created = await app.capture({ email, firstName: 'Grace', lastName: `Hopper${tag}`, company: `Compiler ${tag}`, consent: true });
  expect(created.status).toBe(201);
  const leadId = created.body.leadId as string;
  const bought = await app.event({ eventId: `${leadId}-buy`, type: 'purchased', leadId, properties: { plan: 'Growth', termMonths: 12, amount: 12000, currency: 'EUR' } });
  expect(bought.status).toBe(202);
  return { email, leadId, customerId: `cus-${leadId}` };
}

const subjects = async (email: string) => (await app.mailTo(email)).map((m) => m.subject);
const aboutCustomer = async (name: string) => (await app.mailTo(MANAGER)).filter((m) => m.text.includes(name));

describe('CustomerRetention', () => {
  it('runs a new customer’s first term from its own start date: owner told, welcome, day 7, day 30, the day-45 survey — each once, in business hours', async () => {
    const { email, customerId } = await newCustomer('a');
    const customer = await eventually(async () => {
      const c = await store().get(customerId);
      expect(c).toMatchObject({ status: 'active', plan: 'Growth', amount: 12000, currency: 'EUR', term: { number: 1, termMonths: 12 } });
      return c!;
    });
    expect(customer.term!.renewalDate.slice(5)).toBe(customer.term!.startDate.slice(5));

    // The owner (no CSM, no rep won it: the sales manager) hears of the new customer; the customer is welcomed.
    await eventually(async () => expect((await aboutCustomer('Hopper' + 'a')).length).toBeGreaterThan(0), 20 * DAY);
    await eventually(async () => expect((await subjects(email)).length).toBeGreaterThanOrEqual(2), 20 * DAY); // thank-you (funnel) + welcome (retention)

    // Day 45 and a little: the survey has gone.
    const survey = await eventually(async () => {
      const mail = (await app.mailTo(email)).find((m) => /recommend/i.test(m.subject) || m.text.includes('score=10'));
      expect(mail).toBeDefined();
      return mail!;
    }, 70 * DAY, 250);
    for (let score = 0; score <= 10; score++) expect(survey.text).toContain(`score=${score}`);
    expect(survey.headers['List-Unsubscribe'] ?? survey.headers['list-unsubscribe']).toBeDefined();

    const timeline = await store().timeline(customerId);
    const sent = timeline.filter((e) => e.type === 'email_sent');
    const steps = sent.map((e) => String(e.data?.step));
    for (const step of ['t1#assign-owner', 't1#welcome', 't1#setup-check', 't1#first-value', 't1#nps']) expect(steps.filter((s) => s === step), step).toHaveLength(1);
    // Customer-facing mail only in business hours (09–17 on weekdays, the deployment's zone: UTC).
    for (const e of sent.filter((x) => ['t1#welcome', 't1#setup-check', 't1#first-value', 't1#nps'].includes(String(x.data?.step)))) {
      const local = localParts(new Date(e.at), 'UTC');
      expect(local.hour >= 9 && local.hour < 17 && local.weekday <= 5, `${e.data?.step} at ${e.at}`).toBe(true);
    }
    // In order, at their days from the start date.
    const at = (step: string) => Date.parse(sent.find((e) => e.data?.step === step)!.at);
    const start = Date.parse(`${customer.term!.startDate}T00:00:00Z`);
    expect((at('t1#setup-check') - start) / 86_400_000).toBeGreaterThanOrEqual(7);
    expect((at('t1#first-value') - start) / 86_400_000).toBeGreaterThanOrEqual(30);
    expect((at('t1#nps') - start) / 86_400_000).toBeGreaterThanOrEqual(45);
    expect(at('t1#welcome')).toBeLessThan(at('t1#setup-check'));
    expect(timeline.some((e) => e.type === 'health_changed')).toBe(true);
    expect(app.domainEvents('CustomerOnboarded').some((e) => e.detail.customerId === customerId)).toBe(true);
  }, 120_000);

  it('closes the loop on a detractor: the owner gets the comment, a task is left, CustomerAtRisk is published, no survey follows', async () => {
    const { email, customerId } = await newCustomer('b');
    await eventually(async () => expect((await store().get(customerId))?.startedRun).toBe(1));
    const answered = await app.event({ eventId: `${customerId}-nps`, type: 'nps_submitted', customerId, properties: { score: 3, comment: 'Exports keep timing out' } });
    expect(answered.status).toBe(202);
    expect(answered.body).toMatchObject({ customerId, status: 'active' });

    const alert = await eventually(async () => {
      const mail = (await aboutCustomer('Hopperb')).find((m) => m.text.includes('Exports keep timing out'));
      expect(mail).toBeDefined();
      return mail!;
    }, 10 * DAY);
    expect(alert.text).toContain('3');
    const customer = (await store().get(customerId))!;
    expect(customer.tasks?.map((t) => t.kind)).toEqual(['detractor-call']);
    expect(Date.parse(customer.surveyQuietUntil!)).toBeGreaterThan(Date.now());
    expect(customer.nps?.map((n) => n.score)).toEqual([3]);
    expect(app.domainEvents('CustomerAtRisk').some((e) => e.detail.customerId === customerId)).toBe(true);
    // The same answer again changes nothing.
    expect((await app.event({ eventId: `${customerId}-nps`, type: 'nps_submitted', customerId, properties: { score: 3 } })).status).toBe(200);
    expect((await store().get(customerId))!.nps).toHaveLength(1);

    // Past day 45: the survey is skipped (quiet for 90 days after a detractor), never sent.
    await sleep(55 * DAY);
    const ledger = await store().ledger(customerId);
    expect(ledger.find((l) => l.ledgerKey.endsWith('t1#nps'))).toBeUndefined();
    expect((await subjects(email)).some((s) => /recommend/i.test(s))).toBe(false);
    expect((await store().get(customerId))!.retention?.done).toContain('t1#nps');
  }, 120_000);

  it('ends the term on a cancellation: CustomerChurned, then the win-back sequence; a bad event changes nothing', async () => {
    const { email, customerId } = await newCustomer('c');
    await eventually(async () => expect((await store().get(customerId))?.startedRun).toBe(1));
    const bad = await app.event({ eventId: `${customerId}-ticket`, type: 'support_ticket', customerId, properties: { severity: 'apocalyptic' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('properties.severity');

    expect((await app.event({ eventId: `${customerId}-cancel`, type: 'subscription_cancelled', customerId, properties: { reason: 'budget cut' } })).status).toBe(202);
    await eventually(async () => expect((await store().get(customerId))).toMatchObject({ status: 'cancelled', cancelReason: 'budget cut', run: 2 }));
    expect(app.domainEvents('CustomerChurned').some((e) => e.detail.customerId === customerId)).toBe(true);
    // Win-back 1 goes 3 days after the cancellation (in business hours); this customer gave marketing consent.
    await eventually(async () => {
      const steps = (await store().timeline(customerId)).filter((e) => e.type === 'email_sent').map((e) => String(e.data?.step));
      expect(steps).toContain('w1#winback-1');
    }, 15 * DAY, 250);
    expect((await app.mailTo(email)).length).toBeGreaterThan(1);
    // Nothing of the active term goes out after the cancellation.
    await sleep(10 * DAY);
    const after = (await store().timeline(customerId)).filter((e) => e.type === 'email_sent' && String(e.data?.step).startsWith('t1#') && e.data?.run === 2);
    expect(after).toEqual([]);
  }, 120_000);
});
