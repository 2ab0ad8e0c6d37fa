/**
 * The CustomerRetention run's two tasks (core/retention-run.ts) on the in-memory store and fakes at a
 * fixed clock: what `actRetention` does at the moments of a customer's first term — the owner, the
 * welcome, the day-45 survey, a stale check-in, the renewal — and what `planRetention` answers; a task
 * of a run that is no longer the customer's is superseded, and a suppressed person gets no customer mail.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, fixedClock, HOUR_MS } from '../../functions/core/clock.js';
import { newCustomer } from '../../functions/core/customers.js';
import { SupersededError } from '../../functions/core/errors.js';
import { recordSignal } from '../../functions/core/health.js';
import type { Customer, Rep } from '../../functions/core/model.js';
import { retentionAgenda } from '../../functions/core/retention.js';
import { actRetention, planRetention, usageView, type RetentionDeps } from '../../functions/core/retention-run.js';
import { healthModel } from '../../workflows/programmes/health.js';
import { retentionProgramme } from '../../workflows/programmes/retention.js';
import { leadTemplates } from '../../workflows/templates/index.js';
import { ownerMessages } from '../../workflows/templates/owner.js';
import { InMemoryCustomerStore } from '../fakes/customers.js';
import { InMemoryContactStore, InMemoryRoster, RecordingMailer, RecordingPublisher, sequentialIds, testSendSettings } from '../fakes/index.js';
import { aLead } from '../fakes/leads.js';
import { RecordingRuns } from '../fakes/reps.js';

/** A Monday: day 0 of every customer here. */
const START = '2026-03-02';
const MANAGER = 'sales-manager@example.com';
/** Day `n` of the first term at 10:00 UTC (inside business hours on a weekday). */
const day = (n: number) => new Date(Date.parse(`${START}T10:00:00.000Z`) + n * DAY_MS);

const aRep = (repId: string, over: Partial<Rep> = {}): Rep => ({
  repId,
  name: `Rep ${repId}`,
  email: `${repId}@example.com`,
  status: 'active',
  createdAt: '2025-01-01T00:00:00.000Z',
  role: 'csm',
  certification: { certifiedAt: '2025-06-01T00:00:00.000Z', expiresAt: '2027-06-01T00:00:00.000Z', cycle: 1 },
  ...over,
});

function world(at: Date = day(0)) {
  const clock = fixedClock(at);
  const customers = new InMemoryCustomerStore(() => clock.now());
  const contacts = new InMemoryContactStore();
  const roster = new InMemoryRoster();
  const runs = new RecordingRuns();
  const publisher = new RecordingPublisher();
  const mailer = new RecordingMailer();
  const deps: RetentionDeps = {
    customers,
    contacts,
    reps: roster,
    roster,
    mailer,
    clock,
    ids: sequentialIds(),
    templates: leadTemplates,
    ownerMessages,
    settings: { ...testSendSettings(), managerEmail: MANAGER },
    runs,
    publisher,
    programme: retentionProgramme,
    healthModel,
    formUrl: 'https://www.example.test/',
  };
  /** A customer as the purchase stored it (term 1 from START, run 1), with `over` applied. */
  const stored = (leadId: string, over: Partial<Customer> = {}): Customer => {
    const customer: Customer = { ...newCustomer(aLead({ leadId }), { plan: 'Growth', startDate: START }, new Date(`${START}T08:00:00.000Z`)), version: 1, ...over };
    customers.put(customer);
    return customer;
  };
  /** The agenda keys due or coming at `now`, but `keep`: to leave only what a test is about. */
  const allBut = (customer: Customer, ...keep: string[]) =>
    retentionAgenda(customer, retentionProgramme, usageView(customer), clock.now())
      .map((i) => i.key)
      .filter((k) => !keep.includes(k));
  const mailTo = (email: string) => mailer.sent.filter((m) => m.to === email);
  return { clock, customers, contacts, roster, runs, publisher, mailer, deps, stored, allBut, mailTo };
}

/** Used the product yesterday: no quiet-stretch alert, no decay into at risk. */
const usedYesterday = (now: Date) => recordSignal(undefined, { kind: 'usage', at: new Date(now.getTime() - DAY_MS).toISOString() }, healthModel) as unknown as Record<string, unknown>;

describe('actRetention on day 0', () => {
  it('gives two new customers a certified CSM each, round-robin, tells each owner once and welcomes each customer once', async () => {
    const w = world();
    for (const rep of [aRep('csm-a'), aRep('csm-b'), aRep('csm-lapsed', { certification: { certifiedAt: '2024-01-01T00:00:00.000Z', expiresAt: '2025-01-01T00:00:00.000Z', cycle: 1 } }), aRep('ae-1', { role: 'ae' }), aRep('csm-gone', { status: 'inactive' })]) await w.roster.put(rep);
    const first = w.stored('lead-a');
    const second = w.stored('lead-b');

    for (const c of [first, second]) await actRetention(w.deps, { customerId: c.customerId, run: 1 });
    const owners = [(await w.customers.get(first.customerId))!.ownerId, (await w.customers.get(second.customerId))!.ownerId];
    expect(owners.sort()).toEqual(['csm-a', 'csm-b']);

    for (const c of [first, second]) {
      const owner = (await w.customers.get(c.customerId))!.ownerId!;
      expect(w.mailTo(`${owner}@example.com`).map((m) => m.subject)).toEqual([expect.stringContaining('New customer assigned to you')]);
      expect(w.mailTo(c.email)).toHaveLength(1);
      expect(w.mailTo(c.email)[0]!.subject).toBe(leadTemplates['retention-welcome']!.subject);
    }
    expect(w.publisher.events.filter((e) => e.type === 'CustomerOnboarded').map((e) => e.detail.customerId)).toEqual([first.customerId, second.customerId]);

    // Acting again at the same moment sends nothing more: each email has its one ledger entry.
    await actRetention(w.deps, { customerId: first.customerId, run: 1 });
    expect(w.mailer.sent).toHaveLength(4);
    expect((await w.customers.ledger(first.customerId)).map((l) => [l.ledgerKey, l.status])).toEqual([
      ['CustomerRetention#t1#assign-owner', 'sent'],
      ['CustomerRetention#t1#welcome', 'sent'],
    ]);
  });

  it('keeps no owner when the roster has no eligible CSM and no rep won the deal: the sales manager is told', async () => {
    const w = world();
    await w.roster.put(aRep('ae-1', { role: 'ae' }));
    const customer = w.stored('lead-a');
    await actRetention(w.deps, { customerId: customer.customerId, run: 1 });
    expect((await w.customers.get(customer.customerId))!.ownerId).toBeUndefined();
    expect(w.mailTo(MANAGER).map((m) => m.subject)).toEqual([expect.stringContaining('New customer assigned to you')]);
    expect(await w.customers.types(customer.customerId)).toContain('owner_assigned');
  });

  it('keeps the rep who won the deal as owner when the roster has no CSM', async () => {
    const w = world();
    await w.roster.put(aRep('ae-1', { role: 'ae' }));
    const customer = w.stored('lead-a', { ownerId: 'ae-1' });
    await actRetention(w.deps, { customerId: customer.customerId, run: 1 });
    expect((await w.customers.get(customer.customerId))!.ownerId).toBe('ae-1');
    expect(w.mailTo(customer.email)).toHaveLength(1);
  });

  it('plans the next wake-up within a day, as the health check comes at least daily', async () => {
    const w = world();
    await w.roster.put(aRep('csm-a'));
    const customer = w.stored('lead-a');
    await actRetention(w.deps, { customerId: customer.customerId, run: 1 });
    const plan = await planRetention(w.deps, { customerId: customer.customerId, run: 1 });
    expect(plan.action).toBe('act');
    expect(Date.parse(plan.at)).toBeGreaterThan(day(0).getTime());
    expect(Date.parse(plan.at)).toBeLessThanOrEqual(day(0).getTime() + 24 * HOUR_MS);
  });

  it('gives a suppressed person no customer mail, while the owner still hears of them', async () => {
    const w = world();
    await w.roster.put(aRep('csm-a'));
    const customer = w.stored('lead-a');
    await w.contacts.save({ email: customer.email, consent: { given: true, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web-form' }, suppressed: { at: '2026-02-01T00:00:00.000Z', reason: 'unsubscribed' }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-02-01T00:00:00.000Z', version: 0 }, 0);
    await actRetention(w.deps, { customerId: customer.customerId, run: 1 });
    expect(w.mailTo(customer.email)).toEqual([]);
    expect(w.mailTo('csm-a@example.com')).toHaveLength(1);
    const skipped = (await w.customers.timeline(customer.customerId)).filter((e) => e.type === 'email_skipped');
    expect(skipped.map((e) => [e.data?.step, e.data?.reason])).toEqual([['t1#welcome', 'unsubscribed']]);
    expect((await w.customers.ledger(customer.customerId)).map((l) => l.ledgerKey)).toEqual(['CustomerRetention#t1#assign-owner']);
    // Skipped is done: the welcome is not tried again.
    expect((await w.customers.get(customer.customerId))!.retention?.done).toContain('t1#welcome');
  });
});

describe('the consent of customer mail', () => {
  it('sends service mail (the welcome) without marketing consent, but the win-back is marketing: skipped without consent', async () => {
    const w = world();
    await w.roster.put(aRep('csm-a'));
    const customer = w.stored('lead-a');
    // Known to the contact list, marketing consent not given (the policy is opt-in).
    await w.contacts.save({ email: customer.email, consent: { given: false, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web-form' }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', version: 0 }, 0);
    await actRetention(w.deps, { customerId: customer.customerId, run: 1 });
    expect(w.mailTo(customer.email).map((m) => m.subject)).toEqual([expect.stringMatching(/Getting started/)]);

    // Cancelled three days ago: the first win-back mail is due, and it is marketing.
    const cancelled = { ...(await w.customers.get(customer.customerId))!, status: 'cancelled' as const, cancelledAt: day(0).toISOString(), run: 2, retention: { cancellations: 1 } };
    w.customers.put(cancelled);
    w.clock.set(day(3));
    await actRetention(w.deps, { customerId: customer.customerId, run: 2 });
    expect(w.mailTo(customer.email)).toHaveLength(1);
    const skipped = (await w.customers.timeline(customer.customerId)).filter((e) => e.type === 'email_skipped').map((e) => [e.data?.step, e.data?.reason]);
    expect(skipped).toEqual([['w1#winback-1', 'no-consent']]);
  });
});

describe('actRetention later in the term', () => {
  /** A customer on day `n` with everything before it done but `keep`, an owner, and recent usage. */
  function onDay(n: number, keep: string[], over: Partial<Customer> = {}) {
    const w = world(day(n));
    const base = w.stored('lead-a', { ownerId: 'csm-a', signals: usedYesterday(day(n)), ...over });
    const customer = { ...base, retention: { ...base.retention, done: w.allBut(base, ...keep) } };
    w.customers.put(customer);
    return { ...w, customer };
  }

  it('sends the day-45 survey with its eleven one-click scores, and records when it went', async () => {
    const w = onDay(45, ['t1#nps']);
    await w.roster.put(aRep('csm-a'));
    const { done } = await actRetention(w.deps, { customerId: w.customer.customerId, run: 1 });
    expect(done).toEqual(['t1#nps:sent']);
    const [survey, ...more] = w.mailTo(w.customer.email);
    expect(more).toEqual([]);
    expect(survey!.subject).toBe(leadTemplates['retention-nps-survey']!.subject);
    const scores = [...new Set([...survey!.text.matchAll(/[?&]score=(\d+)/g)].map((m) => Number(m[1])))];
    expect(scores.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(survey!.html.match(/score=\d+/g)).toHaveLength(11);
    const after = (await w.customers.get(w.customer.customerId))!;
    expect(after.lastSurveyAt).toBe(day(45).toISOString());
    expect(after.retention?.done).toContain('t1#nps');
  });

  it('skips the survey while a detractor’s quiet period lasts, and marks it done', async () => {
    const w = onDay(45, ['t1#nps'], { surveyQuietUntil: day(60).toISOString() });
    const { done } = await actRetention(w.deps, { customerId: w.customer.customerId, run: 1 });
    expect(done).toEqual(['t1#nps:skipped']);
    expect(w.mailer.sent).toEqual([]);
    expect(await w.customers.ledger(w.customer.customerId)).toEqual([]);
    const after = (await w.customers.get(w.customer.customerId))!;
    expect(after.retention?.done).toContain('t1#nps');
    expect(after.lastSurveyAt).toBeUndefined();
  });

  it('skips a check-in more than 14 days past its moment, noting it, rather than sending it late', async () => {
    const w = onDay(45, ['t1#first-value']);
    const { done } = await actRetention(w.deps, { customerId: w.customer.customerId, run: 1 });
    expect(done).toEqual(['t1#first-value:stale']);
    expect(w.mailer.sent).toEqual([]);
    expect(await w.customers.ledger(w.customer.customerId)).toEqual([]);
    const skipped = (await w.customers.timeline(w.customer.customerId)).filter((e) => e.type === 'email_skipped');
    expect(skipped.map((e) => e.data)).toEqual([{ step: 't1#first-value', reason: 'stale' }]);
    expect((await w.customers.get(w.customer.customerId))!.retention?.done).toContain('t1#first-value');
  });

  it('starts term 2 at the renewal date: the next run, CustomerRenewed, its start queued', async () => {
    const renewal = Math.round((Date.parse('2027-03-02T00:00:00Z') - Date.parse(`${START}T00:00:00Z`)) / DAY_MS);
    // The run that reaches the renewal is the continuation (run 2) the first one handed over to at day 300.
    const w = onDay(renewal, ['t1#term-end'], { run: 2, retention: { runStartedAt: day(300).toISOString() } });
    const { done } = await actRetention(w.deps, { customerId: w.customer.customerId, run: 2 });
    expect(done).toEqual(['t1#term-end:new-run']);
    const after = (await w.customers.get(w.customer.customerId))!;
    expect(after.term).toEqual({ number: 2, startDate: '2027-03-02', renewalDate: '2028-03-02', termMonths: 12 });
    expect(after.run).toBe(3);
    expect(w.publisher.events.filter((e) => e.type === 'CustomerRenewed')).toEqual([
      { type: 'CustomerRenewed', id: `${w.customer.customerId}:CustomerRenewed:2`, at: day(renewal).toISOString(), detail: { customerId: w.customer.customerId, term: 2, renewalDate: '2028-03-02', automatic: true } },
    ]);
    expect(w.runs.started).toEqual([{ workflow: 'CustomerRetention', subjectId: w.customer.customerId, input: { customerId: w.customer.customerId, run: 3 } }]);
    // The old run's next task finds itself superseded.
    await expect(planRetention(w.deps, { customerId: w.customer.customerId, run: 2 })).rejects.toBeInstanceOf(SupersededError);
  });
});

describe('a task of a run that is not the customer’s', () => {
  it('is superseded when the customer moved on to another run', async () => {
    const w = world();
    const customer = w.stored('lead-a', { run: 2 });
    await expect(actRetention(w.deps, { customerId: customer.customerId, run: 1 })).rejects.toBeInstanceOf(SupersededError);
    await expect(planRetention(w.deps, { customerId: customer.customerId, run: 1 })).rejects.toBeInstanceOf(SupersededError);
    expect(w.mailer.sent).toEqual([]);
    expect(await w.customers.get(customer.customerId)).toEqual(customer);
  });

  it('is superseded when the customer is gone (erased)', async () => {
    const w = world();
    await expect(actRetention(w.deps, { customerId: 'cus-erased', run: 1 })).rejects.toBeInstanceOf(SupersededError);
    await expect(planRetention(w.deps, { customerId: 'cus-erased', run: 1 })).rejects.toBeInstanceOf(SupersededError);
    expect(w.customers.customers.size).toBe(0);
  });
});
