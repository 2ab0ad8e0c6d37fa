/**
 * GET /reports/funnel: adds up the day aggregates of the range for the filter combination asked for (one
 * query of at most 400 items), the gauges, the activity days and the cohort weeks, and reads the figures
 * off them. Nothing here reads a lead.
 */
import type { Clock } from '../clock.js';
import { ValidationError } from '../errors.js';
import { STAGES, type Stage } from '../model.js';
import type { RepStore } from '../ports.js';
import { DAY_MS, dayOf, decodeDim, dimsKey, histogramOf, sumCounts, weekOf, type Counts } from './aggregates.js';
import { quantile, ratio, round, sampleCount } from './histogram.js';
import type { ReportReader } from './ports.js';
import type { FunnelBreakdownRow, FunnelCohortRow, FunnelRepRow, FunnelReport, FunnelSplitRow, FunnelStageRow, FunnelTemplateRow, ReportRange } from './types.js';

export const MAX_RANGE_DAYS = 400;
export const DEFAULT_RANGE_DAYS = 30;
export const COHORT_WEEKS_SHOWN = 12;

export interface FunnelQuery {
  from?: string;
  to?: string;
  source?: string;
  utm_campaign?: string;
}

/** The range asked for: `to` defaults to today, `from` to 30 days ending at `to`; at most 400 days. */
export function resolveRange(query: Pick<FunnelQuery, 'from' | 'to'>, now: Date): ReportRange {
  const to = query.to ?? dayOf(now.toISOString());
  const from = query.from ?? dayOf(new Date(Date.parse(`${to}T00:00:00.000Z`) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS).toISOString());
  if (from > to) throw new ValidationError(`from (${from}) is after to (${to})`, [{ path: 'from', message: `must not be after to (${to})` }]);
  const days = Math.round((Date.parse(`${to}T00:00:00.000Z`) - Date.parse(`${from}T00:00:00.000Z`)) / DAY_MS) + 1;
  if (days > MAX_RANGE_DAYS)
    throw new ValidationError(`The range is ${days} days; at most ${MAX_RANGE_DAYS} days`, [{ path: 'from', message: `the range from..to may be at most ${MAX_RANGE_DAYS} days (it is ${days})` }]);
  return { from, to, days };
}

export interface FunnelReportDeps {
  reports: ReportReader;
  reps: Pick<RepStore, 'get'>;
  clock: Clock;
}

export async function funnelReport(deps: FunnelReportDeps, query: FunnelQuery): Promise<FunnelReport> {
  const now = deps.clock.now();
  const range = resolveRange(query, now);
  const filters = { ...(query.source !== undefined ? { source: query.source } : {}), ...(query.utm_campaign !== undefined ? { utm_campaign: query.utm_campaign } : {}) };
  const dims = dimsKey(filters);
  const [days, gauges, activity, cohortWeeks] = await Promise.all([
    deps.reports.funnelDays(dims, range.from, range.to),
    deps.reports.funnelNow(dims),
    deps.reports.activityDays(range.from, range.to),
    deps.reports.cohorts(dims, weekOf(range.from), range.to),
  ]);
  const total = sumCounts(days);
  const acts = sumCounts(activity);
  return {
    generatedAt: now.toISOString(),
    range,
    filters,
    captured: total.captured ?? 0,
    stages: stageRows(total, gauges),
    velocity: velocityOf(total),
    bySource: breakdown(total, 'src'),
    byCampaign: breakdown(total, 'camp'),
    reps: await repRows(deps, acts),
    templates: templateRows(acts),
    splits: splitRows(acts),
    cohorts: cohortRows(cohortWeeks.filter((c) => c.week >= weekOf(range.from) && c.week <= range.to), now),
  };
}

function stageRows(total: Counts, gauges: Counts): FunnelStageRow[] {
  const first = total[`entered:${STAGES[0]}`] ?? 0;
  return STAGES.map((stage, i) => {
    const entered = total[`entered:${stage}`] ?? 0;
    const previous = i > 0 ? (total[`entered:${STAGES[i - 1]}`] ?? 0) : 0;
    const tis = histogramOf(total, `tis:${stage}`);
    return {
      stage,
      entered,
      currentlyIn: Math.max(0, gauges[`in:${stage}`] ?? 0),
      movedOn: total[`movedOn:${stage}`] ?? 0,
      recycled: total[`recycled:${stage}`] ?? 0,
      dormant: total[`dormant:${stage}`] ?? 0,
      lost: total[`lost:${stage}`] ?? 0,
      conversionFromPrevious: i === 0 ? null : ratio(entered, previous),
      cumulativeConversion: ratio(entered, first),
      timeInStage: { medianHours: round(quantile(tis, 0.5)), p90Hours: round(quantile(tis, 0.9)), samples: sampleCount(tis) },
    };
  });
}

function velocityOf(total: Counts) {
  const h = histogramOf(total, 'velocity');
  const days = (x: number | null) => round(x === null ? null : x / 24);
  return { won: total.won ?? 0, medianDays: days(quantile(h, 0.5)), p90Days: days(quantile(h, 0.9)) };
}

/** Counters `<prefix>:<key>:<metric>` (or `<key>:<metric>` with no prefix) → { key → { metric → n } }. */
export function grouped(counts: Counts, prefix: string): Map<string, Counts> {
  const out = new Map<string, Counts>();
  const head = prefix ? `${prefix}:` : '';
  for (const [name, n] of Object.entries(counts)) {
    if (!name.startsWith(head)) continue;
    const rest = name.slice(head.length);
    const cut = rest.indexOf(':');
    if (cut < 0) continue;
    const key = rest.slice(0, cut);
    const metric = rest.slice(cut + 1);
    const row = out.get(key) ?? {};
    row[metric] = (row[metric] ?? 0) + n;
    out.set(key, row);
  }
  return out;
}

function breakdown(total: Counts, prefix: 'src' | 'camp'): FunnelBreakdownRow[] {
  return [...grouped(total, prefix)]
    .map(([key, c]) => ({ key: decodeDim(key), captured: c.captured ?? 0, won: c.won ?? 0, winRate: ratio(c.won ?? 0, c.captured ?? 0) }))
    .sort((a, b) => b.captured - a.captured || a.key.localeCompare(b.key));
}

async function repRows(deps: FunnelReportDeps, acts: Counts): Promise<FunnelRepRow[]> {
  const rows = [...grouped(acts, 'rep')].map(([key, c]) => [decodeDim(key), c] as const);
  const names = await Promise.all(rows.map(([repId]) => deps.reps.get(repId).then((r) => r?.name, () => undefined)));
  return rows
    .map(([repId, c], i) => {
      const contact = histogramOf(c, 'contact');
      const met = c.slaMet ?? 0;
      const missed = c.slaMissed ?? 0;
      const won = c.won ?? 0;
      return {
        repId,
        ...(names[i] ? { name: names[i] } : {}),
        assigned: c.assigned ?? 0,
        slaMetPct: ratio(met, met + missed),
        medianHoursToFirstContact: round(quantile(contact, 0.5)),
        won,
        winRate: ratio(won, c.closed ?? 0),
      };
    })
    .sort((a, b) => b.won - a.won || b.assigned - a.assigned || a.repId.localeCompare(b.repId));
}

function templateRows(acts: Counts): FunnelTemplateRow[] {
  return [...grouped(acts, 'tpl')]
    .map(([t, c]) => ({ template: decodeDim(t), sent: c.sent ?? 0, skipped: c.skipped ?? 0, deferred: c.deferred ?? 0, opened: c.opened ?? 0, clicked: c.clicked ?? 0 }))
    .sort((a, b) => a.template.localeCompare(b.template));
}

function splitRows(acts: Counts): FunnelSplitRow[] {
  return [...grouped(acts, 'split')]
    .flatMap(([step, c]) => [...grouped(c, '').entries()].map(([arm, m]) => ({ step, arm, m })))
    .map(({ step, arm, m }) => ({
      step,
      arm,
      leads: m.leads ?? 0,
      sent: m.sent ?? 0,
      outcome: { measure: 'reached_next_stage' as const, count: m.outcome ?? 0, rate: ratio(m.outcome ?? 0, m.leads ?? 0) },
    }))
    .sort((a, b) => a.step.localeCompare(b.step) || a.arm.localeCompare(b.arm));
}

function cohortRows(weeks: Array<{ week: string; counts: Counts }>, now: Date): FunnelCohortRow[] {
  return weeks.map(({ week, counts }) => {
    const captured = counts.captured ?? 0;
    const shown = Math.max(1, Math.min(COHORT_WEEKS_SHOWN, Math.floor((now.getTime() - Date.parse(`${week}T00:00:00.000Z`)) / (7 * DAY_MS)) + 1));
    const reached = {} as Record<Stage | 'won', number[]>;
    for (const stage of [...STAGES, 'won'] as const) {
      let cumulative = 0;
      reached[stage] = Array.from({ length: shown }, (_, n) => {
        cumulative += counts[`reach:${stage}:w${n}`] ?? 0;
        return ratio(cumulative, captured) ?? 0;
      });
    }
    return { week, captured, weeks: shown, reached };
  });
}
