/**
 * Post-purchase retention as the core sees it: the programme's shape (the data is in
 * workflows/programmes/retention.ts, validated at synth), a customer's contract terms, and the agenda —
 * one pure function answering what is due for a customer and when, so the task that plans the next
 * wake-up and the task that acts at it can never disagree (a plan the act finds nothing for would spin).
 *
 * Every moment counts from the customer's own term, computed at run time: check-ins from the start
 * date, renewal reminders back from the renewal date. Customer-facing moments are moved into business
 * hours (the deployment's zone: customers carry none); a check-in marked `hold` waits while a
 * high-severity support ticket is open. Follow-ups that events ask for (a detractor's alert, the at-risk
 * playbook, a referral's thank-you) are due at once. A run also wakes at least every `checkEveryHours`
 * to recompute health (it decays with inactivity) and to notice a customer who stopped using the product.
 */
import { addDays, endOfLocalDate, nextOpening, type BusinessHours } from './business-hours.js';
import { DAY_MS, HOUR_MS } from './clock.js';
import type { Customer, CustomerTerm } from './model.js';

export interface RetentionCheckIn {
  /** Step id: part of the ledger key (`t<term>#<id>`). */
  id: string;
  /** Days after the term's start date. */
  day: number;
  template: string;
  /** Held while a high-severity ticket is open (a "how is it going?" mail then would be tone-deaf). */
  hold?: boolean;
}

export interface RetentionProgramme {
  /** One-off check-ins of every term (welcome day 0, set-up day 7, first value day 30). */
  checkIns: RetentionCheckIn[];
  /** Recurring customer check-ins: first at `firstDay`, then every `everyDays`, inside the term. */
  quarterly: { template: string; firstDay: number; everyDays: number };
  /** The NPS survey, `day` days into each term (the send is throttled to one per `throttleDays`). */
  survey: { day: number; template: string; throttleDays: number; detractorQuietDays: number };
  /** Business review invitations to the owner: first at `firstDay`, then every `everyDays`. */
  businessReview: { firstDay: number; everyDays: number };
  renewal: {
    /** Reminders to the owner, days before the renewal date. */
    ownerDaysBefore: number[];
    /** Reminders to the customer, days before the renewal date, with their template. */
    customer: Array<{ daysBefore: number; template: string }>;
    /** At the renewal date without a cancellation the next term starts by itself. */
    autoRenew: boolean;
  };
  /** No product usage for `days` → a "need a hand?" check-in and the owner told (once per quiet stretch). */
  noUsage: { days: number; template: string };
  /** Closed-loop NPS follow-ups by category (detractors: the owner is told, no mail to the customer). */
  followUps: { passiveTemplate: string; promoterTemplate: string; referralThanksTemplate: string; atRiskTemplate: string };
  /** After a cancellation: a short sequence, days after it. */
  winBack: Array<{ id: string; day: number; template: string }>;
  /** The run re-plans at least this often (health decay, no-usage). */
  checkEveryHours: number;
  /** A run ends after this many days and the next continues the term (Step Functions' one-year limit). */
  maxRunDays: number;
  /** Customer-facing mail goes inside these hours in this zone. */
  businessHours: BusinessHours;
  defaultTimeZone: string;
  /** Default contract length when a purchase names none. */
  defaultTermMonths: number;
}

/** A one-off follow-up an event asked for, due at once (kept on the customer until acted on). */
export type FollowUp = NonNullable<NonNullable<Customer['retention']>['followUps']>[number];

export type RetentionItemKind =
  | 'assign-owner'
  | 'check-in'
  | 'survey'
  | 'business-review'
  | 'renewal-owner'
  | 'renewal-customer'
  | 'no-usage'
  | 'follow-up'
  | 'term-end'
  | 'continue'
  | 'win-back';

export interface RetentionItem {
  kind: RetentionItemKind;
  /** Unique within the customer's lifetime: the done-marker and the ledger key's base. */
  key: string;
  at: Date;
  template?: string;
  /** When it was due before any deferral (a check-in far past it is stale: skipped, not sent late). */
  due?: Date;
  /** renewal reminders: days before; business reviews: which one (1, 2, …). */
  n?: number;
  followUp?: FollowUp;
}

/**
 * What the customer record keeps of the programme: agenda keys acted on (sent, skipped or not applicable),
 * keys a policy deferred with the time they may go, the follow-ups events asked for, when the current run
 * started (for `maxRunDays`), the last usage the no-usage alert was about, and how often it cancelled.
 */
export type RetentionState = NonNullable<Customer['retention']>;
export type RetentionCustomer = Customer;

/** YYYY-MM-DD plus whole months (the day clamped to the month's end: 31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}

export function termFrom(number: number, startDate: string, termMonths: number): CustomerTerm {
  return { number, startDate, renewalDate: addMonths(startDate, termMonths), termMonths };
}

/** The start of the local day `days` after a YYYY-MM-DD in `zone` (the raw moment; customer-facing ones move into business hours). */
const dayOf = (date: string, days: number, zone: string) => new Date(endOfLocalDate(addDays(date, Math.floor(days) - 1), zone).getTime() + 1000);

/** Days in a term (its renewal date minus its start). */
export const termDays = (term: CustomerTerm) => Math.round((Date.parse(`${term.renewalDate}T00:00:00Z`) - Date.parse(`${term.startDate}T00:00:00Z`)) / DAY_MS);

export const termKey = (term: CustomerTerm, id: string) => `t${term.number}#${id}`;

/** Usage signal summary the agenda needs (core/health.ts keeps the full signals). */
export interface UsageView {
  lastUsedAt?: string;
  highSeverityOpen: boolean;
}

/**
 * Everything on the customer's agenda as seen at `now`, done items left out. Customer-facing moments are
 * never before `now` and always inside business hours; a deferred item waits for its `notBefore`.
 */
export function retentionAgenda(customer: RetentionCustomer, programme: RetentionProgramme, usage: UsageView, now: Date): RetentionItem[] {
  if (!customer.email) return [];
  const state = customer.retention ?? {};
  const done = new Set(state.done ?? []);
  const zone = programme.defaultTimeZone;
  const items: RetentionItem[] = [];
  const notBefore = (key: string, t: Date) => {
    const deferred = state.notBefore?.[key];
    const floor = deferred && Date.parse(deferred) > now.getTime() ? new Date(deferred) : now;
    return t < floor ? floor : t;
  };
  const toCustomer = (key: string, raw: Date) => nextOpening(notBefore(key, raw), zone, programme.businessHours);
  const toOwner = (key: string, raw: Date) => notBefore(key, raw);
  const push = (item: Omit<RetentionItem, 'at'> & { raw: Date; customerFacing: boolean }) => {
    if (done.has(item.key)) return;
    const { raw, customerFacing, ...rest } = item;
    items.push({ ...rest, due: raw, at: customerFacing ? toCustomer(item.key, raw) : toOwner(item.key, raw) });
  };

  // A detractor's alert and a win-back reply go to the owner at once; the others mail the customer, in business hours.
  for (const f of state.followUps ?? []) {
    push({ kind: 'follow-up', key: `follow-up#${f.key}`, raw: new Date(f.at), customerFacing: f.kind !== 'detractor' && f.kind !== 'win-back-reply', followUp: f });
  }
  // A win-back the person answered is over: the owner has it.
  const replied = (state.followUps ?? []).some((f) => f.kind === 'win-back-reply') || [...done].some((k) => k.startsWith('follow-up#win-back-reply-'));

  if (customer.status === 'cancelled') {
    const cancelledOn = (customer.cancelledAt ?? now.toISOString()).slice(0, 10);
    const round = state.cancellations ?? 1;
    const answered = replied && [...done, ...(state.followUps ?? []).map((f) => `follow-up#${f.key}`)].includes(`follow-up#win-back-reply-${round}`);
    for (const step of answered ? [] : programme.winBack) {
      push({ kind: 'win-back', key: `w${round}#${step.id}`, raw: dayOf(cancelledOn, step.day, zone), customerFacing: true, template: step.template });
    }
    return items;
  }

  const term = customer.term;
  if (!term) return items;
  const start = term.startDate;
  const length = termDays(term);
  const renewal = dayOf(term.renewalDate, 0, zone);

  // The first term decides the owner: a certified CSM when the roster has one, else the rep who won the deal.
  if (term.number === 1) push({ kind: 'assign-owner', key: termKey(term, 'assign-owner'), raw: dayOf(start, 0, zone), customerFacing: false });

  // The one-off check-ins (welcome, set-up, first value) belong to a customer's first term only.
  for (const c of term.number === 1 ? programme.checkIns : []) {
    if (c.day >= length) continue;
    if (c.hold && usage.highSeverityOpen) continue;
    push({ kind: 'check-in', key: termKey(term, c.id), raw: dayOf(start, c.day, zone), customerFacing: true, template: c.template });
  }
  for (let day = programme.quarterly.firstDay, n = 1; day < length; day += programme.quarterly.everyDays, n++) {
    if (usage.highSeverityOpen) break;
    push({ kind: 'check-in', key: termKey(term, `quarterly-${n}`), raw: dayOf(start, day, zone), customerFacing: true, template: programme.quarterly.template, n });
  }
  if (programme.survey.day < length) push({ kind: 'survey', key: termKey(term, 'nps'), raw: dayOf(start, programme.survey.day, zone), customerFacing: true, template: programme.survey.template });
  for (let day = programme.businessReview.firstDay, n = 1; day < length; day += programme.businessReview.everyDays, n++) {
    push({ kind: 'business-review', key: termKey(term, `review-${n}`), raw: dayOf(start, day, zone), customerFacing: false, n });
  }
  for (const d of programme.renewal.ownerDaysBefore) {
    if (d >= length) continue;
    push({ kind: 'renewal-owner', key: termKey(term, `renewal-owner-${d}`), raw: new Date(renewal.getTime() - d * DAY_MS), customerFacing: false, n: d });
  }
  for (const r of programme.renewal.customer) {
    if (r.daysBefore >= length) continue;
    push({ kind: 'renewal-customer', key: termKey(term, `renewal-${r.daysBefore}`), raw: new Date(renewal.getTime() - r.daysBefore * DAY_MS), customerFacing: true, template: r.template, n: r.daysBefore });
  }

  // A quiet stretch: no usage since the last use (or the start) for `noUsage.days`, alerted once per stretch.
  const lastUse = usage.lastUsedAt ?? `${start}T00:00:00.000Z`;
  const quietFrom = usage.lastUsedAt ? usage.lastUsedAt.slice(0, 10) : `start-${start}`;
  if (state.noUsageAlertedFor !== quietFrom) {
    push({ kind: 'no-usage', key: termKey(term, `no-usage-${quietFrom}`), raw: new Date(Date.parse(lastUse) + programme.noUsage.days * DAY_MS), customerFacing: true, template: programme.noUsage.template });
  }

  if (programme.renewal.autoRenew) items.push({ kind: 'term-end', key: termKey(term, 'term-end'), at: notBefore(termKey(term, 'term-end'), renewal) });
  if (state.runStartedAt) {
    const limit = new Date(Date.parse(state.runStartedAt) + programme.maxRunDays * DAY_MS);
    if (limit < renewal) items.push({ kind: 'continue', key: `continue#${customer.run ?? 0}`, at: limit < now ? now : limit });
  }
  return items;
}

/** The next wake-up: the earliest item, or the next health check while the customer is active; undefined: the run ends. */
export function nextRetentionWakeUp(customer: RetentionCustomer, programme: RetentionProgramme, usage: UsageView, now: Date): Date | undefined {
  const times = retentionAgenda(customer, programme, usage, now).map((i) => i.at.getTime());
  if (customer.status !== 'cancelled' && customer.term) times.push(now.getTime() + programme.checkEveryHours * HOUR_MS);
  return times.length ? new Date(Math.min(...times)) : undefined;
}

/** What is due at `now`, follow-ups first, then in time order. */
export function dueRetentionItems(customer: RetentionCustomer, programme: RetentionProgramme, usage: UsageView, now: Date): RetentionItem[] {
  const order = (i: RetentionItem) => (i.kind === 'follow-up' ? 0 : i.kind === 'assign-owner' ? 1 : i.kind === 'term-end' || i.kind === 'continue' ? 3 : 2);
  return retentionAgenda(customer, programme, usage, now)
    .filter((i) => i.at.getTime() <= now.getTime())
    .sort((a, b) => order(a) - order(b) || a.at.getTime() - b.at.getTime());
}

/** Days until the renewal date (negative once passed). */
export const daysToRenewal = (term: CustomerTerm, now: Date) => Math.ceil((Date.parse(`${term.renewalDate}T00:00:00Z`) - now.getTime()) / DAY_MS);

