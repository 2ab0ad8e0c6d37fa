/**
 * GET /reports/retention: NPS by month, the health and status gauges, start-month cohorts and referrals from
 * the retention aggregates; the at-risk customers and the renewals due from the customers' own indexes (by
 * health band, by renewal date), which already list exactly those customers.
 */
import type { Clock } from '../clock.js';
import type { Customer } from '../model.js';
import type { CustomerQuery, CustomerStore, Page } from '../ports.js';
import { DAY_MS, dayOf, sumCounts } from './aggregates.js';
import { ratio } from './histogram.js';
import type { ReportReader } from './ports.js';
import type { RetentionReport } from './types.js';

export const RENEWALS_WITHIN_DAYS = 90;
export const NPS_TREND_MONTHS = 12;
/** The at-risk and renewal lists stop here (a report is not an export; GET /customers pages through all). */
export const LIST_LIMIT = 200;

const npsOf = (c: { promoters: number; detractors: number; responses: number }) =>
  c.responses ? Math.round(((c.promoters - c.detractors) * 100) / c.responses) : null;

export async function retentionReport(deps: { reports: ReportReader; customers: Pick<CustomerStore, 'list'>; clock: Clock }): Promise<RetentionReport> {
  const now = deps.clock.now();
  const today = dayOf(now.toISOString());
  const horizon = dayOf(new Date(now.getTime() + (RENEWALS_WITHIN_DAYS + 1) * DAY_MS).toISOString());
  const [totals, months, cohorts, atRisk, renewing] = await Promise.all([
    deps.reports.totals('retention'),
    deps.reports.npsMonths(),
    deps.reports.customerCohorts(),
    listAll(deps.customers, { health: 'at-risk', limit: 100 }),
    listAll(deps.customers, { renewingBefore: horizon, limit: 100 }),
  ]);

  const all = sumCounts(months.map((m) => m.counts));
  const count = (c: Record<string, number>) => ({ promoters: c.promoter ?? 0, passives: c.passive ?? 0, detractors: c.detractor ?? 0 });
  const overall = count(all);
  const responses = overall.promoters + overall.passives + overall.detractors;
  const trend = months
    .map(({ month, counts }) => {
      const c = count(counts);
      const n = c.promoters + c.passives + c.detractors;
      return { month, nps: npsOf({ ...c, responses: n }) ?? 0, responses: n };
    })
    .filter((m) => m.responses > 0)
    .slice(-NPS_TREND_MONTHS);

  const gauge = (name: string) => Math.max(0, totals[name] ?? 0);
  const active = gauge('customers:active');
  const cancelled = gauge('customers:cancelled');
  const referralLeads = totals['referral:leads'] ?? 0;
  const referralWon = totals['referral:won'] ?? 0;
  return {
    generatedAt: now.toISOString(),
    nps: { score: npsOf({ ...overall, responses }), responses, ...overall, trend },
    health: { healthy: gauge('health:healthy'), watch: gauge('health:watch'), 'at-risk': gauge('health:at-risk'), unscored: gauge('health:unscored') },
    atRisk: atRisk
      .filter((c) => c.status !== 'cancelled')
      .map((c) => ({
        customerId: c.customerId,
        ...(c.company ? { company: c.company } : {}),
        ...(c.ownerId ? { ownerId: c.ownerId } : {}),
        healthScore: c.health?.score ?? 0,
        reasons: c.health?.reasons ?? [],
        since: c.since,
        ...(c.term ? { renewalDate: c.term.renewalDate } : {}),
      })),
    renewalsDue: renewing
      .filter((c) => c.term && c.status !== 'cancelled' && c.term.renewalDate >= today)
      .map((c) => ({
        customerId: c.customerId,
        ...(c.company ? { company: c.company } : {}),
        ...(c.ownerId ? { ownerId: c.ownerId } : {}),
        renewalDate: c.term!.renewalDate,
        daysLeft: Math.round((Date.parse(`${c.term!.renewalDate}T00:00:00.000Z`) - Date.parse(`${today}T00:00:00.000Z`)) / DAY_MS),
        healthBand: c.health?.band ?? ('unscored' as const),
      })),
    customers: { active, cancelled, total: active + cancelled },
    cohorts: cohorts.map(({ month, counts }) => {
      const started = counts.started ?? 0;
      const churned = Math.max(0, counts.churned ?? 0);
      return { month, started, active: started - churned, churned, grossRetention: ratio(started - churned, started), churnRate: ratio(churned, started) };
    }),
    referrals: { leads: referralLeads, converted: referralWon, conversionRate: ratio(referralWon, referralLeads) },
  };
}

async function listAll(customers: Pick<CustomerStore, 'list'>, query: CustomerQuery): Promise<Customer[]> {
  const out: Customer[] = [];
  let cursor: string | undefined;
  do {
    const page: Page<Customer> = await customers.list({ ...query, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor && out.length < LIST_LIMIT);
  return out.slice(0, LIST_LIMIT);
}
