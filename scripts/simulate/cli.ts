/**
 * `npm run simulate`: a cohort through all three workflows on the local runtime and the real synthesized
 * definitions, in compressed time, with a behaviour model; writes report.html (charts, self-contained) and
 * report.json; `--compare` runs the same cohort on a programme variant beside it; `--bench` prints the speed.
 * Only 127.0.0.1; every process it starts is stopped (by PID) on every exit path. See README "Simulating a
 * cohort (what-if)".
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { runCohorts, type Label } from './orchestrate.js';
import { OptionError, parseOptions, USAGE } from './options.js';
import { buildReport, describeTimers, writeReport } from './report.js';
import type { Progress, SimulationResult } from './run.js';
import { DEFAULT_SCENARIO, loadScenario, ScenarioError } from './scenario.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function progressLine(label: Label, p: Progress): string {
  const s = Math.round(p.wallMs / 1000);
  return `[${label}] virtual day ${p.day.toFixed(1)}/${p.days} · leads ${p.captured.toLocaleString('en')}/${p.leads.toLocaleString('en')} · emails ${p.emails.toLocaleString('en')} · events ${p.events.toLocaleString('en')} · ${s} s`;
}

function drawProgress(): (label: Label, p: Progress) => void {
  let lastDecile = -1;
  return (label, p) => {
    if (process.stdout.isTTY) {
      process.stdout.write(`\r\x1b[2K${progressLine(label, p)}`);
      if (p.day >= p.days) process.stdout.write('\n');
      return;
    }
    // Not a terminal (CI, a log file): a line every tenth of the period.
    const decile = Math.floor((p.day / p.days) * 10);
    if (decile !== lastDecile) console.log(progressLine(label, p));
    lastDecile = decile;
  };
}

function benchSummary(r: SimulationResult, leads: number, days: number): string {
  const t = r.timing;
  const cores = t.loopCpuMs / t.loopMs;
  const http = Object.entries(t.requests).filter(([k]) => !k.includes('(measure)')).reduce((s, [, n]) => s + n, 0);
  return [
    `simulated ${leads.toLocaleString('en')} leads × ${days} days = ${(leads * days).toLocaleString('en')} lead-days in ${(t.loopMs / 1000).toFixed(1)} s: ${t.leadDaysPerSecond.toLocaleString('en')} lead-days per wall-clock second (${r.clock} clock; ${t.leadDaysLivedPerSecond.toLocaleString('en')} counting each lead from its arrival)`,
    `wall-clock by phase: ${Object.entries(t.phasesMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')} (advance: the clock firing the system's timers and waiting for their work; act: the people's requests; settle: waiting for the system to be idle before reading the inbox)`,
    ...(t.timers ? [describeTimers(t.timers)] : []),
    `work done: ${t.ticks.toLocaleString('en')} ticks, ${t.executions.toLocaleString('en')} executions, ${http.toLocaleString('en')} HTTP requests, ${(r.figures.emails.total + r.figures.emails.toTeam).toLocaleString('en')} emails; reading the figures back took ${(t.measureMs / 1000).toFixed(1)} s more`,
    `this process (simulator, handlers, local Step Functions, local SES) used ${(t.loopCpuMs / 1000).toFixed(1)} s of CPU over the loop: ${cores.toFixed(2)} cores on average` +
      (cores > 0.8 ? ' — it is CPU-bound on its one Node thread (the handlers and the state machine interpreter run in-process); DynamoDB Local (its own JVM) has the other core' : ' — it waits on I/O (DynamoDB Local, HTTP) more than it computes'),
  ].join('\n');
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const scenarioPath = path.resolve(options.scenario ?? DEFAULT_SCENARIO);
  const scenario = loadScenario(scenarioPath);
  const out = path.resolve(options.out);
  mkdirSync(out, { recursive: true });
  console.log(`Simulating ${options.leads.toLocaleString('en')} leads over ${options.days} days (scenario ${scenario.name}, seed ${options.seed}${options.compare ? `, compared with ${options.compare}` : ''})…`);
  const results = await runCohorts(
    {
      scenarioPath,
      seed: options.seed,
      leads: options.leads,
      days: options.days,
      clock: options.clock,
      timeScale: options.timeScale,
      workDir: path.join(out, 'work'),
      ...(options.compare ? { variant: path.resolve(options.compare) } : {}),
    },
    drawProgress(),
  );
  const baseline = results.baseline!;
  const report = buildReport(
    {
      scenario: path.relative(process.cwd(), scenarioPath),
      scenarioName: scenario.name,
      seed: options.seed,
      leads: options.leads,
      days: options.days,
      clock: baseline.clock,
      ...(baseline.clock === 'scaled' ? { timeScale: options.timeScale } : {}),
      ...(options.compare ? { variant: options.compare } : {}),
      generatedAt: new Date().toISOString(),
    },
    baseline,
    results.variant,
  );
  const files = writeReport(out, report);
  for (const [label, r] of Object.entries(results) as Array<[Label, SimulationResult]>) {
    const f = r.figures;
    const broken = r.invariants.filter((i) => i.violations > 0);
    console.log(
      `${label}: ${f.cohort.captured} leads, ${f.funnel.outcomes.won} won, ${f.emails.perLead} emails per lead, $${r.cost.perLeadUsd} per lead, ` +
        `${r.cost.perCustomerYearUsd === null ? 'no customer-year yet' : `$${r.cost.perCustomerYearUsd} per customer-year`}; invariants ${broken.length ? `BROKEN: ${broken.map((i) => `${i.name} (${i.violations})`).join(', ')}` : 'hold'}`,
    );
    if (options.bench) console.log(benchSummary(r, options.leads, options.days));
  }
  console.log(`Report: ${path.relative(process.cwd(), files.html)} and ${path.relative(process.cwd(), files.json)}`);
  return Object.values(results).some((r) => r!.invariants.some((i) => i.violations > 0)) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof OptionError || err instanceof ScenarioError) console.error(err.message);
    else console.error(err);
    process.exit(2);
  },
);
