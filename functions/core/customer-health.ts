/**
 * Applying health to a customer: fold a signal in, recompute the score, and say what changed — the
 * timeline line with its reasons, `CustomerHealthChanged`, and on a crossing into *at risk* the risk
 * playbook's follow-up (owner alert and an extra check-in, acted on by the retention run) and
 * `CustomerAtRisk`. Used by the events that carry signals and by the run's daily check (health decays
 * with inactivity, so a customer can cross into at risk without any event).
 */
import { computeHealth, healthChange, recordSignal, type HealthModel, type HealthSignal, type HealthSignals } from './health.js';
import type { Customer, DomainEvent, SubjectTimelineEntry } from './model.js';
import type { IdGenerator } from './ports.js';
import type { RetentionCustomer } from './retention.js';
import { repEntry } from './rep-send.js';

/** A score wavering around the at-risk threshold runs the playbook at most once in this many days (it is still recorded). */
export const AT_RISK_COOLDOWN_DAYS = 30;

export const signalsOf = (customer: Customer) => customer.signals as unknown as HealthSignals | undefined;

export interface HealthUpdate {
  customer: RetentionCustomer;
  entries: SubjectTimelineEntry[];
  events: DomainEvent[];
  /** The risk playbook was added to the customer's follow-ups: its run must act now. */
  playbook: boolean;
}

/** The customer with `signal` folded in (if any) and its health recomputed at `now`. */
export function updateHealth(customer: RetentionCustomer, model: HealthModel, ids: IdGenerator, now: Date, signal?: HealthSignal): HealthUpdate {
  const signals = signal ? recordSignal(signalsOf(customer), signal, model) : signalsOf(customer);
  const health = computeHealth(signals, model, now, { since: customer.term?.startDate ?? customer.since });
  const previous = customer.health;
  const change = healthChange(previous ? { score: previous.score, band: previous.band } : undefined, health, model);
  const at = now.toISOString();
  let next: RetentionCustomer = { ...customer, ...(signals ? { signals: signals as unknown as Record<string, unknown> } : {}) };
  const entries: SubjectTimelineEntry[] = [];
  const events: DomainEvent[] = [];
  let playbook = false;
  if (change.changed || !previous) {
    next = { ...next, health: { score: health.score, band: health.band, at, reasons: health.reasons } };
    const from = previous ? `${previous.score} (${previous.band})` : 'unscored';
    entries.push(repEntry(ids, now, 'health_changed', `Health ${from} → ${health.score} (${health.band}): ${health.reasons.join('; ') || 'no signals yet'}`, { from: previous?.score, to: health.score, band: health.band, reasons: health.reasons }));
    events.push({ type: 'CustomerHealthChanged', id: `${customer.customerId}:CustomerHealthChanged:${at}`, at, detail: { customerId: customer.customerId, score: health.score, band: health.band, previousBand: previous?.band ?? null } });
  }
  const last = customer.retention?.atRiskPlaybookAt;
  const cooling = last !== undefined && now.getTime() - Date.parse(last) < AT_RISK_COOLDOWN_DAYS * 86_400_000;
  if (change.crossedIntoAtRisk && customer.status !== 'cancelled' && !cooling) {
    playbook = true;
    const key = `at-risk-${at}`;
    next = { ...next, retention: { ...next.retention, atRiskPlaybookAt: at, followUps: [...(next.retention?.followUps ?? []), { key, kind: 'at-risk', at, data: { reasons: health.reasons } }] } };
    events.push({ type: 'CustomerAtRisk', id: `${customer.customerId}:CustomerAtRisk:${at}`, at, detail: { customerId: customer.customerId, score: health.score, reasons: health.reasons, cause: 'health' } });
  }
  return { customer: next, entries, events, playbook };
}
