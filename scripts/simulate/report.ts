/**
 * The simulator's outputs: a JSON file (the figures, the cost, the invariants, and — kept apart — the
 * wall-clock timings) and one self-contained HTML page with charts (Chart.js inlined, so the file opens
 * anywhere, offline). With a variant, both side by side and the difference.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../local/stack.js';
import type { SimulationResult } from './run.js';

export interface ReportMeta {
  scenario: string;
  scenarioName: string;
  seed: number;
  leads: number;
  days: number;
  clock: string;
  timeScale?: number;
  variant?: string;
  generatedAt: string;
}

export interface Report {
  meta: ReportMeta;
  baseline: SimulationResult;
  variant?: SimulationResult;
  /** variant − baseline for every number the two share (figures and cost), by its path. */
  difference?: Record<string, number>;
}

/** How the discrete clock kept the waits: one sentence, for the report and the bench line. */
export function describeTimers(timers: NonNullable<SimulationResult['timing']['timers']>): string {
  const late = timers.maxLatenessMs > timers.allowedMs ? ' — OVER' : '';
  return `${timers.fired.toLocaleString('en')} timers fired (waits, retry pauses, scheduled rules), the latest ${(timers.maxLatenessMs / 60_000).toFixed(1)} min after its due time (allowed: ${Math.round(timers.allowedMs / 60_000)} min, one tick)${late}`;
}

/** Every numeric leaf of an object by its dotted path (arrays by index, or by `stage`/`rep` when they have one). */
export function numbers(value: unknown, prefix = ''): Record<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) return { [prefix]: value };
  if (Array.isArray(value)) {
    return Object.assign({}, ...value.map((v, i) => numbers(v, `${prefix}[${(v as any)?.stage ?? (v as any)?.rep ?? i}]`)));
  }
  if (value && typeof value === 'object') {
    return Object.assign({}, ...Object.entries(value).map(([k, v]) => numbers(v, prefix ? `${prefix}.${k}` : k)));
  }
  return {};
}

export function difference(baseline: SimulationResult, variant: SimulationResult): Record<string, number> {
  const a = numbers({ figures: baseline.figures, cost: baseline.cost });
  const b = numbers({ figures: variant.figures, cost: variant.cost });
  const out: Record<string, number> = {};
  for (const key of Object.keys(a)) if (key in b && b[key] !== a[key]) out[key] = Math.round((b[key]! - a[key]!) * 1e6) / 1e6;
  return out;
}

export function buildReport(meta: ReportMeta, baseline: SimulationResult, variant?: SimulationResult): Report {
  return { meta, baseline, ...(variant ? { variant, difference: difference(baseline, variant) } : {}) };
}

export function writeReport(dir: string, report: Report): { json: string; html: string } {
  const json = path.join(dir, 'report.json');
  const html = path.join(dir, 'report.html');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(html, renderHtml(report));
  return { json, html };
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (n: number | null | undefined) => (n === null || n === undefined ? '–' : `${(n * 100).toFixed(1)}%`);
const num = (n: number | null | undefined, digits = 2) => (n === null || n === undefined ? '–' : Number(n.toFixed(digits)).toLocaleString('en'));
const usd = (n: number | null | undefined) => (n === null || n === undefined ? '–' : `$${n < 0.01 ? n.toFixed(6) : n.toFixed(4)}`);

function table(head: string[], rows: Array<Array<string | number>>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function section(label: string, r: SimulationResult): string {
  const f = r.figures;
  const ok = r.invariants.every((i) => i.violations === 0);
  return `<section><h2>${esc(label)}</h2>
  <div class="cards">
    <div class="card"><b>${f.cohort.captured}</b>leads captured</div>
    <div class="card"><b>${f.funnel.outcomes.won}</b>won (${pct(f.cohort.captured ? f.funnel.outcomes.won / f.cohort.captured : 0)})</div>
    <div class="card"><b>${num(f.emails.perLead)}</b>emails per lead</div>
    <div class="card"><b>${usd(r.cost.perLeadUsd)}</b>per lead</div>
    <div class="card"><b>${usd(r.cost.perCustomerYearUsd)}</b>per customer-year</div>
    <div class="card ${ok ? 'ok' : 'bad'}"><b>${ok ? 'hold' : 'BROKEN'}</b>invariants</div>
  </div>
  <h3>Conversion by stage</h3>
  ${table(['stage', 'reached (or passed)', 'from the stage before', 'of all leads'], f.funnel.conversion.map((c) => [c.stage, c.reached, c.fromPrevious === null ? '–' : pct(c.fromPrevious), pct(c.cumulative)]))}
  <h3>Outcomes at the end of the period</h3>
  ${table(Object.keys(f.funnel.outcomes), [Object.values(f.funnel.outcomes)])}
  <h3>Time in stage (days, ended stays)</h3>
  ${table(['stage', 'stays', 'median', 'p90'], Object.entries(f.funnel.timeInStageDays).map(([s, t]) => [s, t.stays, num(t.median), num(t.p90)]))}
  <p>Capture to won: ${f.funnel.captureToWonDays.won} won, median ${num(f.funnel.captureToWonDays.median)} days, p90 ${num(f.funnel.captureToWonDays.p90)} days.</p>
  <h3>By source</h3>
  ${table(['source', 'leads', 'reached decision', 'won', 'win rate'], Object.entries(f.funnel.bySource).map(([s, v]) => [s, v.leads, v.reachedDecision, v.won, pct(v.winRate)]))}
  <h3>Emails</h3>
  ${table(['to leads', 'per lead', 'to customers', 'to the team', 'skipped', 'deferred'], [[f.emails.toLeads, num(f.emails.perLead), f.emails.toCustomers, f.emails.toTeam, f.emails.skipped, f.emails.deferred]])}
  <h3>Rep load</h3>
  ${table(['rep', 'role', 'hired (day)', 'modules', 'certified (day)', 'leads assigned', 'SLA misses', 'won'], f.reps.load.map((l) => [l.rep, l.role, num(l.hiredDay, 1), l.modules, l.certifiedDay === null ? '–' : num(l.certifiedDay, 1), l.leadsAssigned, l.slaMisses, l.won]))}
  <h3>Customers</h3>
  ${table(['customers', 'churned', 'renewals', 'NPS answers', 'NPS', 'customer-years', 'health'], [[f.customers.customers, f.customers.churned, f.customers.renewals, f.customers.npsAnswers, f.customers.nps ?? '–', num(f.customers.customerYears, 3), Object.entries(f.customers.health).map(([b, n]) => `${b} ${n}`).join(', ') || '–']])}
  <h3>Cost at list prices</h3>
  ${table(['part', 'USD', 'state transitions', 'Lambda requests', 'emails', 'HTTP requests', 'DynamoDB WRU', 'DynamoDB RRU'], Object.entries(r.cost.parts).map(([p, c]) => [p, usd(c.usd), c.transitions, c.lambdaRequests, c.emails, c.httpRequests, c.wru, c.rru]))}
  <ul class="small">${r.cost.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>
  <h3>Invariants checked</h3>
  ${table(['invariant', 'what', 'checked', 'violations', 'examples'], r.invariants.map((i) => [i.name, i.description, i.checked, i.violations, i.examples.join(' | ') || '–']))}
  <p class="small">Wall clock: ${(r.timing.wallMs / 1000).toFixed(1)} s in all, ${(r.timing.loopMs / 1000).toFixed(1)} s simulating (${r.timing.leadDaysPerSecond.toLocaleString('en')} lead-days a second), ${(r.timing.measureMs / 1000).toFixed(1)} s reading back.${r.timing.timers ? ` ${describeTimers(r.timing.timers)}.` : ''}</p>
  </section>`;
}

function chartData(report: Report) {
  const runs = [['baseline', report.baseline] as const, ...(report.variant ? [['variant', report.variant] as const] : [])];
  const stages = report.baseline.figures.funnel.conversion.map((c) => c.stage);
  return {
    stages,
    runs: runs.map(([label, r]) => ({
      label,
      reached: r.figures.funnel.conversion.map((c) => c.reached),
      timeInStage: stages.slice(0, 4).map((s) => r.figures.funnel.timeInStageDays[s]?.median ?? 0),
      templates: r.figures.emails.byTemplate,
      reps: r.figures.reps.load.map((l) => ({ rep: l.rep, assigned: l.leadsAssigned, misses: l.slaMisses, won: l.won })),
      cost: { funnel: r.cost.parts.funnel.usd, retention: r.cost.parts.retention.usd, onboarding: r.cost.parts.onboarding.usd },
    })),
  };
}

const CHART_SCRIPT = `
const data = JSON.parse(document.getElementById('sim-data').textContent);
const colours = ['#2563eb', '#f97316'];
const ds = (pick) => data.runs.map((r, i) => ({ label: r.label, data: pick(r), backgroundColor: colours[i] }));
const bar = (id, labels, datasets, opts = {}) => new Chart(document.getElementById(id), { type: 'bar', data: { labels, datasets }, options: { responsive: true, plugins: { legend: { display: data.runs.length > 1 } }, ...opts } });
bar('funnel', data.stages, ds((r) => r.reached));
bar('stay', data.stages.slice(0, 4), ds((r) => r.timeInStage));
const templates = [...new Set(data.runs.flatMap((r) => Object.keys(r.templates)))].sort();
bar('templates', templates, ds((r) => templates.map((t) => r.templates[t] || 0)), { indexAxis: 'y' });
const reps = data.runs[0].reps.map((x) => x.rep);
bar('reps', reps, data.runs.flatMap((r, i) => [{ label: r.label + ': assigned', data: r.reps.map((x) => x.assigned), backgroundColor: colours[i] }, { label: r.label + ': won', data: r.reps.map((x) => x.won), backgroundColor: colours[i] + '88' }]), { indexAxis: 'y', plugins: { legend: { display: true } } });
bar('cost', ['funnel', 'retention', 'onboarding'], ds((r) => [r.cost.funnel, r.cost.retention, r.cost.onboarding]));
`;

export function renderHtml(report: Report): string {
  const chartJs = readFileSync(path.join(REPO_ROOT, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'), 'utf8');
  const m = report.meta;
  const diffRows = Object.entries(report.difference ?? {}).filter(([k]) => !k.includes('timing'));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sales Flow cohort simulation: ${esc(m.scenarioName)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2937}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #e5e7eb;padding-bottom:.3rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}th,td{border:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f9fafb}.cards{display:flex;flex-wrap:wrap;gap:.6rem}.card{border:1px solid #e5e7eb;border-radius:8px;padding:.5rem .8rem;min-width:120px}
.card b{display:block;font-size:1.4rem}.ok b{color:#15803d}.bad b{color:#b91c1c}.small{color:#6b7280;font-size:12px}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}.charts div{min-width:0}
</style></head><body>
<h1>Cohort simulation: ${esc(m.scenarioName)}</h1>
<p>${m.leads.toLocaleString('en')} leads over ${m.days} days, seed ${m.seed}, ${esc(m.clock)} clock${m.timeScale && m.clock === 'scaled' ? ` (×${m.timeScale.toLocaleString('en')})` : ''}; scenario <code>${esc(m.scenario)}</code>${m.variant ? `; compared with <code>${esc(m.variant)}</code>` : ''}. Generated ${esc(m.generatedAt)}.</p>
<div class="charts">
<div><h3>Leads reaching (or passing) each stage</h3><canvas id="funnel"></canvas></div>
<div><h3>Median days in stage</h3><canvas id="stay"></canvas></div>
<div><h3>Emails sent by template</h3><canvas id="templates" height="320"></canvas></div>
<div><h3>Rep load</h3><canvas id="reps"></canvas></div>
<div><h3>Cost at list prices (USD)</h3><canvas id="cost"></canvas></div>
</div>
${report.variant ? `<section><h2>What changes with the variant</h2>${diffRows.length ? table(['figure', 'baseline', 'variant', 'difference'], diffRows.map(([k, d]) => { const a = numbers({ figures: report.baseline.figures, cost: report.baseline.cost })[k]; return [k, num(a, 4), num((a ?? 0) + d, 4), `${d > 0 ? '+' : ''}${num(d, 4)}`]; })) : '<p>No figure differs.</p>'}</section>` : ''}
${section(report.variant ? 'Baseline (shipped programmes)' : 'Results', report.baseline)}
${report.variant ? section(`Variant (${m.variant})`, report.variant) : ''}
<script id="sim-data" type="application/json">${JSON.stringify(chartData(report)).replace(/</g, '\\u003c')}</script>
<script>${chartJs}</script>
<script>${CHART_SCRIPT}</script>
</body></html>
`;
}
