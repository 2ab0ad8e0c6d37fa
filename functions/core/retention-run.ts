/**
 * The two tasks of a CustomerRetention run, which loops: plan → wait until the planned time → act → plan
 * (the same shape as RepOnboarding, on the same engine).
 *
 * - `planRetention` answers when the next thing is due (core/retention.ts), at the latest the next
 *   health check, or that nothing is left (a finished win-back: the run ends).
 * - `actRetention` recomputes health, then does what is due, each email through the send chokepoint
 *   with its own exactly-once key: owner assignment (a certified CSM round-robin, else the rep who won
 *   the deal), check-ins, the NPS survey (at most one per 90 days, none for 90 days after a detractor),
 *   business reviews and renewal reminders to the owner, the customer's renewal reminder, the "need a
 *   hand?" check-in after a quiet stretch, the closed-loop follow-ups events asked for, and at the
 *   renewal date the next term (a new run). A task of an older run throws SupersededError.
 */
import { DAY_MS } from './clock.js';
import { deliverCustomerEmail, type Audience, type CustomerDelivery, type CustomerMail, type CustomerSendDeps } from './customer-send.js';
import { signalsOf, updateHealth } from './customer-health.js';
import { SupersededError } from './errors.js';
import { daysWithoutUsage, hasHighSeverityOpen, recordSignal, type HealthModel } from './health.js';
import type { Customer, Rep, SubjectTimelineEntry } from './model.js';
import { signSurveyToken } from './nps-token.js';
import { renderSurveyScale, surveyAllowed, surveyLinks } from './nps.js';
import type { EventPublisher, WorkflowRuns } from './ports.js';
import { referralUrl, signReferralCode } from './referral.js';
import { repEntry } from './rep-send.js';
import { daysToRenewal, dueRetentionItems, nextRetentionWakeUp, termFrom, type FollowUp, type RetentionCustomer, type RetentionItem, type RetentionProgramme, type UsageView } from './retention.js';
import { withOptimisticRetry } from './retry.js';
import { assertCurrentRun, supersedeRun } from './runs.js';

const WORKFLOW = 'CustomerRetention' as const;
/** A check-in more than this late is skipped rather than sent. */
const STALE_CHECK_IN_DAYS = 14;

export interface RetentionDeps extends CustomerSendDeps {
  runs: WorkflowRuns;
  publisher: EventPublisher;
  programme: RetentionProgramme;
  healthModel: HealthModel;
  programmeVersion?: number;
  /** Active reps, for a CSM owner round-robin. */
  roster: { listActive(): Promise<Rep[]>; nextTurn(): Promise<number> };
  /** The web form a referral link opens. */
  formUrl: string;
}

async function currentCustomer(deps: Pick<RetentionDeps, 'customers'>, customerId: string, run: number): Promise<RetentionCustomer> {
  const customer = await deps.customers.get(customerId);
  // Erased meanwhile: the run ends quietly (nothing may be written into the erased partition again).
  if (!customer) throw new SupersededError(`customer ${customerId} no longer exists`);
  assertCurrentRun(WORKFLOW, customerId, customer.run, run);
  return customer as RetentionCustomer;
}

export const usageView = (customer: Customer): UsageView => {
  const signals = signalsOf(customer);
  return { ...(signals?.lastUsedAt ? { lastUsedAt: signals.lastUsedAt } : {}), highSeverityOpen: hasHighSeverityOpen(signals) };
};

export interface PlanResult {
  action: 'act' | 'end';
  at: string;
}

export async function planRetention(deps: RetentionDeps, req: { customerId: string; run: number }): Promise<PlanResult> {
  const customer = await currentCustomer(deps, req.customerId, req.run);
  const now = deps.clock.now();
  const at = nextRetentionWakeUp(customer, deps.programme, usageView(customer), now);
  return at ? { action: 'act', at: at.toISOString() } : { action: 'end', at: now.toISOString() };
}

export async function actRetention(deps: RetentionDeps, req: { customerId: string; run: number }): Promise<{ done: string[] }> {
  await checkHealth(deps, req);
  const done: string[] = [];
  const customer = await currentCustomer(deps, req.customerId, req.run);
  for (const item of dueRetentionItems(customer, deps.programme, usageView(customer), deps.clock.now())) {
    const outcome = await act(deps, req, item);
    done.push(`${item.key}:${outcome}`);
    // A new run took over (the next term, a continuation): this one stops acting.
    if (outcome === 'new-run') break;
  }
  return { done };
}

/** Health decays with inactivity: recomputed on every wake-up, a change recorded and published. */
async function checkHealth(deps: RetentionDeps, req: { customerId: string; run: number }) {
  const events = await withOptimisticRetry(async () => {
    const customer = await currentCustomer(deps, req.customerId, req.run);
    const update = updateHealth(customer, deps.healthModel, deps.ids, deps.clock.now());
    if (!update.entries.length && !update.playbook) return [];
    await deps.customers.save({ ...update.customer, updatedAt: deps.clock.now().toISOString() }, customer.version ?? 0, update.entries);
    return update.events;
  });
  if (events.length) await deps.publisher.publish(events);
}

/** An item far past its moment is skipped and noted on the timeline rather than sent late. */
async function skippedAsStale(deps: RetentionDeps, req: { customerId: string; run: number }, item: RetentionItem): Promise<boolean> {
  if (!item.due || deps.clock.now().getTime() - item.due.getTime() <= STALE_CHECK_IN_DAYS * DAY_MS) return false;
  await deps.customers.appendTimeline(req.customerId, [repEntry(deps.ids, deps.clock.now(), 'email_skipped', `Skipped ${item.template ?? item.kind}: more than ${STALE_CHECK_IN_DAYS} days past its moment`, { step: item.key, reason: 'stale' })]);
  await markItem(deps, req, item.key);
  return true;
}

/** Marks agenda keys done (or deferred to `until`) on their own, when the send's claim could not carry it. */
async function markItem(deps: RetentionDeps, req: { customerId: string; run: number }, key: string, until?: string, change?: (c: RetentionCustomer) => RetentionCustomer) {
  await withOptimisticRetry(async () => {
    const customer = await currentCustomer(deps, req.customerId, req.run);
    const state = customer.retention ?? {};
    if (!until && state.done?.includes(key) && !change) return;
    const next: RetentionCustomer = change ? change(customer) : customer;
    const retention = until
      ? { ...next.retention, notBefore: { ...next.retention?.notBefore, [key]: until } }
      : { ...next.retention, done: doneWith(next.retention?.done, key), followUps: (next.retention?.followUps ?? []).filter((f) => `follow-up#${f.key}` !== key) };
    await deps.customers.save({ ...next, retention, updatedAt: deps.clock.now().toISOString() }, customer.version ?? 0, []);
  });
}

/** Done keys, newest last, bounded (keys carry their term, so old terms' keys can go). */
const doneWith = (done: string[] | undefined, key: string) => [...(done ?? []).filter((k) => k !== key), key].slice(-200);
const withDone = (c: RetentionCustomer, key: string): RetentionCustomer => ({
  ...c,
  retention: { ...c.retention, done: doneWith(c.retention?.done, key), followUps: (c.retention?.followUps ?? []).filter((f) => `follow-up#${f.key}` !== key) },
});

/** One email of an agenda item, the item marked done with the claim; a skip or duplicate marks it on its own, a deferral sets its time. */
/** Who an agenda email goes to, and for the customer what kind of mail it is (the chokepoint's policy follows). */
const OWNER: Audience = { to: 'owner' };
const SERVICE: Audience = { to: 'customer', category: 'transactional' };
const MARKETING: Audience = { to: 'customer', category: 'marketing' };

async function send(deps: RetentionDeps, audience: Audience, req: { customerId: string; run: number }, key: string, step: string, what: string, compose: (c: RetentionCustomer, now: Date) => CustomerMail | undefined, markDone = true): Promise<string> {
  const delivery: CustomerDelivery = {
    customerId: req.customerId,
    run: req.run,
    step,
    what,
    audience,
    window: { timeZone: deps.programme.defaultTimeZone, hours: deps.programme.businessHours },
    compose: (c, now) => {
      const mail = compose(c as RetentionCustomer, now);
      if (!mail) return undefined;
      const base = (mail.customer ?? c) as RetentionCustomer;
      // A check-in sent counts for the health score's engagement (did the customer open or click it?).
      const counted = mail.to === 'customer' ? { ...base, signals: recordSignal(signalsOf(base), { kind: 'check-in-sent', at: now.toISOString(), checkInId: step }, deps.healthModel) as unknown as Record<string, unknown> } : base;
      return { ...mail, customer: markDone ? withDone(counted, key) : counted };
    },
  };
  const result = await deliverCustomerEmail(deps, delivery);
  if (result.outcome === 'deferred') await markItem(deps, req, key, result.until ?? new Date(deps.clock.now().getTime() + DAY_MS / 24).toISOString());
  else if (result.outcome !== 'sent' && markDone) await markItem(deps, req, key);
  return result.outcome;
}

async function act(deps: RetentionDeps, req: { customerId: string; run: number }, item: RetentionItem): Promise<string> {
  const { programme, ownerMessages: m } = deps;
  const key = item.key;
  switch (item.kind) {
    case 'assign-owner':
      return assignOwner(deps, req, key);
    case 'check-in':
      // Held by an open ticket or a run started late: a check-in weeks past its moment would read oddly; skipped, noted.
      if (await skippedAsStale(deps, req, item)) return 'stale';
      return send(deps, SERVICE, req, key, key, item.template!, () => ({ to: 'customer', template: item.template!, category: 'transactional' }));
    case 'renewal-customer':
      return send(deps, SERVICE, req, key, key, item.template!, () => ({ to: 'customer', template: item.template!, category: 'transactional' }));
    case 'win-back':
      return send(deps, MARKETING, req, key, key, item.template!, () => ({ to: 'customer', template: item.template!, category: 'marketing' }));
    case 'survey':
      return send(deps, SERVICE, req, key, key, 'NPS survey', (c, now) => {
        const quiet = c.surveyQuietUntil && Date.parse(c.surveyQuietUntil) > now.getTime();
        if (quiet || !surveyAllowed(c.lastSurveyAt, now, programme.survey.throttleDays)) return undefined;
        const token = signSurveyToken(c.customerId, key, deps.settings.signingKey);
        const links = surveyLinks(deps.settings.publicBaseUrl, token);
        return {
          to: 'customer',
          template: item.template!,
          category: 'transactional',
          appendix: renderSurveyScale(links),
          links: { surveyUrl: links[10]!.url.replace(/&score=10$/, '') },
          customer: { ...c, lastSurveyAt: now.toISOString() },
        };
      });
    case 'business-review':
      // A customer bought with an old start date (an import) would get every past quarter's review at once.
      if (await skippedAsStale(deps, req, item)) return 'stale';
      return send(deps, OWNER, req, key, key, 'business review invitation', () => ({ to: 'owner', message: (o, s) => m.businessReview(o, s, item.n ?? 1) }));
    case 'renewal-owner': {
      const outcome = await send(deps, OWNER, req, key, key, `renewal reminder (${item.n} days)`, () => ({ to: 'owner', message: (o, s) => m.renewalReminder(o, s, item.n!) }));
      const customer = await deps.customers.get(req.customerId);
      if (customer?.term && item.n === Math.max(...programme.renewal.ownerDaysBefore)) {
        const at = deps.clock.now().toISOString();
        await deps.publisher.publish([{ type: 'RenewalDue', id: `${req.customerId}:RenewalDue:${customer.term.number}`, at, detail: { customerId: req.customerId, renewalDate: customer.term.renewalDate, daysLeft: daysToRenewal(customer.term, deps.clock.now()), term: customer.term.number } }]);
      }
      return outcome;
    }
    case 'no-usage': {
      const customer = await currentCustomer(deps, req.customerId, req.run);
      const days = daysWithoutUsage(signalsOf(customer), `${customer.term?.startDate ?? customer.since.slice(0, 10)}T00:00:00.000Z`, deps.clock.now());
      const quietFor = key.slice(key.indexOf('no-usage-') + 'no-usage-'.length);
      await send(deps, OWNER, req, key, `${key}#owner`, 'no-usage alert', () => ({ to: 'owner', message: (o, s) => m.noUsage(o, s, days) }), false);
      return send(deps, SERVICE, req, key, key, item.template!, (c, now) => offerHelp(deps, c, now, item.template!, { noUsageAlertedFor: quietFor }));
    }
    case 'follow-up':
      return followUp(deps, req, key, item.followUp!);
    case 'term-end':
      return nextTerm(deps, req);
    case 'continue':
      return continueRun(deps, req);
  }
}

async function followUp(deps: RetentionDeps, req: { customerId: string; run: number }, key: string, f: FollowUp): Promise<string> {
  const { programme, ownerMessages: m } = deps;
  const data = f.data ?? {};
  switch (f.kind) {
    case 'detractor':
      return send(deps, OWNER, req, key, key, 'detractor alert', () => ({ to: 'owner', message: (o, s) => m.detractor(o, s, Number(data.score), typeof data.comment === 'string' ? data.comment : undefined) }));
    case 'passive':
      return send(deps, SERVICE, req, key, key, programme.followUps.passiveTemplate, () => ({ to: 'customer', template: programme.followUps.passiveTemplate, category: 'transactional' }));
    case 'promoter':
      return send(deps, SERVICE, req, key, key, programme.followUps.promoterTemplate, (c) => ({
        to: 'customer',
        template: programme.followUps.promoterTemplate,
        category: 'transactional',
        links: { referralUrl: referralUrl(deps.formUrl, signReferralCode(c.customerId, deps.settings.signingKey)) },
      }));
    case 'at-risk': {
      const reasons = Array.isArray(data.reasons) ? data.reasons.map(String) : [];
      await send(deps, OWNER, req, key, `${key}#owner`, 'at-risk alert', () => ({ to: 'owner', message: (o, s) => m.atRisk(o, s, reasons) }), false);
      return send(deps, SERVICE, req, key, key, programme.followUps.atRiskTemplate, (c, now) => offerHelp(deps, c, now, programme.followUps.atRiskTemplate));
    }
    case 'win-back-reply':
      return send(deps, OWNER, req, key, key, 'win-back reply', () => ({ to: 'owner', message: (o, s) => m.winBackReply(o, s) }));
    case 'referral-converted': {
      const referred = typeof data.referredName === 'string' ? data.referredName : 'someone you referred';
      await send(deps, OWNER, req, key, `${key}#owner`, 'referral converted', () => ({ to: 'owner', message: (o, s) => m.referralConverted(o, s, referred) }), false);
      return send(deps, SERVICE, req, key, key, programme.followUps.referralThanksTemplate, () => ({ to: 'customer', template: programme.followUps.referralThanksTemplate, category: 'transactional' }));
    }
  }
}

/**
 * The customer's "need a hand?" mail, unless help was offered within the no-usage stretch already (the
 * no-usage check-in and the at-risk playbook's extra check-in often fall within days of each other): the
 * owner is told either way, the customer is asked once.
 */
function offerHelp(deps: RetentionDeps, c: RetentionCustomer, now: Date, template: string, state: Partial<NonNullable<Customer['retention']>> = {}): CustomerMail | undefined {
  const last = c.retention?.helpOfferedAt;
  if (last && now.getTime() - Date.parse(last) < deps.programme.noUsage.days * DAY_MS) return undefined;
  return { to: 'customer', template, category: 'transactional', customer: { ...c, retention: { ...c.retention, ...state, helpOfferedAt: now.toISOString() } } };
}

/** An eligible CSM: active, role csm, certification unexpired. */
const isCsm = (rep: Rep, now: Date) => rep.status === 'active' && rep.role === 'csm' && (!rep.certification || Date.parse(rep.certification.expiresAt) > now.getTime());

async function assignOwner(deps: RetentionDeps, req: { customerId: string; run: number }, key: string): Promise<string> {
  const now = deps.clock.now();
  const csms = (await deps.roster.listActive()).filter((r) => isCsm(r, now));
  const pick = csms.length ? csms[(await deps.roster.nextTurn()) % csms.length] : undefined;
  const saved = await withOptimisticRetry(async () => {
    const customer = await currentCustomer(deps, req.customerId, req.run);
    if (customer.retention?.done?.includes(key)) return undefined;
    const ownerId = pick?.repId ?? customer.ownerId;
    const entries: SubjectTimelineEntry[] = [
      repEntry(deps.ids, now, 'owner_assigned', ownerId ? `Owner: ${pick ? `${pick.name} (CSM, round-robin)` : 'the rep who won the deal'}` : 'No owner: no CSM on the roster and no rep won the deal; the sales manager is told instead', { ownerId: ownerId ?? null, csm: Boolean(pick) }),
    ];
    return deps.customers.save({ ...withDone(customer, key), ...(ownerId ? { ownerId } : {}), updatedAt: now.toISOString() }, customer.version ?? 0, entries);
  });
  if (!saved) return 'skipped';
  await send(deps, OWNER, req, `${key}#mail`, key, 'new customer', () => ({ to: 'owner', message: (o, s) => deps.ownerMessages.customerAssigned(o, s) }), false);
  await deps.publisher.publish([{ type: 'CustomerOnboarded', id: `${req.customerId}:CustomerOnboarded`, at: now.toISOString(), detail: { customerId: req.customerId, ownerId: saved.ownerId ?? null, plan: saved.plan ?? null } }]);
  return 'assigned';
}

/** At the renewal date, without a cancellation: the next term, in a new run. */
async function nextTerm(deps: RetentionDeps, req: { customerId: string; run: number }): Promise<string> {
  const now = deps.clock.now();
  let renewed: Customer | undefined;
  const saved = await withOptimisticRetry(async () => {
    const customer = await currentCustomer(deps, req.customerId, req.run);
    if (!customer.term || customer.status === 'cancelled') return undefined;
    const term = termFrom(customer.term.number + 1, customer.term.renewalDate, customer.term.termMonths);
    const next: RetentionCustomer = { ...customer, term, run: (customer.run ?? 0) + 1, programmeVersion: deps.programmeVersion, retention: { ...customer.retention, runStartedAt: now.toISOString(), notBefore: {} }, updatedAt: now.toISOString() };
    renewed = next;
    return deps.customers.save(next, customer.version ?? 0, [repEntry(deps.ids, now, 'term_started', `Term ${term.number} started (renewed automatically): ${term.startDate} to ${term.renewalDate}`, { term })]);
  });
  if (!saved || !renewed) return 'skipped';
  await deps.publisher.publish([{ type: 'CustomerRenewed', id: `${req.customerId}:CustomerRenewed:${saved.term!.number}`, at: now.toISOString(), detail: { customerId: req.customerId, term: saved.term!.number, renewalDate: saved.term!.renewalDate, automatic: true } }]);
  await supersedeRun(deps.runs, WORKFLOW, req.customerId, undefined, { customerId: req.customerId, run: saved.run! }, 'next term');
  return 'new-run';
}

/** A term longer than a run may last: the next run continues it (Step Functions' one-year limit). */
async function continueRun(deps: RetentionDeps, req: { customerId: string; run: number }): Promise<string> {
  const now = deps.clock.now();
  const saved = await withOptimisticRetry(async () => {
    const customer = await currentCustomer(deps, req.customerId, req.run);
    return deps.customers.save({ ...customer, run: (customer.run ?? 0) + 1, retention: { ...customer.retention, runStartedAt: now.toISOString() }, updatedAt: now.toISOString() } as RetentionCustomer, customer.version ?? 0, []);
  });
  await supersedeRun(deps.runs, WORKFLOW, req.customerId, undefined, { customerId: req.customerId, run: saved.run! }, 'continuation');
  return 'new-run';
}

