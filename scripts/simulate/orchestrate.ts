/**
 * Runs a cohort (and, for a what-if, the same cohort on a programme variant): synthesizes each app once, here,
 * then runs each simulation in a child process of its own (scripts/simulate/worker.ts), one after the other
 * so they do not share the two cores, drawing their progress. Children are killed by their PID (with their
 * process group) if this process ends first.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../local/stack.js';
import { synthesizeTemplate } from '../../local/synth.js';
import type { Progress, SimulationResult } from './run.js';
import type { ClockKind } from './sim-stack.js';
import { loadVariant, runTimeProgrammes } from './variant.js';
import type { Job } from './worker.js';

export interface CohortRequest {
  scenarioPath: string;
  seed: number;
  leads: number;
  days: number;
  clock: ClockKind;
  timeScale: number;
  /** Where the run's working files go (templates, job files, results). */
  workDir: string;
  /** A programme variant to compare with (module or directory). */
  variant?: string;
  /** The shipped app, already synthesized (tests have it from their global setup). */
  baselineTemplatePath?: string;
  dynamodbEndpoint?: string;
}

export type Label = 'baseline' | 'variant';

const live = new Set<number>();
const killLive = () => {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
};
let guarded = false;
function guardChildren(): void {
  if (guarded) return;
  guarded = true;
  process.on('exit', killLive);
}

async function templateFor(request: CohortRequest, label: Label): Promise<string> {
  if (label === 'baseline' && request.baselineTemplatePath) return request.baselineTemplatePath;
  const variant = label === 'variant' ? await loadVariant(request.variant!) : undefined;
  const app = await synthesizeTemplate(REPO_ROOT, variant ? { ...(variant.LeadFunnel ? { funnelProgramme: variant.LeadFunnel } : {}), programmes: runTimeProgrammes(variant) } : {});
  const file = path.join(request.workDir, `template-${label}.json`);
  writeFileSync(file, JSON.stringify(app));
  return file;
}

function runWorker(jobFile: string, onProgress: (p: Progress) => void): Promise<void> {
  guardChildren();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'scripts', 'simulate', 'worker.ts'), jobFile], {
      cwd: REPO_ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (child.pid) live.add(child.pid);
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line.startsWith('@progress ')) onProgress(JSON.parse(line.slice('@progress '.length)) as Progress);
    });
    child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-8_000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (child.pid) live.delete(child.pid);
      if (code === 0) resolve();
      else reject(new Error(`the simulation process ended with ${code}:\n${stderr.trim()}`));
    });
  });
}

/** Runs the baseline and, with a variant, the same cohort on it; results by label. */
export async function runCohorts(request: CohortRequest, onProgress: (label: Label, p: Progress) => void = () => undefined): Promise<Partial<Record<Label, SimulationResult>>> {
  mkdirSync(request.workDir, { recursive: true });
  const labels: Label[] = request.variant ? ['baseline', 'variant'] : ['baseline'];
  // Both apps first: a variant that fails validation fails before minutes of simulation.
  const templates = {} as Record<Label, string>;
  for (const label of labels) templates[label] = await templateFor(request, label);
  const results: Partial<Record<Label, SimulationResult>> = {};
  for (const label of labels) {
    const job: Job = {
      scenarioPath: request.scenarioPath,
      templatePath: templates[label],
      seed: request.seed,
      leads: request.leads,
      days: request.days,
      clock: request.clock,
      timeScale: request.timeScale,
      out: path.join(request.workDir, `result-${label}.json`),
      // The worker installs the variant's run-time programmes for its handlers (the synthesized app has them too).
      ...(label === 'variant' ? { variant: path.resolve(request.variant!) } : {}),
      ...(request.dynamodbEndpoint ? { dynamodbEndpoint: request.dynamodbEndpoint } : {}),
    };
    const jobFile = path.join(request.workDir, `job-${label}.json`);
    writeFileSync(jobFile, JSON.stringify(job));
    await runWorker(jobFile, (p) => onProgress(label, p));
    results[label] = JSON.parse(readFileSync(job.out, 'utf8')) as SimulationResult;
  }
  return results;
}
