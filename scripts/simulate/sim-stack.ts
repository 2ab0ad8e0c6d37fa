/**
 * The local system the simulator drives, and its clock behind one small interface, so the driver does not
 * care how virtual time passes:
 * - `scaled`: the stack's compressed clock (`startLocalStack({ timeScale })`): virtual time runs on with
 *   wall time, also while work is queued, so under load a wait can last longer than the programme says.
 * - `discrete` (when the local runtime offers it): virtual time stands still while work is in flight and
 *   jumps to the next due timer when the system is idle, so every wait lasts what the programme says.
 * Switching is the `clock` option; everything else is the same stack, started in-process as `npm start` and
 * the tests start it (local/stack.ts), on a fresh in-memory DynamoDB Local unless an endpoint is given.
 */
import { randomUUID } from 'node:crypto';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import type { SynthesizedApp } from '../../local/synth.js';

export interface SimClock {
  readonly kind: 'scaled' | 'discrete';
  /** Virtual now, in ms. */
  now(): number;
  /** Lets virtual time reach `ms`: every timer due by then has fired (discrete: and the work it started ended). */
  advanceTo(ms: number): Promise<void>;
  /** Waits for the work in flight now: requests just made, the runs they queued, the tasks those run. */
  settle(): Promise<void>;
  /** When the system's next timer is due (a Wait ending, a retry, a scheduled rule), if the clock knows. */
  nextDueMs(): number | undefined;
  /** The discrete clock's timers so far: how many fired, and the latest any fired after its due time (virtual ms). */
  timers(): { fired: number; maxLatenessMs: number } | undefined;
}

/** `auto`: the discrete clock when the local runtime has one, else the scaled one. */
export type ClockKind = SimClock['kind'] | 'auto';

export interface SimStackOptions {
  app: SynthesizedApp;
  clock: ClockKind;
  /** Virtual ms the clock starts at (the scenario's first day). */
  startMs: number;
  /** Virtual seconds per real second, for the scaled clock. */
  timeScale: number;
  /** Discrete clock: timers due within this many virtual ms of the next one fire together (the tick). */
  resolutionMs: number;
  /** An existing DynamoDB Local (tests); a fresh in-memory one otherwise. */
  dynamodbEndpoint?: string;
}

export interface SimStack {
  stack: LocalStack;
  clock: SimClock;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the simulator uses of the local runtime's discrete clock (local/discrete-clock.ts). */
interface DiscreteControl {
  now(): Date;
  runUntil(t: Date | number): Promise<unknown>;
  settle(): Promise<void>;
  nextDueMs(): number | undefined;
  stats(): { timersFired: number; maxLatenessMs: number };
}

export async function startSimStack(options: SimStackOptions): Promise<SimStack> {
  const start = (clock: ClockKind) =>
    startLocalStack({
      ...options.app,
      dynamodb: options.dynamodbEndpoint ? { endpoint: options.dynamodbEndpoint } : 'memory',
      ports: 0,
      tableName: `sim-${randomUUID().slice(0, 8)}`,
      virtualStartMs: options.startMs,
      // The simulator's sends are its measurements: the production ceiling (10 a second of wall time) would only
      // stretch a compressed day; the local SES takes everything.
      env: { LOG_LEVEL: 'ERROR', SEND_RATE_CEILING: '100000' },
      // Timers due within a tick fire together (each at most a tick late: the ±1 hour the issue allows at the
      // default tick): a batch is one settle of the system, and settles are what a simulated hour costs.
      ...(clock === 'discrete' ? { clock: { mode: 'discrete' as const, resolutionMs: options.resolutionMs } } : { timeScale: options.timeScale }),
    });
  if (options.clock === 'scaled') {
    const stack = await start('scaled');
    return { stack, clock: scaledClock(stack), stop: () => stack.stop() };
  }
  const stack = await start('discrete');
  if (hasDiscreteClock(stack)) return { stack, clock: discreteClock(stack), stop: () => stack.stop() };
  await stack.stop();
  if (options.clock === 'discrete') throw new Error('this local runtime has no discrete clock (startLocalStack({ clock: "discrete" })): use --clock scaled');
  const scaled = await start('scaled');
  return { stack: scaled, clock: scaledClock(scaled), stop: () => scaled.stop() };
}

const hasDiscreteClock = (stack: LocalStack) => {
  const c = stack.clock as unknown as Partial<DiscreteControl>;
  return typeof c.runUntil === 'function' && typeof c.settle === 'function' && typeof c.nextDueMs === 'function' && typeof c.stats === 'function';
};

function scaledClock(stack: LocalStack): SimClock {
  const now = () => stack.clock.now().getTime();
  return {
    kind: 'scaled',
    now,
    async advanceTo(ms) {
      while (now() < ms) await sleep(Math.min(20, Math.max(1, ms - now())));
    },
    // Time runs on regardless: waiting for the streams to drain (seconds) would let days pass unobserved.
    settle: () => new Promise((r) => setImmediate(r)),
    nextDueMs: () => undefined,
    // Timers run on wall time here: how late they are is not the clock's to say (waits stretch under load).
    timers: () => undefined,
  };
}

function discreteClock(stack: LocalStack): SimClock {
  const control = stack.clock as unknown as DiscreteControl;
  const { runUntil, settle, now, nextDueMs, stats } = control;
  return {
    kind: 'discrete',
    now: () => now.call(control).getTime(),
    // Fires every timer due before `ms` (each batch once the system is idle), then stands at `ms`, idle.
    advanceTo: async (ms) => void (await runUntil.call(control, ms)),
    settle: () => settle.call(control),
    nextDueMs: () => nextDueMs.call(control),
    timers: () => {
      const { timersFired, maxLatenessMs } = stats.call(control);
      return { fired: timersFired, maxLatenessMs };
    },
  };
}
