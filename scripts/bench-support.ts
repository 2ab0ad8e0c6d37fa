/**
 * Helpers shared by the benchmark and cost scripts (scripts/bench-*.ts, scripts/cost-per-lead.ts):
 * child processes that are always killed by PID, timing, percentiles and plain-text tables.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const live = new Set<number>();
/** Kills (by PID, with its process group) every child still running: on exit and on Ctrl-C. */
function killLive(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  live.clear();
}
process.on('exit', killLive);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killLive();
    process.exit(130);
  });
}

/** Runs a command to completion (wall time measured here); killed by PID after timeoutMs. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so `npx` and its children go with it
    });
    if (child.pid) live.add(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 300_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (child.pid) live.delete(child.pid);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { median, percentile } from './stats.js';

export const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
export const fmtKb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** A plain-text table, columns padded; numbers (and $ amounts) right-aligned. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-$\d.,% ]+[a-zA-Z/]*$/.test(String(r[i] ?? ''))));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Runs `worker` over `items` with at most `concurrency` in flight; bounded by the items. */
export async function pool<T>(items: T[], concurrency: number, worker: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await worker(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}

export const machineNote = () => `node ${process.version}, ${availableParallelism()} cores, ${new Date().toISOString().slice(0, 10)}`;

// The price table and the usage counters live in scripts/pricing.ts (shared with the simulator).
export { countCapacity, estimateLogs, PRICES, PRICES_TAKEN, type Usage } from './pricing.js';
