/**
 * Customers: made by a purchase (the `purchased` event of a lead, or POST /customers for one won outside
 * the funnel), then moved by what they do. Every change is one conditional write of the customer with
 * its timeline and the processed-event marker (a repeated eventId changes nothing), and asks for a new
 * retention run only when its run must act now (a new term, a cancellation, an NPS answer, a crossing
 * into at risk, a referral converted): the write itself puts the customer in the run outbox.
 * - product_used / support_ticket: health signals (core/customer-health.ts);
 * - nps_submitted (and the survey link, POST /customers/{id}/feedback): the closed loop (core/nps.ts);
 * - subscription_renewed: the next term, a new run; subscription_cancelled: the cycle ends, win-back runs;
 * - purchased of a cancelled customer: reactivated on a new term.
 */
import { updateHealth } from './customer-health.js';
import { ConflictError, DuplicateEventError, NotFoundError, ValidationError } from './errors.js';
import { TICKET_SEVERITIES, type HealthModel, type HealthSignal, type TicketSeverity } from './health.js';
import type { Customer, CustomerNps, DomainEvent, EngagementEvent, Lead, SubjectTimelineEntry } from './model.js';
import { customerIdFor } from './normalize.js';
import { npsCategory, validNpsScore } from './nps.js';
import type { CustomerStore, EventPublisher, IdGenerator, WorkflowRuns } from './ports.js';
import { repEntry } from './rep-send.js';
import { termFrom, type FollowUp, type RetentionCustomer } from './retention.js';
import { withOptimisticRetry } from './retry.js';

export const DEFAULT_TERM_MONTHS = 12;
/** NPS answers kept on the record (the timeline has all of them). */
const NPS_KEPT = 20;
const DETRACTOR_QUIET_DAYS = 90;

/** Events about a customer rather than a lead: they go to the customer (POST /events routes them here). */
export const CUSTOMER_EVENT_TYPES = ['product_used', 'support_ticket', 'nps_submitted', 'subscription_renewed', 'subscription_cancelled'] as const;
export const isCustomerEvent = (type: string) => (CUSTOMER_EVENT_TYPES as readonly string[]).includes(type);

/** What a purchase may say about the contract (the `purchased` event's properties, POST /customers). */
export interface PurchaseTerms {
  plan?: string;
  amount?: number;
  currency?: string;
  termMonths?: number;
  /** YYYY-MM-DD; default: the day of the purchase. */
  startDate?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (s: string) => DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

/** Purchase terms from free-form properties; each bad one is named (`properties.termMonths`). */
export function purchaseTerms(properties: Record<string, unknown> | undefined, path = 'properties'): PurchaseTerms {
  const p = properties ?? {};
  const problems: Array<{ path: string; message: string }> = [];
  const terms: PurchaseTerms = {};
  if (p.plan !== undefined) {
    if (typeof p.plan !== 'string' || !p.plan.trim() || p.plan.length > 100 || /[\u0000-\u001f\u007f]/.test(p.plan)) problems.push({ path: `${path}.plan`, message: 'must be plain text of 1 to 100 characters' });
    else terms.plan = p.plan.trim();
  }
  if (p.amount !== undefined) {
    if (typeof p.amount !== 'number' || !Number.isFinite(p.amount) || p.amount < 0 || p.amount > 1e12) problems.push({ path: `${path}.amount`, message: 'must be a number from 0 to 10^12' });
    else terms.amount = p.amount;
  }
  if (p.currency !== undefined) {
    if (typeof p.currency !== 'string' || !/^[A-Z]{3}$/.test(p.currency)) problems.push({ path: `${path}.currency`, message: 'must be an ISO 4217 code such as EUR' });
    else terms.currency = p.currency;
  }
  if (p.termMonths !== undefined) {
    if (typeof p.termMonths !== 'number' || !Number.isInteger(p.termMonths) || p.termMonths < 1 || p.termMonths > 60) problems.push({ path: `${path}.termMonths`, message: 'must be a whole number of months from 1 to 60' });
    else terms.termMonths = p.termMonths;
  }
  if (p.startDate !== undefined) {
    if (typeof p.startDate !== 'string' || !validDate(p.startDate)) problems.push({ path: `${path}.startDate`, message: 'must be a date YYYY-MM-DD' });
    else terms.startDate = p.startDate;
  }
  if (problems.length) throw new ValidationError('Invalid purchase terms', problems);
  return terms;
}

/** The customer a won lead becomes: its first term starts (run 1, which the run outbox starts). */
export function newCustomer(lead: Lead, terms: PurchaseTerms, at: Date, programmeVersion?: number): Customer {
  const iso = at.toISOString();
  const start = terms.startDate ?? iso.slice(0, 10);
  return {
    customerId: customerIdFor(lead.leadId),
    leadId: lead.leadId,
    email: lead.email,
    ...(lead.firstName ? { firstName: lead.firstName } : {}),
    ...(lead.lastName ? { lastName: lead.lastName } : {}),
    ...(lead.company ? { company: lead.company } : {}),
    since: iso,
    status: 'active',
    ...(lead.ownerId ? { ownerId: lead.ownerId } : {}),
    ...(terms.plan ? { plan: terms.plan } : {}),
    ...(terms.amount !== undefined ? { amount: terms.amount } : {}),
    ...(terms.currency ? { currency: terms.currency } : {}),
    term: termFrom(1, start, terms.termMonths ?? DEFAULT_TERM_MONTHS),
    run: 1,
    ...(programmeVersion !== undefined ? { programmeVersion } : {}),
    ...(lead.referredBy ? { referredBy: lead.referredBy } : {}),
    retention: { runStartedAt: iso },
    createdAt: iso,
    updatedAt: iso,
  };
}

export interface CustomerEventDeps {
  customers: CustomerStore;
  runs: WorkflowRuns;
  publisher: EventPublisher;
  clock: { now(): Date };
  ids: IdGenerator;
  healthModel: HealthModel;
  /** A purchase that names no term runs this many months (the programme's defaultTermMonths; default 12). */
  defaultTermMonths?: number;
  /** No survey for this many days after a detractor's answer (the programme's survey.detractorQuietDays; default 90). */
  detractorQuietDays?: number;
}

export interface CustomerEventResult {
  outcome: 'applied' | 'duplicate';
  customer: Customer;
}

interface Change {
  customer: RetentionCustomer;
  entries: SubjectTimelineEntry[];
  events: DomainEvent[];
  /** The change asks for a new run (acted on at once). */
  newRun?: string;
}

const str = (v: unknown, max = 500) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined);

/** Applies a customer event: one conditional write with its marker, then the run switch and the domain events. */
export async function applyCustomerEvent(deps: CustomerEventDeps, customerId: string, event: Pick<EngagementEvent, 'eventId' | 'type' | 'occurredAt' | 'properties'>): Promise<CustomerEventResult> {
  try {
    return await withOptimisticRetry(async () => {
      const current = await deps.customers.get(customerId);
      if (!current) throw new NotFoundError(`customer ${customerId} does not exist`);
      const change = changeFor(deps, current, event);
      return commit(deps, current, change, event.eventId);
    });
  } catch (err) {
    if (!(err instanceof DuplicateEventError)) throw err;
    const customer = await deps.customers.get(customerId);
    if (!customer) throw new NotFoundError(`customer ${customerId} does not exist`);
    return { outcome: 'duplicate', customer };
  }
}

async function commit(deps: CustomerEventDeps, current: Customer, change: Change, eventId: string | undefined): Promise<CustomerEventResult> {
  const now = deps.clock.now();
  const next: RetentionCustomer = change.newRun
    ? { ...change.customer, run: (current.run ?? 0) + 1, retention: { ...change.customer.retention, runStartedAt: now.toISOString() } }
    : change.customer;
  const saved = await deps.customers.save({ ...next, updatedAt: now.toISOString() }, current.version ?? 0, change.entries, eventId ? { processedEventId: eventId } : {});
  if (change.newRun && current.run) await deps.runs.stopRun('CustomerRetention', current.customerId, current.run, change.newRun);
  if (change.newRun) await deps.runs.startRun('CustomerRetention', saved.customerId, { customerId: saved.customerId, run: saved.run! });
  if (change.events.length) await deps.publisher.publish(change.events);
  return { outcome: 'applied', customer: saved };
}

function changeFor(deps: CustomerEventDeps, current: RetentionCustomer, event: Pick<EngagementEvent, 'eventId' | 'type' | 'occurredAt' | 'properties'>): Change {
  const now = deps.clock.now();
  const at = event.occurredAt ?? now.toISOString();
  const props = event.properties ?? {};
  const entry = (type: string, summary: string, data?: Record<string, unknown>) => repEntry(deps.ids, now, type, summary, { eventId: event.eventId, ...data });
  const withSignal = (signal: HealthSignal, line: SubjectTimelineEntry): Change => {
    const update = updateHealth(current, deps.healthModel, deps.ids, now, signal);
    return { customer: update.customer, entries: [line, ...update.entries], events: update.events, ...(update.playbook ? { newRun: 'at risk: the risk playbook runs' } : {}) };
  };
  switch (event.type) {
    case 'product_used':
      return withSignal({ kind: 'usage', at }, entry('event', 'product used', { eventType: event.type, ...(props && Object.keys(props).length ? { properties: props } : {}) }));
    case 'email_replied': {
      // A reply to the win-back is a person talking to us: the sequence stops and the owner takes it from here.
      if (current.status !== 'cancelled') return withSignal({ kind: 'engaged', at }, entry('event', 'replied to an email', { eventType: event.type }));
      const round = current.retention?.cancellations ?? 1;
      const followUp: FollowUp = { key: `win-back-reply-${round}`, kind: 'win-back-reply', at: now.toISOString() };
      if ((current.retention?.followUps ?? []).some((f) => f.key === followUp.key) || current.retention?.done?.includes(`follow-up#${followUp.key}`)) {
        return { customer: current, entries: [entry('event', 'replied to the win-back again')], events: [] };
      }
      return {
        customer: { ...current, retention: { ...current.retention, followUps: [...(current.retention?.followUps ?? []), followUp] } },
        entries: [entry('winback_replied', 'Replied to the win-back: the sequence stops and the owner is told', { eventType: event.type })],
        events: [],
        newRun: 'win-back reply: the owner takes over',
      };
    }
    case 'email_opened':
    case 'email_clicked': {
      // Engagement with a check-in (the lead's event, passed on when its email was a retention template).
      const step = str(props.step, 100);
      return withSignal({ kind: 'engaged', at, ...(step ? { checkInId: step } : {}) }, entry('event', `${event.type === 'email_opened' ? 'opened' : 'clicked'} ${str(props.template, 100) ?? 'a check-in'}`, { eventType: event.type }));
    }
    case 'support_ticket': {
      const severity = (TICKET_SEVERITIES as readonly string[]).includes(String(props.severity)) ? (props.severity as TicketSeverity) : undefined;
      const ticketId = str(props.ticketId, 100);
      const status = props.status === 'closed' ? 'closed' : props.status === undefined || props.status === 'open' ? 'open' : undefined;
      const problems = [
        ...(!ticketId ? [{ path: 'properties.ticketId', message: 'is required: the ticket id' }] : []),
        ...(!severity ? [{ path: 'properties.severity', message: `must be ${TICKET_SEVERITIES.join(', ')}` }] : []),
        ...(!status ? [{ path: 'properties.status', message: "must be 'open' or 'closed'" }] : []),
      ];
      if (problems.length) throw new ValidationError('Invalid support_ticket', problems);
      return withSignal({ kind: 'ticket', ticketId: ticketId!, severity: severity!, status: status!, at }, entry('event', `support ticket ${ticketId} ${status} (${severity})`, { eventType: event.type, ticketId, severity, status }));
    }
    case 'nps_submitted': {
      if (!validNpsScore(props.score)) throw new ValidationError('Invalid nps_submitted', [{ path: 'properties.score', message: 'must be a whole number from 0 to 10' }]);
      return npsChange(deps, current, { score: props.score, at, ...(str(props.comment, 2000) ? { comment: str(props.comment, 2000) } : {}), source: 'event' }, event.eventId);
    }
    case 'subscription_renewed': {
      if (current.status === 'cancelled') throw new ConflictError(`customer ${current.customerId} is cancelled: a purchased event reactivates it`);
      const terms = purchaseTerms(props);
      const base = current.term ?? termFrom(0, now.toISOString().slice(0, 10), deps.defaultTermMonths ?? DEFAULT_TERM_MONTHS);
      const term = termFrom(base.number + 1, terms.startDate ?? base.renewalDate, terms.termMonths ?? base.termMonths);
      return {
        customer: { ...current, term, ...(terms.plan ? { plan: terms.plan } : {}), ...(terms.amount !== undefined ? { amount: terms.amount } : {}), ...(terms.currency ? { currency: terms.currency } : {}), retention: { ...current.retention, notBefore: {} } },
        entries: [entry('term_started', `Term ${term.number} started (renewed): ${term.startDate} to ${term.renewalDate}`, { term })],
        events: [{ type: 'CustomerRenewed', id: `${current.customerId}:CustomerRenewed:${term.number}`, at: now.toISOString(), detail: { customerId: current.customerId, term: term.number, renewalDate: term.renewalDate, automatic: false } }],
        newRun: 'renewed: the next term',
      };
    }
    case 'subscription_cancelled': {
      if (current.status === 'cancelled') return { customer: current, entries: [entry('event', 'subscription cancelled (already cancelled)')], events: [] };
      const reason = str(props.reason);
      const cancellations = (current.retention?.cancellations ?? 0) + 1;
      return {
        customer: { ...current, status: 'cancelled', cancelledAt: now.toISOString(), ...(reason ? { cancelReason: reason } : {}), retention: { ...current.retention, cancellations, followUps: [] } },
        entries: [entry('status_changed', `Subscription cancelled${reason ? `: ${reason}` : ''}; win-back starts`, { from: 'active', to: 'cancelled' })],
        events: [{ type: 'CustomerChurned', id: `${current.customerId}:CustomerChurned:${cancellations}`, at: now.toISOString(), detail: { customerId: current.customerId, reason: reason ?? null, term: current.term?.number ?? null } }],
        newRun: 'cancelled: win-back',
      };
    }
    case 'purchased': {
      if (current.status !== 'cancelled') throw new ConflictError(`customer ${current.customerId} is already active: send subscription_renewed for a new term`);
      const terms = purchaseTerms(props);
      const term = termFrom((current.term?.number ?? 0) + 1, terms.startDate ?? now.toISOString().slice(0, 10), terms.termMonths ?? current.term?.termMonths ?? deps.defaultTermMonths ?? DEFAULT_TERM_MONTHS);
      return {
        customer: { ...current, status: 'active', term, cancelledAt: undefined, cancelReason: undefined, ...(terms.plan ? { plan: terms.plan } : {}), ...(terms.amount !== undefined ? { amount: terms.amount } : {}), ...(terms.currency ? { currency: terms.currency } : {}), retention: { ...current.retention, notBefore: {} } },
        entries: [entry('status_changed', `Reactivated: term ${term.number} from ${term.startDate} to ${term.renewalDate}`, { from: 'cancelled', to: 'active', term })],
        events: [{ type: 'CustomerRenewed', id: `${current.customerId}:CustomerRenewed:${term.number}`, at: now.toISOString(), detail: { customerId: current.customerId, term: term.number, renewalDate: term.renewalDate, reactivated: true } }],
        newRun: 'reactivated',
      };
    }
    default:
      throw new ValidationError(`${event.type} is not a customer event`, [{ path: 'type', message: 'not a customer event' }]);
  }
}

/** One NPS answer: recorded, health updated, and the closed loop asked of the run (core/nps.ts). */
function npsChange(deps: CustomerEventDeps, current: RetentionCustomer, answer: CustomerNps, key: string): Change {
  const now = deps.clock.now();
  const category = npsCategory(answer.score);
  const update = updateHealth({ ...current, nps: [...(current.nps ?? []), answer].slice(-NPS_KEPT) }, deps.healthModel, deps.ids, now, { kind: 'nps', score: answer.score, at: answer.at });
  const followUpKey = `nps-${key}`.replace(/[^A-Za-z0-9_#:.-]/g, '_').slice(0, 80);
  const followUp: FollowUp = { key: followUpKey, kind: category, at: now.toISOString(), data: { score: answer.score, ...(answer.comment ? { comment: answer.comment } : {}) } };
  let customer: RetentionCustomer = { ...update.customer, retention: { ...update.customer.retention, followUps: [...(update.customer.retention?.followUps ?? []), followUp] } };
  const entries: SubjectTimelineEntry[] = [
    repEntry(deps.ids, now, 'nps_submitted', `NPS ${answer.score} (${category})${answer.comment ? `: “${answer.comment.slice(0, 200)}”` : ''}`, { score: answer.score, category, source: answer.source, ...(answer.surveyId ? { surveyId: answer.surveyId } : {}) }),
  ];
  const events = [...update.events];
  if (category === 'detractor') {
    const due = new Date(now.getTime() + 2 * 86_400_000).toISOString();
    customer = { ...customer, surveyQuietUntil: new Date(now.getTime() + (deps.detractorQuietDays ?? DETRACTOR_QUIET_DAYS) * 86_400_000).toISOString(), tasks: [...(customer.tasks ?? []), { taskId: deps.ids.next('task_'), kind: 'detractor-call', at: now.toISOString(), due, summary: `Call back about NPS ${answer.score}` }].slice(-20) };
    entries.push(repEntry(deps.ids, now, 'task_created', `Follow-up task for the owner: call back about the NPS ${answer.score} by ${due.slice(0, 10)}`, { kind: 'detractor-call', due }));
    if (!events.some((e) => e.type === 'CustomerAtRisk')) events.push({ type: 'CustomerAtRisk', id: `${current.customerId}:CustomerAtRisk:nps:${followUpKey}`, at: now.toISOString(), detail: { customerId: current.customerId, score: answer.score, cause: 'detractor' } });
  }
  return { customer, entries: [...entries, ...update.entries], events, newRun: `NPS ${answer.score}: closed-loop follow-up` };
}

/** An NPS answer from the survey link or POST /customers/{id}/feedback: the same closed loop, deduplicated by `answerId`. */
export async function recordNps(deps: CustomerEventDeps, customerId: string, answer: Omit<CustomerNps, 'at'>, answerId: string): Promise<CustomerEventResult> {
  try {
    return await withOptimisticRetry(async () => {
      const current = await deps.customers.get(customerId);
      if (!current) throw new NotFoundError(`customer ${customerId} does not exist`);
      const change = npsChange(deps, current, { ...answer, at: deps.clock.now().toISOString() }, answerId);
      return commit(deps, current, change, answerId);
    });
  } catch (err) {
    if (!(err instanceof DuplicateEventError)) throw err;
    const customer = await deps.customers.get(customerId);
    return { outcome: 'duplicate', customer: customer! };
  }
}

/** A referred lead converted: the referrer's record counts it and its run thanks them (once per lead). */
export async function recordReferralConversion(deps: CustomerEventDeps, referrerId: string, lead: Pick<Lead, 'leadId' | 'firstName' | 'lastName' | 'company' | 'email'>): Promise<void> {
  const name = [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.company || 'a contact';
  try {
    await withOptimisticRetry(async () => {
      const current = await deps.customers.get(referrerId);
      if (!current) return;
      const now = deps.clock.now();
      const referrals = current.referrals ?? [];
      const known = referrals.find((r) => r.leadId === lead.leadId);
      if (known?.convertedAt) return;
      const customer: RetentionCustomer = {
        ...current,
        referrals: known ? referrals.map((r) => (r.leadId === lead.leadId ? { ...r, convertedAt: now.toISOString() } : r)) : [...referrals, { leadId: lead.leadId, at: now.toISOString(), convertedAt: now.toISOString() }],
        retention: { ...current.retention, followUps: [...(current.retention?.followUps ?? []), { key: `referral-${lead.leadId}`.slice(0, 80), kind: 'referral-converted', at: now.toISOString(), data: { referredName: name } }] },
      };
      await commit(deps, current, { customer, entries: [repEntry(deps.ids, now, 'referral_converted', `A referral became a customer: ${name}`, { leadId: lead.leadId })], events: [], newRun: 'referral converted: thank the referrer' }, `referral-converted:${lead.leadId}`);
    });
  } catch (err) {
    if (!(err instanceof DuplicateEventError)) throw err;
  }
}

/** A referred lead was captured: counted on the referrer's record, `ReferralReceived` published (once per lead). */
export async function recordReferral(deps: CustomerEventDeps, referrerId: string, leadId: string): Promise<void> {
  try {
    await withOptimisticRetry(async () => {
      const current = await deps.customers.get(referrerId);
      if (!current || (current.referrals ?? []).some((r) => r.leadId === leadId)) return;
      const now = deps.clock.now();
      await commit(
        deps,
        current,
        {
          customer: { ...current, referrals: [...(current.referrals ?? []), { leadId, at: now.toISOString() }].slice(-200) },
          entries: [repEntry(deps.ids, now, 'referral_received', 'Referred a new lead', { leadId })],
          events: [{ type: 'ReferralReceived', id: `${referrerId}:ReferralReceived:${leadId}`, at: now.toISOString(), detail: { customerId: referrerId, leadId } }],
        },
        `referral:${leadId}`,
      );
    });
  } catch (err) {
    if (!(err instanceof DuplicateEventError)) throw err;
  }
}
