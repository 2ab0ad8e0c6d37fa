/**
 * One simulation in a process of its own (the handlers read their configuration once, at module scope, so
 * one process runs one local system): `tsx scripts/simulate/worker.ts <job.json>`. Progress goes to stdout
 * as `@progress {…}` lines for the parent to draw; the result is written to the job's `out` file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { SynthesizedApp } from '../../local/synth.js';
import { installProgrammes } from '../../functions/shared/programmes.js';
import { simulate } from './run.js';
import { loadVariant, runTimeProgrammes } from './variant.js';
import { loadScenario } from './scenario.js';
import type { ClockKind } from './sim-stack.js';

export interface Job {
  scenarioPath: string;
  templatePath: string;
  seed: number;
  leads: number;
  days: number;
  clock: ClockKind;
  timeScale: number;
  out: string;
  dynamodbEndpoint?: string;
  /** A `--compare` variant: its RepOnboarding and CustomerRetention programmes are installed before the handlers load. */
  variant?: string;
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Job;
const app = JSON.parse(readFileSync(job.templatePath, 'utf8')) as SynthesizedApp;
if (job.variant) installProgrammes(runTimeProgrammes(await loadVariant(job.variant)));
let last = 0;
const result = await simulate({
  scenario: loadScenario(job.scenarioPath),
  seed: job.seed,
  leads: job.leads,
  days: job.days,
  app,
  clock: job.clock,
  timeScale: job.timeScale,
  ...(job.dynamodbEndpoint ? { dynamodbEndpoint: job.dynamodbEndpoint } : {}),
  onProgress: (p) => {
    if (Date.now() - last < 250 && p.day < p.days) return;
    last = Date.now();
    process.stdout.write(`@progress ${JSON.stringify(p)}\n`);
  },
});
writeFileSync(job.out, JSON.stringify(result));
// Handlers and SDK clients keep sockets and timers: this process's work is done.
process.exit(0);
