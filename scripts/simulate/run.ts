/**
 * One simulation: start the local system on the given synthesized app, run the cohort through it tick by
 * tick up to the horizon, count what it used, read the figures back and check the invariants, stop.
 */
import { DAY_MS } from '../../functions/core/clock.js';
import { documentClient } from '../../functions/shared/clients.js';
import type { SynthesizedApp } from '../../local/synth.js';
import { countCapacity } from '../pricing.js';
import { planCohort, startMsOf } from './behaviour.js';
import { priceUsage, snapshotUsage, type CostFigures } from './cost.js';
import { SimHttp } from './http.js';
import { InboxReader } from './inbox.js';
import { measure, type Figures, type Invariant } from './measure.js';
import type { Scenario } from './scenario.js';
import { startSimStack, type ClockKind } from './sim-stack.js';
import { tickMsOf, World } from './world.js';

export interface SimulationOptions {
  scenario: Scenario;
  seed: number;
  leads: number;
  days: number;
  app: SynthesizedApp;
  clock: ClockKind;
  /** Virtual seconds per real second (scaled clock only). */
  timeScale: number;
  dynamodbEndpoint?: string;
  /** People acting at once within a tick (default 16). */
  concurrency?: number;
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  day: number;
  days: number;
  captured: number;
  leads: number;
  emails: number;
  events: number;
  wallMs: number;
}

export interface SimulationResult {
  figures: Figures;
  cost: CostFigures;
  invariants: Invariant[];
  /** The clock the run had (`auto` resolved). */
  clock: 'scaled' | 'discrete';
  /** Wall-clock figures: not reproducible, left out of comparisons. */
  timing: {
    wallMs: number;
    loopMs: number;
    measureMs: number;
    /** Simulated lead-days per wall-clock second of the simulation loop: leads × days, as the issue counts them. */
    leadDaysPerSecond: number;
    /** The same counting each lead from its arrival only (leads arrive over the period: about half as many). */
    leadDaysLivedPerSecond: number;
    /** CPU time of this process (handlers, local runtime, simulator) over the loop: ~1 core when Node is the limit. */
    loopCpuMs: number;
    ticks: number;
    /** Wall-clock ms of the loop by phase: the clock moving (the system working its timers), people acting, settling, reading mail. */
    phasesMs: Record<string, number>;
    executions: number;
    /**
     * The discrete clock's timers (every Wait, retry pause and scheduled rule): how many fired, the latest any
     * fired after its due time, and the tick they may be late by (timers within a tick fire together).
     */
    timers?: { fired: number; maxLatenessMs: number; allowedMs: number };
    requests: Record<string, number>;
    refused: Record<string, number>;
  };
}

const sortKeys = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const t0 = performance.now();
  const { scenario, seed, leads, days } = options;
  const startMs = startMsOf(scenario);
  const horizonMs = startMs + days * DAY_MS;
  const sim = await startSimStack({ app: options.app, clock: options.clock, startMs, timeScale: options.timeScale, resolutionMs: tickMsOf(scenario), ...(options.dynamodbEndpoint ? { dynamodbEndpoint: options.dynamodbEndpoint } : {}) });
  try {
    const { stack, clock } = sim;
    // DynamoDB units as the handlers use them (the one client of this process); the sweeper's idle queries are a fixed cost.
    const ddb = countCapacity(documentClient(), (command, input) => command === 'QueryCommand' && input?.IndexName === 'gsi4');
    const http = new SimHttp(stack.apiUrl, stack.apiKey);
    const inbox = new InboxReader(stack.sesUrl, (to) => !to.startsWith('lead-'));
    const cohort = planCohort(scenario, seed, leads, days);
    const world = new World(scenario, seed, http, clock, horizonMs, cohort);
    const tick = tickMsOf(scenario);
    const concurrency = options.concurrency ?? 16;
    const loopStart = performance.now();
    const cpuStart = process.cpuUsage();
    let ticks = 0;
    const progress = () =>
      options.onProgress?.({ day: Math.min(days, (clock.now() - startMs) / DAY_MS), days, captured: world.counters.captures, leads, emails: inbox.all.length, events: world.counters.events, wallMs: performance.now() - t0 });

    const phases = { advance: 0, act: 0, settle: 0, inbox: 0 };
    const timed = async (phase: keyof typeof phases, work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      phases[phase] += performance.now() - started;
    };
    const onGrid = (ms: number) => startMs + Math.ceil((ms - startMs) / tick) * tick;
    for (let t = startMs; ; ) {
      await timed('advance', () => clock.advanceTo(t));
      let acted = 0;
      await timed('act', async () => void (acted = await world.runDue(t, concurrency)));
      // The clock's advance ended idle: only the people's actions can have started work since.
      if (acted) await timed('settle', () => clock.settle());
      await timed('inbox', () => world.answerMail(inbox, t));
      progress();
      ticks += 1;
      if (t >= horizonMs) break;
      // Discrete: straight on to the tick of the next thing due (a person's action, or a timer of the system),
      // skipping ticks in which nothing can happen. Scaled: the clock ran on while the tick's work was done;
      // catch up with it rather than fall behind.
      const nextDue = Math.min(world.agenda.peekAt() ?? Infinity, clock.nextDueMs() ?? Infinity);
      const next = clock.kind === 'scaled' ? Math.floor(clock.now() / tick) * tick : onGrid(nextDue);
      t = Math.min(horizonMs, Math.max(t + tick, next));
    }
    await clock.settle();
    await inbox.read();
    const usage = snapshotUsage(stack, options.app.template, http.counts, inbox.all, { rru: ddb.rru, wru: ddb.wru });
    const loopMs = performance.now() - loopStart;
    const cpu = process.cpuUsage(cpuStart);
    const timers = clock.timers();

    const measureStart = performance.now();
    const executionNames = new Set(stack.executions.list().map((e) => e.name));
    const { figures, invariants } = await measure(http, { leads: world.leads, reps: world.reps, mail: inbox.all, startMs, horizonMs, executionNames });
    const cost = priceUsage(usage, figures.cohort.captured, figures.customers.customerYears);
    const measureMs = performance.now() - measureStart;
    return {
      figures,
      cost,
      invariants,
      clock: clock.kind,
      timing: {
        wallMs: Math.round(performance.now() - t0),
        loopMs: Math.round(loopMs),
        measureMs: Math.round(measureMs),
        leadDaysPerSecond: Math.round((leads * days) / (loopMs / 1000)),
        leadDaysLivedPerSecond: Math.round(cohort.reduce((sum, l) => sum + (horizonMs - l.arrivalMs) / DAY_MS, 0) / (loopMs / 1000)),
        loopCpuMs: Math.round((cpu.user + cpu.system) / 1000),
        ticks,
        phasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])),
        executions: executionNames.size,
        ...(timers ? { timers: { ...timers, allowedMs: tick } } : {}),
        requests: sortKeys(http.counts),
        refused: sortKeys(http.refused),
      },
    };
  } finally {
    await sim.stop();
  }
}
