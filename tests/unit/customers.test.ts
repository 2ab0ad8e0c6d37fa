/**
 * Customers as events move them (core/customers.ts), on the in-memory store and fakes at a fixed
 * clock: the purchase terms, the customer a won lead becomes, and each customer event — its one
 * conditional write with the event marker, the run it asks for, the domain events it publishes.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, fixedClock } from '../../functions/core/clock.js';
import { applyCustomerEvent, CUSTOMER_EVENT_TYPES, newCustomer, purchaseTerms, recordReferral, recordReferralConversion, type CustomerEventDeps } from '../../functions/core/customers.js';
import { ConflictError, NotFoundError, ValidationError } from '../../functions/core/errors.js';
import type { Customer, EngagementEvent } from '../../functions/core/model.js';
import { retentionAgenda } from '../../functions/core/retention.js';
import { retentionProgramme } from '../../workflows/programmes/retention.js';
import { healthModel } from '../../workflows/programmes/health.js';
import { InMemoryCustomerStore } from '../fakes/customers.js';
import { RecordingPublisher, sequentialIds } from '../fakes/index.js';
import { aLead } from '../fakes/leads.js';
import { RecordingRuns } from '../fakes/reps.js';

const NOW = '2026-03-10T10:00:00.000Z';

function world() {
  const clock = fixedClock(NOW);
  const customers = new InMemoryCustomerStore(() => clock.now());
  const runs = new RecordingRuns();
  const publisher = new RecordingPublisher();
  const deps: CustomerEventDeps = { customers, runs, publisher, clock, ids: sequentialIds(), healthModel };
  /** A customer as a purchase stores it: term 1 from today, run 1, version 1. */
  const stored = (over: Partial<Customer> = {}) => {
    const customer = { ...newCustomer(aLead({ ownerId: 'rep-1', firstName: 'Ada' }), { plan: 'Growth' }, clock.now()), version: 1, ...over };
    customers.put(customer);
    return customer;
  };
  const event = (type: string, properties: Record<string, unknown> = {}, eventId = `evt-${type}`): Pick<EngagementEvent, 'eventId' | 'type' | 'occurredAt' | 'properties'> =>
    ({ eventId, type, occurredAt: clock.now().toISOString(), properties }) as Pick<EngagementEvent, 'eventId' | 'type' | 'occurredAt' | 'properties'>;
  const eventTypes = () => publisher.events.map((e) => e.type);
  return { clock, customers, runs, publisher, deps, stored, event, eventTypes };
}

async function issuesOf(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return (err as ValidationError).issues.map((i) => i.path);
}

describe('purchase terms', () => {
  it('takes a plan, an amount, a currency, a term and a start date, the plan trimmed', () => {
    expect(purchaseTerms({ plan: '  Growth ', amount: 12000, currency: 'EUR', termMonths: 24, startDate: '2026-02-28', note: 'ignored' })).toEqual({ plan: 'Growth', amount: 12000, currency: 'EUR', termMonths: 24, startDate: '2026-02-28' });
    expect(purchaseTerms(undefined)).toEqual({});
    expect(purchaseTerms({ amount: 0, startDate: '2028-02-29' })).toEqual({ amount: 0, startDate: '2028-02-29' });
  });

  it.each([
    ['plan', { plan: '' }],
    ['plan', { plan: 'x'.repeat(101) }],
    ['plan', { plan: 'Growth\u0007' }],
    ['amount', { amount: -1 }],
    ['amount', { amount: '100' }],
    ['amount', { amount: Number.POSITIVE_INFINITY }],
    ['currency', { currency: 'eur' }],
    ['currency', { currency: 'EURO' }],
    ['termMonths', { termMonths: 0 }],
    ['termMonths', { termMonths: 1.5 }],
    ['termMonths', { termMonths: 61 }],
    ['startDate', { startDate: '2026-02-30' }],
    ['startDate', { startDate: '2026-3-1' }],
    ['startDate', { startDate: '01/03/2026' }],
  ])('names properties.%s when it is %j', (field, properties) => {
    expect(() => purchaseTerms(properties)).toThrow(ValidationError);
    try {
      purchaseTerms(properties);
    } catch (err) {
      expect((err as ValidationError).issues.map((i) => i.path)).toEqual([`properties.${field}`]);
    }
  });

  it('names every bad term at once, under the path it is given', () => {
    try {
      purchaseTerms({ plan: 7, amount: -5, currency: 'x', termMonths: 100, startDate: '2026-13-01' }, 'body');
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).issues.map((i) => i.path)).toEqual(['body.plan', 'body.amount', 'body.currency', 'body.termMonths', 'body.startDate']);
    }
  });
});

describe('a new customer', () => {
  const at = new Date('2026-03-10T15:30:00.000Z');

  it('starts a twelve-month first term today by default, on run 1, owned by the rep who won the lead', () => {
    const lead = aLead({ leadId: 'lead-9', ownerId: 'rep-7', firstName: 'Ada', lastName: 'Lovelace', company: 'Engines Ltd' });
    expect(newCustomer(lead, {}, at, 3)).toEqual({
      customerId: 'cus-lead-9',
      leadId: 'lead-9',
      email: lead.email,
      firstName: 'Ada',
      lastName: 'Lovelace',
      company: 'Engines Ltd',
      since: at.toISOString(),
      status: 'active',
      ownerId: 'rep-7',
      term: { number: 1, startDate: '2026-03-10', renewalDate: '2027-03-10', termMonths: 12 },
      run: 1,
      programmeVersion: 3,
      retention: { runStartedAt: at.toISOString() },
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    });
  });

  it('takes the purchase’s terms, the renewal date clamped to the end of a shorter month', () => {
    const customer = newCustomer(aLead(), { plan: 'Scale', amount: 500, currency: 'GBP', termMonths: 1, startDate: '2026-01-31' }, at);
    expect(customer).toMatchObject({ plan: 'Scale', amount: 500, currency: 'GBP', term: { number: 1, startDate: '2026-01-31', renewalDate: '2026-02-28', termMonths: 1 } });
    expect(customer.ownerId).toBeUndefined();
  });

  it('carries who referred the lead', () => {
    expect(newCustomer(aLead({ referredBy: 'cus-lead-0' }), {}, at).referredBy).toBe('cus-lead-0');
    expect(newCustomer(aLead(), {}, at)).not.toHaveProperty('referredBy');
  });
});

describe('customer events', () => {
  it('are the five events about a customer', () => {
    expect([...CUSTOMER_EVENT_TYPES]).toEqual(['product_used', 'support_ticket', 'nps_submitted', 'subscription_renewed', 'subscription_cancelled']);
  });

  it('product_used records the day of use, scores the customer and adds to the timeline, without a new run', async () => {
    const { deps, stored, event, customers, runs } = world();
    const customer = stored();
    const result = await applyCustomerEvent(deps, customer.customerId, event('product_used', { feature: 'forecast' }));
    expect(result.outcome).toBe('applied');
    expect(result.customer.version).toBe(2);
    expect(result.customer.signals).toMatchObject({ usageDays: ['2026-03-10'], lastUsedAt: NOW });
    expect(result.customer.health).toMatchObject({ band: 'healthy', at: NOW });
    expect(await customers.get(customer.customerId)).toEqual(result.customer);
    const timeline = await customers.timeline(customer.customerId);
    expect(timeline.map((e) => e.type)).toEqual(['event', 'health_changed']);
    expect(timeline[0]!.data).toMatchObject({ eventId: 'evt-product_used', eventType: 'product_used', properties: { feature: 'forecast' } });
    expect(runs.started).toEqual([]);
  });

  it.each([
    [{}, ['properties.ticketId', 'properties.severity']],
    [{ ticketId: 'T-1', severity: 'apocalyptic' }, ['properties.severity']],
    [{ ticketId: '  ', severity: 'high' }, ['properties.ticketId']],
    [{ ticketId: 'T-1', severity: 'high', status: 'pending' }, ['properties.status']],
  ])('support_ticket with %j is refused naming %j, and changes nothing', async (properties, paths) => {
    const { deps, stored, event, customers } = world();
    const customer = stored();
    expect(await issuesOf(applyCustomerEvent(deps, customer.customerId, event('support_ticket', properties)))).toEqual(paths);
    expect(await customers.get(customer.customerId)).toEqual(customer);
    expect(await customers.timeline(customer.customerId)).toEqual([]);
    // Nothing marked the event processed: the corrected event goes through under the same id.
    expect((await applyCustomerEvent(deps, customer.customerId, event('support_ticket', { ticketId: 'T-1', severity: 'high' }))).outcome).toBe('applied');
  });

  it('support_ticket opens a ticket on the health signals', async () => {
    const { deps, stored, event } = world();
    const customer = stored();
    const { customer: after } = await applyCustomerEvent(deps, customer.customerId, event('support_ticket', { ticketId: 'T-1', severity: 'critical' }));
    expect(after.signals).toMatchObject({ openTickets: [{ ticketId: 'T-1', severity: 'critical' }] });
  });

  it('nps_submitted from a detractor closes the loop: owner follow-up, a call-back task, quiet surveys, CustomerAtRisk, a new run', async () => {
    const { deps, stored, event, customers, runs, eventTypes } = world();
    const customer = stored();
    const { customer: after } = await applyCustomerEvent(deps, customer.customerId, event('nps_submitted', { score: 3, comment: 'Exports time out' }));
    expect(after.nps).toEqual([{ score: 3, at: NOW, comment: 'Exports time out', source: 'event' }]);
    expect(after.retention?.followUps).toEqual([{ key: 'nps-evt-nps_submitted', kind: 'detractor', at: NOW, data: { score: 3, comment: 'Exports time out' } }]);
    expect(after.tasks).toEqual([{ taskId: expect.stringMatching(/^task_/), kind: 'detractor-call', at: NOW, due: new Date(Date.parse(NOW) + 2 * DAY_MS).toISOString(), summary: 'Call back about NPS 3' }]);
    expect(after.surveyQuietUntil).toBe(new Date(Date.parse(NOW) + 90 * DAY_MS).toISOString());
    expect(eventTypes()).toContain('CustomerAtRisk');
    expect(eventTypes().filter((t) => t === 'CustomerAtRisk')).toHaveLength(1);
    // The old run is stopped and the new one started, at the run the write recorded.
    expect(after.run).toBe(2);
    expect(runs.stopped).toEqual([{ workflow: 'CustomerRetention', subjectId: customer.customerId, run: 1, reason: expect.any(String) }]);
    expect(runs.started).toEqual([{ workflow: 'CustomerRetention', subjectId: customer.customerId, input: { customerId: customer.customerId, run: 2 } }]);
    expect(after.retention?.runStartedAt).toBe(NOW);
    expect(await customers.types(customer.customerId)).toEqual(expect.arrayContaining(['nps_submitted', 'task_created']));
  });

  it('nps_submitted from a promoter asks the run to thank them, with no task and no CustomerAtRisk', async () => {
    const { deps, stored, event, eventTypes } = world();
    const customer = stored();
    const { customer: after } = await applyCustomerEvent(deps, customer.customerId, event('nps_submitted', { score: 10 }));
    expect(after.retention?.followUps?.map((f) => f.kind)).toEqual(['promoter']);
    expect(after.tasks).toBeUndefined();
    expect(after.surveyQuietUntil).toBeUndefined();
    expect(eventTypes()).not.toContain('CustomerAtRisk');
    expect(after.run).toBe(2);
  });

  it('nps_submitted without a whole score from 0 to 10 is refused naming properties.score', async () => {
    const { deps, stored, event } = world();
    const customer = stored();
    expect(await issuesOf(applyCustomerEvent(deps, customer.customerId, event('nps_submitted', { score: 11 })))).toEqual(['properties.score']);
  });

  it('takes an event id once: the same event again is a duplicate and changes nothing', async () => {
    const { deps, stored, event, customers, runs, publisher } = world();
    const customer = stored();
    const first = await applyCustomerEvent(deps, customer.customerId, event('nps_submitted', { score: 2 }, 'evt-once'));
    const published = publisher.events.length;
    const again = await applyCustomerEvent(deps, customer.customerId, event('nps_submitted', { score: 2 }, 'evt-once'));
    expect(again.outcome).toBe('duplicate');
    expect(again.customer).toEqual(first.customer);
    expect(await customers.get(customer.customerId)).toEqual(first.customer);
    expect((await customers.get(customer.customerId))?.nps).toHaveLength(1);
    expect(publisher.events).toHaveLength(published);
    expect(runs.started).toHaveLength(1);
    expect(runs.stopped).toHaveLength(1);
  });

  it('subscription_renewed starts term 2 from the old renewal date, publishes CustomerRenewed and asks for a new run', async () => {
    const { deps, stored, event, runs, publisher } = world();
    const customer = stored();
    const { customer: after } = await applyCustomerEvent(deps, customer.customerId, event('subscription_renewed', { amount: 13000 }));
    expect(after.term).toEqual({ number: 2, startDate: '2027-03-10', renewalDate: '2028-03-10', termMonths: 12 });
    expect(after.amount).toBe(13000);
    expect(publisher.events).toEqual([
      { type: 'CustomerRenewed', id: `${customer.customerId}:CustomerRenewed:2`, at: NOW, detail: { customerId: customer.customerId, term: 2, renewalDate: '2028-03-10', automatic: false } },
    ]);
    expect(after.run).toBe(2);
    expect(runs.runsOf(customer.customerId)).toEqual([2]);
  });

  it('subscription_cancelled ends the cycle: cancelled, counted, CustomerChurned, a new run for the win-back', async () => {
    const { deps, stored, event, runs, publisher } = world();
    const customer = stored();
    const { customer: after } = await applyCustomerEvent(deps, customer.customerId, event('subscription_cancelled', { reason: 'budget cut' }));
    expect(after).toMatchObject({ status: 'cancelled', cancelledAt: NOW, cancelReason: 'budget cut', run: 2 });
    expect(after.retention?.cancellations).toBe(1);
    expect(publisher.events).toEqual([{ type: 'CustomerChurned', id: `${customer.customerId}:CustomerChurned:1`, at: NOW, detail: { customerId: customer.customerId, reason: 'budget cut', term: 1 } }]);
    expect(runs.runsOf(customer.customerId)).toEqual([2]);
  });

  it('email_replied to the win-back stops it and hands the person to the owner, once; from an active customer it is engagement', async () => {
    const { deps, stored, event, runs, clock } = world();
    const customer = stored();
    await applyCustomerEvent(deps, customer.customerId, event('subscription_cancelled', {}));
    clock.advance(4 * DAY_MS);
    const { customer: after } = await applyCustomerEvent(deps, customer.customerId, event('email_replied', {}, 'reply-1'));
    expect(after.retention?.followUps).toEqual([expect.objectContaining({ kind: 'win-back-reply', key: 'win-back-reply-1' })]);
    expect(runs.runsOf(customer.customerId)).toEqual([2, 3]);
    // The win-back's remaining mails are off the agenda; only the owner's follow-up is left.
    const agenda = retentionAgenda(after, retentionProgramme, { highSeverityOpen: false }, clock.now());
    expect(agenda.map((i) => i.kind)).toEqual(['follow-up']);
    expect(agenda[0]!.at).toEqual(clock.now());
    // A second reply asks for nothing more.
    const { customer: again } = await applyCustomerEvent(deps, customer.customerId, event('email_replied', {}, 'reply-2'));
    expect(again.retention?.followUps).toHaveLength(1);
    expect(runs.runsOf(customer.customerId)).toEqual([2, 3]);

    const active = stored({ customerId: 'cus-active', leadId: 'lead-active' });
    const { customer: engaged } = await applyCustomerEvent(deps, active.customerId, event('email_replied', {}, 'reply-3'));
    expect(engaged.status).toBe('active');
    expect(engaged.retention?.followUps ?? []).toEqual([]);
    expect((engaged.signals as any).lastEngagedAt).toBe(clock.now().toISOString());
  });

  it('purchased of an active customer is a conflict: a new term is subscription_renewed', async () => {
    const { deps, stored, event, customers } = world();
    const customer = stored();
    await expect(applyCustomerEvent(deps, customer.customerId, event('purchased', { plan: 'Scale' }))).rejects.toBeInstanceOf(ConflictError);
    expect(await customers.get(customer.customerId)).toEqual(customer);
  });

  it('purchased of a cancelled customer reactivates it on the next term', async () => {
    const { deps, stored, event, clock, publisher, runs } = world();
    const customer = stored();
    await applyCustomerEvent(deps, customer.customerId, event('subscription_cancelled', {}));
    clock.advance(30 * DAY_MS);
    const { customer: after } = await applyCustomerEvent(deps, customer.customerId, event('purchased', { termMonths: 6, plan: 'Scale' }));
    expect(after).toMatchObject({ status: 'active', plan: 'Scale', term: { number: 2, startDate: '2026-04-09', renewalDate: '2026-10-09', termMonths: 6 }, run: 3 });
    expect(after.cancelledAt).toBeUndefined();
    expect(after.cancelReason).toBeUndefined();
    expect(publisher.events.at(-1)).toMatchObject({ type: 'CustomerRenewed', detail: { term: 2, reactivated: true } });
    expect(runs.runsOf(customer.customerId)).toEqual([2, 3]);
  });

  it('of an unknown customer is not found', async () => {
    const { deps, event } = world();
    await expect(applyCustomerEvent(deps, 'cus-nobody', event('product_used'))).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('referrals', () => {
  it('count a referred lead once on the referrer, ReferralReceived published once', async () => {
    const { deps, stored, customers, publisher, runs } = world();
    const referrer = stored();
    await recordReferral(deps, referrer.customerId, 'lead-new');
    await recordReferral(deps, referrer.customerId, 'lead-new');
    expect((await customers.get(referrer.customerId))?.referrals).toEqual([{ leadId: 'lead-new', at: NOW }]);
    expect(publisher.events).toEqual([{ type: 'ReferralReceived', id: `${referrer.customerId}:ReferralReceived:lead-new`, at: NOW, detail: { customerId: referrer.customerId, leadId: 'lead-new' } }]);
    expect(runs.started).toEqual([]);
    // A referrer who is gone: nothing to count.
    await recordReferral(deps, 'cus-gone', 'lead-other');
  });

  it('that convert leave the referrer one referral-converted follow-up, however often the conversion is told', async () => {
    const { deps, stored, customers, runs, clock } = world();
    const referrer = stored();
    await recordReferral(deps, referrer.customerId, 'lead-new');
    clock.advance(DAY_MS);
    const lead = { leadId: 'lead-new', email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' };
    await recordReferralConversion(deps, referrer.customerId, lead);
    await recordReferralConversion(deps, referrer.customerId, lead);
    const after = (await customers.get(referrer.customerId))!;
    expect(after.referrals).toEqual([{ leadId: 'lead-new', at: NOW, convertedAt: clock.now().toISOString() }]);
    expect(after.retention?.followUps).toEqual([{ key: 'referral-lead-new', kind: 'referral-converted', at: clock.now().toISOString(), data: { referredName: 'Grace Hopper' } }]);
    expect(runs.runsOf(referrer.customerId)).toEqual([2]);
  });
});
