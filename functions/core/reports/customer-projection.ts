/**
 * A customer's stream record → retention counters, by comparing the customer as written now with what was
 * last projected of it (its report state, written with the counters in one transaction):
 *
 *   - customers by status, and active customers by health band (gauges);
 *   - the cohort of the month its first term started: started, and churned (a cancellation; a reactivation
 *     takes it back);
 *   - NPS answers by month of the answer (promoters 9–10, passives 7–8, detractors 0–6).
 */
import type { Customer, CustomerStatus } from '../model.js';
import { npsCategory } from '../nps.js';
import { Increments, monthOf, type Increment } from './aggregates.js';
import { revOf } from './lead-projection.js';

export interface CustomerShadow {
  customerId: string;
  rev: string;
  status: CustomerStatus;
  band: string;
  cohort: string;
  /** The newest NPS answer counted (answers are kept newest last). */
  lastNpsAt?: string;
  erased?: boolean;
}

export interface CustomerProjection {
  shadow: CustomerShadow;
  increments: Increment[];
}

const retention = { kind: 'retention' as const };
/** The health gauge a customer adds to: active customers only. */
const bandOf = (status: CustomerStatus, band: string) => (status === 'active' ? `health:${band}` : undefined);

export function projectCustomer(prev: CustomerShadow | undefined, customer: Customer): CustomerProjection | undefined {
  const rev = revOf(customer.version, customer.updatedAt ?? customer.createdAt ?? customer.since);
  if (prev && (prev.erased || prev.rev >= rev)) return undefined;
  const inc = new Increments();
  const status: CustomerStatus = customer.status ?? 'active';
  const band = customer.health?.band ?? 'unscored';
  const cohort = prev?.cohort ?? monthOf(customer.term?.number === 1 ? `${customer.term.startDate}T00:00:00.000Z` : customer.since);
  const cohortItem = { kind: 'customer-cohort' as const, month: cohort };

  if (!prev) inc.add(cohortItem, 'started');
  if (prev?.status !== status) {
    if (prev) inc.add(retention, `customers:${prev.status}`, -1);
    inc.add(retention, `customers:${status}`);
    if (status === 'cancelled') inc.add(cohortItem, 'churned');
    else if (prev?.status === 'cancelled') inc.add(cohortItem, 'churned', -1);
  }
  const was = prev && bandOf(prev.status, prev.band);
  const is = bandOf(status, band);
  if (was !== is) {
    if (was) inc.add(retention, was, -1);
    if (is) inc.add(retention, is);
  }

  let lastNpsAt = prev?.lastNpsAt;
  for (const answer of customer.nps ?? []) {
    if (lastNpsAt && answer.at <= lastNpsAt) continue;
    inc.add({ kind: 'nps-month', month: monthOf(answer.at) }, npsCategory(answer.score));
  }
  const newest = (customer.nps ?? []).map((a) => a.at).sort().at(-1);
  if (newest && (!lastNpsAt || newest > lastNpsAt)) lastNpsAt = newest;

  return { shadow: { customerId: customer.customerId, rev, status, band, cohort, ...(lastNpsAt ? { lastNpsAt } : {}) }, increments: inc.list() };
}

/** An erased customer leaves the gauges (its cohort and answers stay: they happened). */
export function projectCustomerRemoved(prev: CustomerShadow | undefined): CustomerProjection | undefined {
  if (!prev || prev.erased) return undefined;
  const inc = new Increments().add(retention, `customers:${prev.status}`, -1);
  const band = bandOf(prev.status, prev.band);
  if (band) inc.add(retention, band, -1);
  return { shadow: { ...prev, erased: true }, increments: inc.list() };
}
