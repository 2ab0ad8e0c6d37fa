/**
 * `npm run simulate` on a small cohort (30 leads over 30 days), through the same code path as the command:
 * each simulation in a child process of its own on the run's DynamoDB Local, the shipped app as the global
 * setup synthesized it, the variant synthesized here. No timing thresholds: what is asserted is what the
 * runs found.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCohorts, type CohortRequest } from '../../scripts/simulate/orchestrate.js';
import { buildReport, writeReport } from '../../scripts/simulate/report.js';
import type { SimulationResult } from '../../scripts/simulate/run.js';
import { DEFAULT_SCENARIO } from '../../scripts/simulate/scenario.js';
import { REPO_ROOT } from '../../local/stack.js';

const workDirs: string[] = [];
const request = (name: string, extra: Partial<CohortRequest> = {}): CohortRequest => {
  const workDir = path.join(REPO_ROOT, '.sim', `test-${name}-${process.pid}`);
  workDirs.push(workDir);
  return {
    scenarioPath: DEFAULT_SCENARIO,
    seed: 11,
    leads: 30,
    days: 30,
    clock: 'auto',
    timeScale: 86_400,
    workDir,
    baselineTemplatePath: inject('appTemplatePath'),
    dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB!,
    ...extra,
  };
};

afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

/** What must repeat for a seed: everything but the wall-clock timings. */
const reproducible = (r: SimulationResult) => ({ figures: r.figures, invariants: r.invariants, transitions: Object.values(r.cost.parts).map((p) => p.transitions), emails: Object.values(r.cost.parts).map((p) => p.emails) });

const expectInvariantsHold = (r: SimulationResult) => {
  expect(r.invariants.map((i) => i.name)).toEqual(['no-lead-lost', 'no-double-send-ledger', 'no-double-send-inbox', 'no-mail-after-unsubscribe']);
  for (const i of r.invariants) expect(i.violations, `${i.name}: ${i.examples.join('; ')}`).toBe(0);
};

describe('the cohort simulator', () => {
  it('gives the same figures for the same seed, with every invariant holding', async () => {
    const first = (await runCohorts(request('seed-a'))).baseline!;
    const second = (await runCohorts(request('seed-b'))).baseline!;

    expect(first.figures.cohort).toMatchObject({ leads: 30, captured: 30 });
    expect(first.figures.emails.toLeads).toBeGreaterThanOrEqual(30);
    expect(first.figures.reps.certified).toBeGreaterThan(0);
    expect(first.invariants.find((i) => i.name === 'no-lead-lost')!.checked).toBe(30);
    expectInvariantsHold(first);
    expect(reproducible(second)).toEqual(reproducible(first));
    // Every wait held: the discrete clock fired each timer within the tick it allows (an hour).
    expect(first.clock).toBe('discrete');
    expect(first.timing.timers!.fired).toBeGreaterThan(30);
    expect(first.timing.timers!.maxLatenessMs).toBeLessThanOrEqual(first.timing.timers!.allowedMs);
    expect(first.timing.timers!.allowedMs).toBe(3_600_000);
  });

  it('runs the same cohort on a programme variant and reports the difference side by side', async () => {
    const variant = path.join(REPO_ROOT, 'scripts', 'simulate', 'variants', 'faster-nurture.ts');
    const req = request('compare', { variant });
    const { baseline, variant: faster } = await runCohorts(req);
    expect(faster).toBeDefined();
    expectInvariantsHold(baseline!);
    expectInvariantsHold(faster!);

    // The same people arrived; the variant's shorter waits sent the same emails sooner, so more fell inside the period.
    expect(faster!.figures.cohort).toEqual(baseline!.figures.cohort);
    expect(faster!.figures.emails.toLeads).toBeGreaterThan(baseline!.figures.emails.toLeads);
    const waits = (file: string) => JSON.stringify(JSON.parse(readFileSync(file, 'utf8')).template.Resources.LeadFunnel.Properties.DefinitionString).match(/"Seconds\\?":\s*\d+/g);
    expect(waits(path.join(req.workDir, 'template-variant.json'))).not.toEqual(waits(req.baselineTemplatePath!));

    const report = buildReport({ scenario: 'default', scenarioName: 'default', seed: 11, leads: 30, days: 30, clock: baseline!.clock, variant, generatedAt: new Date().toISOString() }, baseline!, faster);
    expect(report.difference!['figures.emails.toLeads']).toBe(faster!.figures.emails.toLeads - baseline!.figures.emails.toLeads);
    const files = writeReport(req.workDir, report);
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain('What changes with the variant');
    expect(html).toContain('figures.emails.toLeads');
    expect(html).toMatch(/[\d,]+ timers fired \(waits, retry pauses, scheduled rules\), the latest [\d.]+ min after its due time/);
    // Self-contained: Chart.js is inlined, nothing is fetched.
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('Chart.js v4');
    expect(JSON.parse(readFileSync(files.json, 'utf8')).variant.figures.cohort.captured).toBe(30);
  });

  it('runs an onboarding variant (a programme the tasks read at run time) in both the machine and the handlers', async () => {
    const variant = path.join(REPO_ROOT, 'scripts', 'simulate', 'variants', 'no-shadowing.ts');
    const req = request('compare-onboarding', { variant });
    const { baseline, variant: lighter } = await runCohorts(req);
    expectInvariantsHold(baseline!);
    expectInvariantsHold(lighter!);
    expect(lighter!.figures.cohort).toEqual(baseline!.figures.cohort);

    // The handlers ran the variant: every rep was given the shorter path (each role's one shadowing module gone), as
    // the system's own GET /reps/{id} shows it.
    const modulesOf = (r: SimulationResult) => r.figures.reps.load.map((l) => ({ role: l.role, hiredDay: l.hiredDay, modules: l.modules }));
    expect(modulesOf(baseline!).every((l) => l.modules > 1)).toBe(true);
    expect(modulesOf(lighter!)).toEqual(modulesOf(baseline!).map((l) => ({ ...l, modules: l.modules - 1 })));
    // So the simulated rep had fewer modules to complete, and the onboarding runs fewer steps to take.
    const completions = (r: SimulationResult) => r.timing.requests['POST /reps/{id}/modules/{id}/completions'] ?? 0;
    expect(completions(lighter!)).toBeGreaterThan(0);
    expect(completions(lighter!)).toBeLessThan(completions(baseline!));
    expect(lighter!.cost.parts.onboarding!.transitions).toBeLessThan(baseline!.cost.parts.onboarding!.transitions);
    // The funnel is the shipped one in both.
    expect(lighter!.figures.emails.toLeads).toBe(baseline!.figures.emails.toLeads);
  });
});
