/**
 * CustomerRetention's branches on the synthesized machine at a virtual day per second, each customer
 * bought with a start date in the past so its moment comes within seconds: a customer who never used the
 * product gets "need a hand?", its owner is told, and its health (decayed into at risk) runs the risk
 * playbook; a renewal is a second term in a new execution, whose survey the 90-day throttle skips; a person
 * who unsubscribed as a lead gets no check-in as a customer, while their owner still hears of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCustomerStore } from '../../functions/adapters/dynamodb/customer-store.js';
import { addDays } from '../../functions/core/business-hours.js';
import { documentClient } from '../../functions/shared/clients.js';
import { bootApp, eventually, uniqueEmail, type App } from '../support/app.js';

const SCALE = 86_400;
const MANAGER = 'sales-manager@example.com';
let app: App;

beforeAll(async () => {
  app = await bootApp(SCALE);
});
afterAll(() => app?.stop());

const store = () => new DynamoCustomerStore(documentClient(), app.stack.tableName);
const today = () => app.stack.clock.now().toISOString().slice(0, 10);
const sentSteps = async (customerId: string) => (await store().timeline(customerId)).filter((e) => e.type === 'email_sent').map((e) => String(e.data?.step));

async function customerSince(tag: string, daysAgo: number, lead: Record<string, unknown> = {}) {
  const email = uniqueEmail(`life-${tag}`);
  const created = await app.capture({ email, firstName: 'Lin', lastName: `Life${tag}`, consent: true, ...lead });
  const leadId = created.body.leadId as string;
  return { email, leadId, customerId: `cus-${leadId}`, buy: () => app.event({ eventId: `${leadId}-buy`, type: 'purchased', leadId, properties: { plan: 'Growth', startDate: addDays(today(), -daysAgo) } }) };
}

describe('CustomerRetention branches', () => {
  it('reaches out to a customer who never used the product, tells the owner, and runs the risk playbook once health decays into at risk', async () => {
    const c = await customerSince('quiet', 29);
    expect((await c.buy()).status).toBe(202);
    // No usage since the start date 29 days ago: the 14-day trigger is past, so it goes at the next opening.
    const startDate = await eventually(async () => (await store().get(c.customerId))!.term!.startDate);
    await eventually(async () => expect(await sentSteps(c.customerId)).toContain(`t1#no-usage-start-${startDate}#owner`), 20_000, 250);
    const customer = (await store().get(c.customerId))!;
    expect(customer.health?.band).toBe('at-risk');
    expect(customer.health?.reasons.join(' ')).toMatch(/usage/i);
    // The playbook: the owner alerted with the reasons, an extra check-in, CustomerAtRisk — once.
    await eventually(async () => {
      const steps = await sentSteps(c.customerId);
      expect(steps.filter((s) => /^follow-up#at-risk-.*#owner$/.test(s))).toHaveLength(1);
      expect((await store().get(c.customerId))!.retention?.done).toEqual(expect.arrayContaining([`t1#no-usage-start-${startDate}`, expect.stringMatching(/^follow-up#at-risk-[^#]*$/)]));
    }, 20_000, 250);
    // The customer is offered help once, though the no-usage check-in and the playbook's fall days apart.
    expect((await app.mailTo(c.email)).filter((m) => /Need a hand/.test(m.subject))).toHaveLength(1);
    expect(app.domainEvents('CustomerAtRisk').filter((e) => e.detail.customerId === c.customerId)).toHaveLength(1);
    expect(app.domainEvents('CustomerHealthChanged').some((e) => e.detail.customerId === c.customerId && e.detail.band === 'at-risk')).toBe(true);
    const toOwner = (await app.mailTo(MANAGER)).filter((m) => m.text.includes(`Life${'quiet'}`));
    expect(toOwner.length).toBeGreaterThanOrEqual(3); // new customer, no usage, at risk
    const timeline = await store().timeline(c.customerId);
    expect(timeline.some((e) => e.type === 'health_changed' && /at-risk/.test(e.summary))).toBe(true);
  }, 60_000);

  it('starts a renewed term as a new execution, and the 90-day throttle skips that term’s survey', async () => {
    const c = await customerSince('renew', 44);
    expect((await c.buy()).status).toBe(202);
    // Day 45 of term 1 is tomorrow: the survey goes.
    await eventually(async () => expect(await sentSteps(c.customerId)).toContain('t1#nps'), 20_000, 250);
    const surveyed = (await store().get(c.customerId))!;
    expect(surveyed.lastSurveyAt).toBeDefined();

    // Renewed now, the new term counted from 40 days ago: its day-45 survey would fall ~5 days after the last one.
    const renewed = await app.event({ eventId: `${c.customerId}-renew`, type: 'subscription_renewed', customerId: c.customerId, properties: { startDate: addDays(today(), -40), termMonths: 12 } });
    expect(renewed.status).toBe(202);
    await eventually(async () => {
      const customer = (await store().get(c.customerId))!;
      expect(customer).toMatchObject({ term: { number: 2 }, run: 2, startedRun: 2 });
    }, 20_000, 250);
    const executions = app.stack.executions.list().filter((e) => e.name.startsWith(`${c.customerId}-r`));
    expect(executions.map((e) => e.name).sort()).toEqual([`${c.customerId}-r1`, `${c.customerId}-r2`]);
    expect(executions.find((e) => e.name.endsWith('-r1'))!.status).not.toBe('RUNNING');
    expect(app.domainEvents('CustomerRenewed').some((e) => e.detail.customerId === c.customerId && e.detail.term === 2)).toBe(true);

    await eventually(async () => expect((await store().get(c.customerId))!.retention?.done).toContain('t2#nps'), 20_000, 250);
    expect(await sentSteps(c.customerId)).not.toContain('t2#nps');
    const skipped = (await store().timeline(c.customerId)).find((e) => e.type === 'email_skipped' && e.data?.step === 't2#nps');
    expect(skipped?.data?.reason).toBe('nothing due');
    // The one-off check-ins belong to the first term: none of term 2's.
    expect((await sentSteps(c.customerId)).filter((s) => /^t2#(welcome|setup-check|first-value)$/.test(s))).toEqual([]);
  }, 60_000);

  it('reminds the owner and the customer of the renewal from the term’s own renewal date, then starts the next term by itself in a new execution', async () => {
    const c = await customerSince('autorenew', 330);
    expect((await c.buy()).status).toBe(202);
    const customer = await eventually(async () => (await store().get(c.customerId))!);
    const renewalDate = customer.term!.renewalDate;
    // 90 and 60 days before it are past (55 and 25 days ago) but not stale for a renewal: the owner gets both, at once.
    await eventually(async () => expect(await sentSteps(c.customerId)).toEqual(expect.arrayContaining(['t1#renewal-owner-90', 't1#renewal-owner-60'])), 20_000, 250);
    expect(app.domainEvents('RenewalDue').filter((e) => e.detail.customerId === c.customerId)).toEqual([expect.objectContaining({ detail: expect.objectContaining({ renewalDate, term: 1 }) })]);
    // Quarterly business reviews months past are skipped and noted, not sent in a heap.
    await eventually(async () => {
      const skipped = (await store().timeline(c.customerId)).filter((e) => e.type === 'email_skipped' && e.data?.reason === 'stale').map((e) => String(e.data?.step));
      expect(skipped).toEqual(expect.arrayContaining(['t1#review-1', 't1#review-2', 't1#review-3']));
    }, 20_000, 250);
    // 30 days before (in 5 days): the customer's reminder, naming the date.
    const reminder = await eventually(async () => {
      const mail = (await app.mailTo(c.email)).find((m) => /renews in 30 days/.test(m.subject));
      expect(mail).toBeDefined();
      return mail!;
    }, 30_000, 250);
    expect(reminder.text).toMatch(/Growth/);
    // The renewal date: term 2 from it, in a new execution; CustomerRenewed (automatic).
    await eventually(async () => expect((await store().get(c.customerId))!).toMatchObject({ term: { number: 2, startDate: renewalDate } }), 60_000, 250);
    const next = (await store().get(c.customerId))!;
    await eventually(async () => expect(app.stack.executions.list().find((e) => e.name === `${c.customerId}-r${next.run}`)?.status).toBe('RUNNING'), 20_000, 250);
    expect(app.domainEvents('CustomerRenewed').filter((e) => e.detail.customerId === c.customerId)).toEqual([expect.objectContaining({ detail: expect.objectContaining({ term: 2, automatic: true }) })]);
    expect((await sentSteps(c.customerId)).filter((s) => s.startsWith('t1#renewal'))).toHaveLength(3);
  }, 120_000);

  it('sends no check-in to a person who unsubscribed as a lead, while the owner still hears of the customer', async () => {
    const c = await customerSince('unsub', 6);
    // The lead's welcome carries the one-click unsubscribe; the person uses it before buying.
    const welcome = await eventually(async () => {
      const mail = (await app.mailTo(c.email)).find((m) => m.headers['list-unsubscribe']);
      expect(mail).toBeDefined();
      return mail!;
    });
    const url = welcome.headers['list-unsubscribe']!.match(/^<(.+)>$/)![1]!;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBeLessThan(400);
    const before = (await app.mailTo(c.email)).length;

    expect((await c.buy()).status).toBe(202);
    // Day 7 (the set-up check) is tomorrow: skipped for the person, never sent.
    await eventually(async () => expect((await store().get(c.customerId))!.retention?.done).toContain('t1#setup-check'), 20_000, 250);
    const skipped = (await store().timeline(c.customerId)).filter((e) => e.type === 'email_skipped').map((e) => e.data?.step);
    expect(skipped).toEqual(expect.arrayContaining(['t1#welcome', 't1#setup-check']));
    expect((await app.mailTo(c.email)).length).toBe(before);
    expect((await app.mailTo(MANAGER)).some((m) => m.text.includes('Lifeunsub'))).toBe(true);
  }, 60_000);
});
