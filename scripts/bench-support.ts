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

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
export const median = (values: number[]) => percentile(values, 50);

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

// ---- cost-per-lead helpers -------------------------------------------------------------------

/** us-east-1 list prices (USD) as read from the public AWS pricing pages on this date. */
export const PRICES_TAKEN = '2026-11-26';
export const PRICES = {
  sfnTransition: 0.025 / 1000, // Step Functions Standard, per state transition
  lambdaRequest: 0.2 / 1e6, // Lambda, per request
  lambdaGbSecond: 0.0000133334, // Lambda arm64, per GB-second
  ddbWru: 0.625 / 1e6, // DynamoDB on-demand, per write request unit
  ddbRru: 0.125 / 1e6, // DynamoDB on-demand, per read request unit
  sesEmail: 0.1 / 1000, // SES, per email
  eventBridgeEvent: 1 / 1e6, // EventBridge custom events, per event
  httpApiRequest: 1 / 1e6, // API Gateway HTTP API, per request (first 300M)
  logsIngestGb: 0.5, // CloudWatch Logs ingestion, per GB
  xrayTrace: 5 / 1e6, // X-Ray traces recorded, per trace
  secretMonth: 0.4, // Secrets Manager, per secret per month
  alarmMonth: 0.1, // CloudWatch standard-resolution alarm, per month
};

export interface Usage {
  transitions: number;
  invocations: Record<string, number>;
  gbSeconds: number;
  rru: number;
  wru: number;
  emails: number;
  busEvents: number;
  httpRequests: number;
  logBytes: number;
  traces: number;
  executions: number;
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

/**
 * Counts DynamoDB request units on the process's one client (functions/shared/clients.ts, the one the
 * in-process handlers use): asks for ReturnConsumedCapacity=INDEXES on every data request and adds up
 * what comes back (table + indexes). A request that fails (condition not met) still costs on AWS:
 * counted as 1 unit per item it named.
 */
/** `ignore`: requests that are not the measured path's (e.g. a scheduled job's), left out of every count. */
export function countCapacity(client: { middlewareStack: { add: (mw: any, opts: any) => void } }, ignore: (command: string, input: any) => boolean = () => false) {
  const state = { rru: 0, wru: 0, byCommand: {} as Record<string, number>, unreported: 0 };
  const units = (c: any): number => (Array.isArray(c) ? c.reduce((s, x) => s + units(x), 0) : Number(c?.CapacityUnits ?? 0));
  client.middlewareStack.add(
    (next: any, context: any) => async (args: any) => {
      const cmd: string = context.commandName;
      const isRead = READS.has(cmd);
      if ((!isRead && !WRITES.has(cmd)) || ignore(cmd, args.input)) return next(args);
      state.byCommand[cmd] = (state.byCommand[cmd] ?? 0) + 1;
      args.input.ReturnConsumedCapacity ??= 'INDEXES';
      const add = (n: number) => (isRead ? (state.rru += n) : (state.wru += n));
      try {
        const out = await next(args);
        const consumed = out.output?.ConsumedCapacity;
        if (consumed === undefined) state.unreported++;
        add(units(consumed));
        return out;
      } catch (err) {
        const items = args.input.TransactItems?.length ?? 1;
        add(items);
        state.byCommand[`${cmd} failed`] = (state.byCommand[`${cmd} failed`] ?? 0) + 1;
        throw err;
      }
    },
    { step: 'initialize', name: 'benchCapacityCounter' },
  );
  return {
    get rru() {
      return state.rru;
    },
    get wru() {
      return state.wru;
    },
    requests: () => ({ ...state.byCommand, ...(state.unreported ? { 'no ConsumedCapacity reported': state.unreported } : {}) }),
    reset() {
      state.rru = 0;
      state.wru = 0;
      state.byCommand = {};
      state.unreported = 0;
    },
  };
}

/** CloudWatch Logs bytes: handler JSON + Lambda platform lines + state machine (ALL, with data) + access logs. */
export function estimateLogs(usage: Usage, handlerBytes: number, historyEvents: unknown[]): number {
  const invocations = Object.values(usage.invocations).reduce((a, b) => a + b, 0);
  const sfn = historyEvents.reduce<number>((s, e) => s + Buffer.byteLength(JSON.stringify(e)) + 250, 0);
  return handlerBytes + invocations * 400 + sfn + usage.httpRequests * 350;
}
