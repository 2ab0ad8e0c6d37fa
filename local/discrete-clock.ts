/**
 * Discrete-event time for the local runtime (issue 8 §4, "timing stays true at any speed").
 *
 * The default local clock is scaled wall time (`timeScale`): it runs on while work is queued, so under
 * load a wait stretches. Opt in to this one with `startLocalStack({ clock: 'discrete' })` (or
 * `{ clock: { mode: 'discrete', resolutionMs?, scheduleFloorMs? } }`), or `npm start -- --discrete`:
 * virtual time then stands still while any work is in flight and, when the system is idle, jumps to the
 * next due timer. A wait lasts exactly what the programme says, however loaded the machine is.
 *
 * ## API (`stack.clock` is a DiscreteClock; the simulator drives it)
 * - `clock.now(): Date`, `clock.nowMs(): number` — virtual now, what every handler, Wait and rule sees.
 * - `await clock.runUntil(t: Date | number)` — fires, in due order, every timer due before `t` (each batch
 *   only once the system is idle, and waits for the work it causes), then sets now = `t` (never backwards)
 *   and resolves with the system idle. Work injected after it resolves (HTTP calls: arrivals, events)
 *   happens at `t`; await it, then `runUntil(next)`. Time never moves on its own, only inside these calls.
 * - `await clock.runUntilIdle({ until? })` — fires timers until none is left but recurring ones (the
 *   template's scheduled rules), or the next is due at/after `until`; now stays at the last batch's time.
 * - `await clock.settle()` — waits until idle without moving time (e.g. after injecting work, before reading).
 * - `clock.stats()` — `{ nowMs, timersFired, jumps, maxLatenessMs, pendingTimers, inFlight, probeWallMs }`:
 *   timers fired, forward moves of virtual time, the largest (fire time − due time) in virtual ms (0 unless
 *   `resolutionMs` batches timers), timers waiting (recurring included), units of work in flight now, and the
 *   wall ms spent checking the streams are drained before jumps while nothing else ran (the clock's own cost).
 * - `clock.nextDueMs()` — the next timer's due time, or undefined.
 * - `clock.autoAdvance({ pace? })` — (npm start) drives itself: jumps whenever idle, never running faster
 *   than `pace` virtual ms per real ms when given; returns a function that stops it.
 *
 * ## What is in flight (time cannot move while any is)
 * Lambda invocations (every `FunctionRuntime.invoke`: HTTP routes, tasks, stream batches, rules), HTTP
 * requests being served by the local API, executions between states (an execution holds a lease from start
 * to end and gives it up only while parked on one of these timers), and unread stream records: before a
 * jump every stream mapping makes a fresh full pass over its shards (`addIdleProbe`), and if that pass
 * delivers anything the check starts again (a mapping answers at once, without a pass, when this process has
 * started no DynamoDB write since its last full pass: local/dynamodb-writes.ts). Real-time sleeps inside handlers (optimistic-retry jitter,
 * token-bucket pacing, the send ceiling's in-place wait) are work in flight: the clock waits them out and
 * they cannot make it jump; none of them waits for virtual time, so none can deadlock.
 *
 * ## Timers (one queue)
 * Every Wait (Seconds, Timestamp, SecondsPath, TimestampPath — all run as the local wait stand-in), every
 * retry pause of a state machine, and every scheduled rule's tick (`every`, its rate floored at
 * `scheduleFloorMs`, default one virtual day, as the scaled clock floors it at a real second — a day at ×86400) is a timer here.
 * A timer due at or before now fires at once, without a jump.
 */
import type { Clock } from '../functions/core/clock.js';
import { namedError } from './faults.js';
import { TimerQueue } from './timer-queue.js';
import { wakeableNap } from './wakeable-nap.js';

export interface DiscreteClockOptions {
  /** Virtual time to start at (ms). */
  startMs: number;
  /**
   * Timers due within this many virtual ms of the next one fire together at the latest one's due time
   * (each late by at most this; `maxLatenessMs` reports it). 0 (default): every timer at its own due time.
   */
  resolutionMs?: number;
}

export interface ClockStats {
  nowMs: number;
  timersFired: number;
  jumps: number;
  maxLatenessMs: number;
  pendingTimers: number;
  inFlight: number;
  /** Wall ms spent checking the streams are drained before jumps while nothing else ran: the clock's own cost. */
  probeWallMs: number;
}

/**
 * A unit of work in flight; `release` is idempotent, `acquire` takes it back after a release, `end` releases
 * it for good (a timer that fires for work already over cannot put it back in flight and hold the clock).
 */
export interface Lease {
  release(): void;
  acquire(): void;
  end(): void;
  readonly held: boolean;
}

interface Timer {
  due: number;
  seq: number;
  fire: () => void;
  recurring: boolean;
  cancelled: boolean;
  /** Virtual now when it was set (a timer set for a moment already past is not late). */
  scheduledAt: number;
}

export class DiscreteClock implements Clock {
  private virtualMs: number;
  private readonly resolutionMs: number;
  private readonly timers = new TimerQueue<Timer>();
  private seq = 0;
  /** Pending timers that are not recurring (runUntilIdle stops when there are none). */
  private oneShots = 0;
  private inFlight = 0;
  /** Bumped whenever work starts: an idle check that saw it change looks again. */
  private epoch = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly probes = new Set<() => Promise<void>>();
  private counters = { timersFired: 0, jumps: 0, maxLatenessMs: 0, probeWallMs: 0 };
  /** runUntil/runUntilIdle calls run one after another. */
  private driving: Promise<unknown> = Promise.resolve();
  private timerAdded: (() => void) | undefined;
  /** Wall time (performance.now) an idle check began, and the system last became idle: for probeWallMs. */
  private probingSince: number | undefined;
  private idleSince = 0;

  constructor(options: DiscreteClockOptions) {
    this.virtualMs = options.startMs;
    this.resolutionMs = Math.max(0, options.resolutionMs ?? 0);
  }

  now(): Date {
    return new Date(this.virtualMs);
  }

  nowMs(): number {
    return this.virtualMs;
  }

  /** A wall-clock instant (a webhook's `occurredAt`) in virtual time: real "just now" is virtual now. */
  fromWallClock(wall: Date): Date {
    return new Date(this.virtualMs + (wall.getTime() - Date.now()));
  }

  // ── work in flight ──────────────────────────────────────────────────────────────────────────────

  /** A unit of work in flight from now until released. */
  begin(): Lease {
    let held = false;
    let ended = false;
    const lease: Lease = {
      get held() {
        return held;
      },
      acquire: () => {
        if (held || ended) return;
        held = true;
        if (this.inFlight === 0) this.countProbeIdleTime();
        this.inFlight += 1;
        this.epoch += 1;
      },
      release: () => {
        if (!held) return;
        held = false;
        this.inFlight -= 1;
        if (this.inFlight === 0) {
          this.idleSince = performance.now();
          for (const wake of this.idleWaiters.splice(0)) wake();
        }
      },
      end: () => {
        ended = true;
        lease.release();
      },
    };
    lease.acquire();
    return lease;
  }

  /** Runs `work` as work in flight (counted from this call, synchronously, until it settles). */
  track<T>(work: () => Promise<T>): Promise<T> {
    const lease = this.begin();
    let running: Promise<T>;
    try {
      running = work();
    } catch (err) {
      lease.release();
      return Promise.reject(err);
    }
    return running.finally(() => lease.release());
  }

  /**
   * A check run before every jump, once nothing is in flight (a stream mapping's fresh pass over its
   * shards): it resolves when its part of the system is drained, starting work (`track`) if it is not.
   */
  addIdleProbe(probe: () => Promise<void>): () => void {
    this.probes.add(probe);
    return () => void this.probes.delete(probe);
  }

  // ── timers ──────────────────────────────────────────────────────────────────────────────────────

  /** Calls `fire` (synchronously, at the jump) when virtual time reaches `dueMs`; returns a cancel. */
  schedule(dueMs: number, fire: () => void, options: { recurring?: boolean } = {}): () => void {
    const timer: Timer = { due: dueMs, seq: this.seq++, fire, recurring: options.recurring ?? false, cancelled: false, scheduledAt: this.virtualMs };
    this.timers.push(timer);
    if (!timer.recurring) this.oneShots += 1;
    this.timerAdded?.();
    return () => {
      if (timer.cancelled) return;
      timer.cancelled = true;
      if (!timer.recurring) this.oneShots -= 1;
    };
  }

  /**
   * Resolves when virtual time reaches `dueMs` (at once if it has). `holding`: the caller's lease, given
   * up while it sleeps and taken back, synchronously, when the timer fires or `signal` aborts (then it
   * rejects with States.Aborted), so the caller is in flight again before anything else can look.
   */
  sleepUntil(dueMs: number, options: { holding?: Lease; signal?: AbortSignal } = {}): Promise<void> {
    const { holding, signal } = options;
    if (signal?.aborted) return Promise.reject(aborted());
    if (dueMs <= this.virtualMs) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        cancel();
        holding?.acquire();
        reject(aborted());
      };
      const cancel = this.schedule(dueMs, () => {
        signal?.removeEventListener('abort', onAbort);
        holding?.acquire();
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      holding?.release();
    });
  }

  /**
   * Runs `run` every `intervalMs` of virtual time (first at now + interval), as work in flight, never
   * two at once; ticks stay on their grid, and ticks passed over by a batch are not made up. Returns a stop.
   */
  every(intervalMs: number, run: () => Promise<unknown>): () => void {
    if (!(intervalMs > 0)) throw new RangeError(`interval must be > 0, got ${intervalMs}`);
    let cancel: () => void = () => undefined;
    let stopped = false;
    const arm = (due: number) => {
      cancel = this.schedule(
        due,
        () => {
          if (stopped) return;
          void this.track(run).catch(() => undefined);
          let next = due + intervalMs;
          if (next <= this.virtualMs) next += Math.ceil((this.virtualMs - next + 1) / intervalMs) * intervalMs;
          arm(next);
        },
        { recurring: true },
      );
    };
    arm(this.virtualMs + intervalMs);
    return () => {
      stopped = true;
      cancel();
    };
  }

  nextDueMs(): number | undefined {
    return this.timers.peek()?.due;
  }

  // ── driving ─────────────────────────────────────────────────────────────────────────────────────

  /** Waits until nothing is in flight and every idle probe finds its part drained, without moving time. */
  async settle(): Promise<void> {
    for (;;) {
      if (this.inFlight > 0) await new Promise<void>((wake) => this.idleWaiters.push(wake));
      const seen = this.epoch;
      // Callbacks already queued (a response being written, a promise chain) run first.
      await new Promise((r) => setImmediate(r));
      if (this.inFlight > 0 || this.epoch !== seen) continue;
      if (this.probes.size) {
        this.probingSince = performance.now();
        await Promise.all([...this.probes].map((probe) => probe()));
        if (this.inFlight === 0) this.countProbeIdleTime();
        this.probingSince = undefined;
      }
      if (this.inFlight === 0 && this.epoch === seen) return;
    }
  }

  /** Fires every timer due before `t`, each batch once idle; then now = t (never backwards), idle. */
  runUntil(t: Date | number): Promise<ClockStats> {
    const target = typeof t === 'number' ? t : t.getTime();
    return this.exclusive(async () => {
      for (;;) {
        await this.settle();
        const next = this.timers.peek();
        if (!next || next.due >= target) break;
        this.fireBatch(next.due, target);
      }
      if (target > this.virtualMs) {
        this.virtualMs = target;
        this.counters.jumps += 1;
      }
      return this.stats();
    });
  }

  /** Fires timers until only recurring ones are left (or the next is due at/after `until`); idle at the end. */
  runUntilIdle(options: { until?: Date | number } = {}): Promise<ClockStats> {
    const until = options.until === undefined ? Infinity : typeof options.until === 'number' ? options.until : options.until.getTime();
    return this.exclusive(async () => {
      for (;;) {
        await this.settle();
        const next = this.timers.peek();
        if (!next || this.oneShots === 0 || next.due >= until) break;
        this.fireBatch(next.due, until);
      }
      return this.stats();
    });
  }

  /**
   * Drives the clock by itself (npm start): whenever idle, on to the next due timer. With `pace`
   * (virtual ms per real ms, the time scale) virtual time moves at most that fast while idle, so a person
   * can watch; it still stands still while work is in flight. Returns a function that stops it.
   */
  autoAdvance(options: { pace?: number } = {}): () => Promise<void> {
    const pace = options.pace && options.pace > 0 && Number.isFinite(options.pace) ? options.pace : undefined;
    let stopped = false;
    const { nap, wake } = wakeableNap();
    this.timerAdded = wake;
    const loop = (async () => {
      while (!stopped) {
        await this.exclusive(async () => {
          await this.settle();
          const next = this.timers.peek();
          if (!pace) {
            if (next) this.fireBatch(next.due, Infinity);
            return;
          }
          // Paced: creep towards the next due time a little at a time, so now() moves smoothly.
          const target = next?.due ?? Infinity;
          const step = Math.min(target - this.virtualMs, pace * 100);
          if (step > 0) this.virtualMs += step;
          if (next && this.virtualMs >= next.due) this.fireBatch(next.due, Infinity);
        });
        if (stopped) break;
        if (pace) await nap(100);
        else if (!this.timers.peek()) await nap(1_000);
        else await new Promise((r) => setImmediate(r));
      }
    })();
    return async () => {
      stopped = true;
      this.timerAdded = undefined;
      wake();
      await loop;
    };
  }

  stats(): ClockStats {
    return { nowMs: this.virtualMs, ...this.counters, probeWallMs: Math.round(this.counters.probeWallMs), pendingTimers: this.timers.size, inFlight: this.inFlight };
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────────

  /** Adds the idle stretch of the check under way (time it delivered work to a Lambda is the work's, not the clock's). */
  private countProbeIdleTime(): void {
    if (this.probingSince === undefined) return;
    const now = performance.now();
    this.counters.probeWallMs += now - Math.max(this.idleSince, this.probingSince);
    this.probingSince = now;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.driving.then(work, work);
    this.driving = run.catch(() => undefined);
    return run;
  }

  /** Jumps to the batch that starts with the timer due at `firstDue` (due before `limit`) and fires it. */
  private fireBatch(firstDue: number, limit: number): void {
    const horizon = firstDue + this.resolutionMs;
    const batch: Timer[] = [];
    for (let t = this.timers.peek(); t && t.due <= horizon && t.due < limit; t = this.timers.peek()) batch.push(this.timers.pop()!);
    if (!batch.length) return;
    const at = Math.max(this.virtualMs, ...batch.map((t) => t.due));
    if (at > this.virtualMs) {
      this.virtualMs = at;
      this.counters.jumps += 1;
    }
    for (const timer of batch) {
      if (!timer.recurring) this.oneShots -= 1;
      this.counters.timersFired += 1;
      this.counters.maxLatenessMs = Math.max(this.counters.maxLatenessMs, at - Math.max(timer.due, timer.scheduledAt));
      timer.fire();
    }
  }
}

const aborted = () => namedError('States.Aborted', 'Execution was stopped');
