/**
 * The vocabulary of the report aggregates: which counter item a projection adds to, and what the counter
 * names inside it mean. Projections (lead-, rep-, customer-, timeline-projection.ts) turn one stream record
 * into increments of these; the report readers (*-report.ts) add them up. Counters are plain numbers, so
 * days and dimensions add by addition, and durations are histograms of such counters (histogram.ts).
 */
import { DAY_MS } from '../clock.js';
import { bucketOf } from './histogram.js';

export { DAY_MS };

/** One aggregate item. Its table key is built in functions/table/keys.ts (reportAggregate). */
export type Aggregate =
  /** Funnel flows of one UTC day, for one filter combination (`dims`, see dimsOf). */
  | { kind: 'funnel-day'; dims: string; day: string }
  /** Funnel gauges now (leads in each stage), for one filter combination. */
  | { kind: 'funnel-now'; dims: string }
  /** Leads captured in one week (its Monday), and when they first reached each stage. */
  | { kind: 'cohort'; dims: string; week: string }
  /** Per rep, template and split arm, one UTC day (not split by source or campaign). */
  | { kind: 'activity-day'; day: string }
  /** Onboarding totals and gauges (all time). */
  | { kind: 'onboarding' }
  /** Open modules by due day (`<moduleId>|<YYYY-MM-DD>`): overdue now = due days before today. */
  | { kind: 'open-modules' }
  /** Retention totals and gauges (all time). */
  | { kind: 'retention' }
  /** NPS answers of one month (YYYY-MM). */
  | { kind: 'nps-month'; month: string }
  /** Customers by the month their first term started (YYYY-MM). */
  | { kind: 'customer-cohort'; month: string };

export type Counts = Record<string, number>;

/** Adds `counts` to one aggregate. */
export interface Increment {
  at: Aggregate;
  counts: Counts;
}

/** A certification in the "expiring soon" index (an item per rep while certified and not inactive). */
export interface CertExpiry {
  repId: string;
  expiresAt: string;
  name?: string;
}

/** Collects increments by aggregate, merging repeats (one transaction may name an item only once). */
export class Increments {
  private readonly byKey = new Map<string, Increment>();

  add(at: Aggregate, name: string, n = 1): this {
    if (!n) return this;
    const key = JSON.stringify(at);
    const inc = this.byKey.get(key) ?? { at, counts: {} };
    inc.counts[name] = (inc.counts[name] ?? 0) + n;
    this.byKey.set(key, inc);
    return this;
  }

  /** A duration sample (hours) into histogram `name` (counter `<name>:h:<bucket>`). */
  sample(at: Aggregate, name: string, hours: number): this {
    return this.add(at, `${name}:h:${bucketOf(hours)}`);
  }

  list(): Increment[] {
    return [...this.byKey.values()].map((inc) => ({ at: inc.at, counts: Object.fromEntries(Object.entries(inc.counts).filter(([, n]) => n !== 0)) })).filter((inc) => Object.keys(inc.counts).length > 0);
  }
}

/** The histogram `name` out of an aggregate's counters. */
export function histogramOf(counts: Counts, name: string): Record<string, number> {
  const prefix = `${name}:h:`;
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(counts)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = n;
  return out;
}

/** Adds counters of many aggregates (days) into one. */
export function sumCounts(items: Iterable<Counts>): Counts {
  const total: Counts = {};
  for (const c of items) for (const [k, n] of Object.entries(c)) total[k] = (total[k] ?? 0) + n;
  return total;
}

/** The value of a dimension as a counter-name segment: `(none)` when absent, no separators, bounded. */
export const dimValue = (v: string | undefined): string => (v && v.trim() ? encodeURIComponent(v.trim().slice(0, 100)) : '(none)');
export const decodeDim = (v: string): string => (v === '(none)' ? v : decodeURIComponent(v));

/**
 * The filter combination an aggregate belongs to: `*` (all leads), `s=<source>`, `c=<campaign>` or both.
 * A lead adds to all four of its combinations, so a report with any filters reads exactly one.
 */
export function dimsKey(filters: { source?: string; utm_campaign?: string }): string {
  const parts = [filters.source !== undefined ? `s=${dimValue(filters.source)}` : '', filters.utm_campaign !== undefined ? `c=${dimValue(filters.utm_campaign)}` : ''].filter(Boolean);
  return parts.length ? parts.join('&') : '*';
}

export function dimsOf(lead: { source?: string; utm_campaign?: string }): string[] {
  const source = lead.source ?? '';
  const campaign = lead.utm_campaign ?? '';
  return [dimsKey({}), dimsKey({ source }), dimsKey({ utm_campaign: campaign }), dimsKey({ source, utm_campaign: campaign })];
}

export const dayOf = (iso: string) => new Date(iso).toISOString().slice(0, 10);
export const monthOf = (iso: string) => new Date(iso).toISOString().slice(0, 7);
/** The Monday (UTC) of the ISO week holding `iso`. */
export function weekOf(iso: string): string {
  const d = new Date(`${dayOf(iso)}T00:00:00.000Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * DAY_MS).toISOString().slice(0, 10);
}
export const hoursBetween = (from: string, to: string) => Math.max(0, Date.parse(to) - Date.parse(from)) / 3_600_000;
/** A rep's start: its start date (midnight UTC), else when it was registered. */
export const startOf = (rep: { startDate?: string; createdAt: string }) => (rep.startDate ? `${rep.startDate}T00:00:00.000Z` : rep.createdAt);
/** Cohort weeks counted per lead (reached in week n since capture, n < this). */
export const COHORT_WEEKS = 52;
