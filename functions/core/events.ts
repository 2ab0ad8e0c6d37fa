/**
 * Applying an engagement or business event to a lead (POST /events, and a known email's form
 * submission on POST /leads):
 *   1. find the lead (by id, email or customer id);
 *   2. decide points, stage and status (core/scoring);
 *   3. save lead + timeline + processed-event marker in ONE conditional write, retrying on a
 *      concurrent change; a repeated eventId changes nothing;
 *   4. on a new run: stop the old execution, start the new one; publish domain events.
 */
import { applyCustomerEvent, isCustomerEvent, newCustomer, purchaseTerms, recordReferralConversion, type CustomerEventResult } from './customers.js';
import { ConflictError, DuplicateEventError, NotFoundError } from './errors.js';
import { ensureCurrentRun, switchRun, type FunnelDeps } from './funnel-runs.js';
import { DAY_MS } from './clock.js';
import type { DomainEvent, EngagementEvent, Lead, TimelineEntry } from './model.js';
import { customerIdFor, normalizeEmail } from './normalize.js';
import type { LeadStore, SaveExtras } from './ports.js';
import { recordRamp } from './ramp.js';
import { decide, type Decision } from './scoring.js';
import { withOptimisticRetry } from './retry.js';
import { trackStage } from './stage-history.js';
import { inWriteOrder, timelineEntry } from './timeline.js';

export interface EventResult {
  outcome: 'applied' | 'duplicate';
  lead: Lead;
}

/** Extra changes saved with the event (capture merges form fields and consent this way). */
export type Amend = (lead: Lead, at: Date) => { lead: Lead; timeline: TimelineEntry[] };

export async function findLeadFor(store: LeadStore, event: Pick<EngagementEvent, 'leadId' | 'email' | 'customerId'>) {
  if (event.leadId) return store.get(event.leadId);
  if (event.email) return store.findByEmail(normalizeEmail(event.email));
  if (event.customerId) {
    const customer = await store.getCustomer(event.customerId);
    return customer && store.get(customer.leadId);
  }
  return undefined;
}

export async function ingestEvent(deps: FunnelDeps, event: EngagementEvent): Promise<EventResult> {
  const found = await findLeadFor(deps.store, event);
  if (!found) throw new NotFoundError('No lead matches the event’s leadId, email or customerId');
  // A lead whose submission is not yet taken in takes it in first: the event follows the capture.
  const lead = found.intake && deps.intake ? ((await deps.intake(found.leadId)) ?? found) : found;
  return applyEvent(deps, lead, event);
}

export type IngestResult = ({ subject: 'lead' } & EventResult) | ({ subject: 'customer' } & CustomerEventResult);

/**
 * POST /events: a customer's events (usage, tickets, NPS, renewals, cancellations — and a purchase by a
 * lead that is already a customer: a reactivation) go to the customer; every other event to the lead.
 */
export async function ingestAnyEvent(deps: FunnelDeps, event: EngagementEvent): Promise<IngestResult> {
  const customers = deps.customers;
  if (customers && (isCustomerEvent(event.type) || event.type === 'purchased')) {
    // A repeated purchase is the lead's duplicate (its first delivery made the customer), not a reactivation.
    const repeated = event.type === 'purchased' && (await deps.store.isEventProcessed(event.eventId));
    const customerId = repeated ? undefined : (event.customerId ?? (await findLeadFor(deps.store, event))?.customerId);
    if (customerId) return { subject: 'customer', ...(await applyCustomerEvent(customers, customerId, event)) };
    if (isCustomerEvent(event.type)) {
      if (event.customerId) throw new NotFoundError(`customer ${event.customerId} does not exist`);
      const lead = await findLeadFor(deps.store, event);
      if (!lead) throw new NotFoundError('No lead matches the event’s leadId, email or customerId');
      throw new ConflictError(`${event.type} is a customer event, and lead ${lead.leadId} is not a customer (yet)`);
    }
  }
  const result = await ingestEvent(deps, event);
  // Opening or clicking a customer's check-in is also engagement on the customer (its health); any reply of a
  // customer is passed on (a reply to the win-back stops it and hands the person to their owner).
  const template = event.properties?.template;
  const checkIn = (event.type === 'email_opened' || event.type === 'email_clicked') && typeof template === 'string' && template.startsWith('retention-');
  if (customers && result.outcome === 'applied' && result.lead.customerId && (checkIn || event.type === 'email_replied')) {
    await applyCustomerEvent(customers, result.lead.customerId, { ...event, eventId: `${event.eventId}:customer` });
  }
  return { subject: 'lead', ...result };
}

export async function applyEvent(deps: FunnelDeps, lead: Lead, event: EngagementEvent, amend?: Amend): Promise<EventResult> {
  let current = lead;
  try {
    return await withOptimisticRetry(async (attempt) => {
      if (attempt > 1) {
        // Someone else wrote the lead in between: decide again from what is stored now.
        const fresh = await deps.store.get(lead.leadId);
        if (!fresh) throw new NotFoundError(`Lead ${lead.leadId} no longer exists`);
        current = fresh;
      }
      const plan = planEvent(deps, current, event, amend);
      const saved = await deps.store.save(plan.lead, current.version, plan.timeline, plan.extras);
      await afterSave(deps, current, saved, plan.decision);
      await recordWonDeal(deps, saved, plan.decision);
      if (plan.decision.outcome === 'purchased' && saved.referredBy && deps.customers) await recordReferralConversion(deps.customers, saved.referredBy, saved);
      await publishPending(deps, event.eventId, plan.extras.domainEvents ?? []);
      return { outcome: 'applied' as const, lead: saved };
    });
  } catch (err) {
    if (!(err instanceof DuplicateEventError)) throw err;
    // The first delivery may have died before starting its run or publishing its domain
    // events: doing both again repairs it (a start is a no-op by name; event ids are stable).
    const fresh = (await deps.store.get(lead.leadId)) ?? current;
    await ensureCurrentRun(deps, fresh);
    if (fresh.status === 'won') await recordWonDeal(deps, fresh, { outcome: 'purchased' });
    await publishPending(deps, event.eventId, await deps.store.unpublishedEventsOf(event.eventId));
    return { outcome: 'duplicate', lead: fresh };
  }
}

interface Plan {
  lead: Lead;
  timeline: TimelineEntry[];
  extras: SaveExtras;
  decision: Decision;
}

function planEvent(deps: FunnelDeps, current: Lead, event: EngagementEvent, amend?: Amend): Plan {
  const now = deps.clock.now();
  const at = now.toISOString();
  const entry = (type: TimelineEntry['type'], summary: string, data?: Record<string, unknown>) =>
    timelineEntry(deps.ids, current.leadId, now, type, summary, data);

  const amended = amend ? amend(current, now) : { lead: current, timeline: [] };
  const rules = deps.rules;
  // Form submissions score once a lead per day: a person (or a bot) resubmitting a form all day
  // must not walk a lead up the funnel. The submission is still recorded; it just earns nothing.
  const formAgain = event.type === 'form_submitted' && !!current.formScoredAt && now.getTime() - Date.parse(current.formScoredAt) < DAY_MS;
  const decision = decide(amended.lead, event, formAgain ? { ...rules, points: { ...rules.points, form_submitted: 0 } } : rules);
  const next: Lead = {
    ...amended.lead,
    score: decision.score,
    stage: decision.stage,
    status: decision.status,
    run: decision.newRun ? current.run + 1 : current.run,
    updatedAt: at,
    ...(event.type === 'form_submitted' && decision.points > 0 ? { formScoredAt: at } : {}),
  };
  Object.assign(next, trackStage(current, next, at));
  const extras: SaveExtras = { processedEventId: event.eventId };
  const timeline: TimelineEntry[] = [
    entry(event.type === 'form_submitted' ? 'form_submitted' : 'event', describe(event, decision), {
      eventId: event.eventId,
      eventType: event.type,
      occurredAt: event.occurredAt,
      points: decision.points,
      ...(event.properties ? { properties: event.properties } : {}),
    }),
    ...amended.timeline,
  ];
  if (decision.score !== current.score)
    timeline.push(entry('score_changed', `Score ${current.score} → ${decision.score}`, { from: current.score, to: decision.score }));
  if (decision.stage !== current.stage)
    timeline.push(entry('stage_changed', `Stage ${current.stage} → ${decision.stage}`, { from: current.stage, to: decision.stage, run: next.run }));
  if (decision.status !== current.status)
    timeline.push(entry('status_changed', `Status ${current.status} → ${decision.status}`, { from: current.status, to: decision.status }));

  if (decision.outcome === 'contacted') next.contactedAt = event.occurredAt;
  if (decision.outcome === 'closed') {
    const reason = event.properties?.reason;
    next.closedReason = typeof reason === 'string' && reason ? reason.slice(0, 500) : event.type;
  }
  if (decision.outcome === 'purchased') {
    next.customerId = customerIdFor(current.leadId);
    // The customer's first term starts with it: its stored write asks for the CustomerRetention run.
    const terms = purchaseTerms(event.properties);
    extras.customer = newCustomer({ ...current, ...amended.lead }, { ...terms, termMonths: terms.termMonths ?? deps.customers?.defaultTermMonths }, now);
  }
  const domainEvents = domainEventsOf(current, next, decision, at);
  if (domainEvents.length) extras.domainEvents = domainEvents;
  return { lead: next, timeline: inWriteOrder(timeline), extras, decision };
}

const describe = (event: EngagementEvent, d: Decision) =>
  d.points ? `${event.type.replaceAll('_', ' ')} (+${d.points})` : event.type.replaceAll('_', ' ');

/** A new run means a stage change, wake-up or close: stop the old execution, start the new one. */
async function afterSave(deps: FunnelDeps, before: Lead, after: Lead, decision: Decision): Promise<void> {
  if (after.run !== before.run) await switchRun(deps, before, after, `lead ${decision.outcome}: ${before.stage} → ${after.stage}`);
}

/** A won lead's owner has their first won deal recorded (ramp), once; a repeated event repairs a lost write. */
async function recordWonDeal(deps: FunnelDeps, lead: Lead, decision: Pick<Decision, 'outcome'>): Promise<void> {
  if (decision.outcome !== 'purchased' || !lead.ownerId || !deps.reps) return;
  await recordRamp({ reps: deps.reps, ids: deps.ids }, lead.ownerId, 'firstWonAt', new Date(lead.updatedAt), lead.leadId);
}

/**
 * The domain events a change causes. They are saved with the processed event and published after the
 * save; a failed publish is repeated by the retried request (ids are stable, so consumers drop repeats).
 */
function domainEventsOf(before: Lead, after: Lead, decision: Decision, at: string): DomainEvent[] {
  const events: DomainEvent[] = [];
  if (after.stage !== before.stage)
    events.push({
      type: 'LeadStageChanged',
      id: `${after.leadId}:LeadStageChanged:${after.run}`,
      at,
      detail: { leadId: after.leadId, from: before.stage, to: after.stage, score: after.score, run: after.run },
    });
  if (decision.outcome === 'purchased')
    events.push({
      type: 'LeadConverted',
      id: `${after.leadId}:LeadConverted:${after.run}`,
      at,
      // Ids only: a consumer that needs the person asks GET /leads/{leadId} (and erasure reaches it).
      detail: { leadId: after.leadId, customerId: after.customerId },
    });
  if (decision.outcome === 'closed')
    events.push({
      type: 'LeadClosed',
      id: `${after.leadId}:LeadClosed:${after.run}`,
      at,
      detail: { leadId: after.leadId, status: after.status, reason: after.closedReason },
    });
  return events;
}

async function publishPending(deps: FunnelDeps, eventId: string, events: DomainEvent[]): Promise<void> {
  if (!events.length) return;
  await deps.publisher.publish(events);
  await deps.store.markEventsPublished(eventId);
}
