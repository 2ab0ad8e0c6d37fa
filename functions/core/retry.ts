/**
 * The one optimistic-concurrency loop: read, decide, conditional write; on a VersionConflictError
 * (someone else wrote in between) wait a random time and do it all again from a fresh read.
 *
 * Why backoff with FULL jitter: writers that collide and retry at once collide again. Twenty
 * concurrent events on one lead refused eleven of themselves with the old immediate retry; spreading
 * the retries over a growing random window lets every one of them through (each attempt is a fresh
 * read, so a score that others changed is added to, never overwritten).
 */
import { VersionConflictError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The first backoff window (ms); it doubles per attempt up to `capMs`. */
  baseMs: number;
  capMs: number;
  /** 0 ≤ r < 1; tests pass a fixed one. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Enough for dozens of concurrent writers on one item (a webhook burst) within a few seconds. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 12, baseMs: 10, capMs: 800 };

/** A policy's wait when it names none: a real timer. */
export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): uniform in [0, min(cap, base·2^n)). */
export function backoffMs(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs' | 'random'>): number {
  const window = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor((policy.random ?? Math.random)() * window);
}

/**
 * Runs `attempt(n)` until it returns, retrying only on VersionConflictError; any other error, or a
 * conflict on the last attempt, is thrown as it is.
 */
export async function withOptimisticRetry<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  const sleep = policy.sleep ?? defaultSleep;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof VersionConflictError) || n >= policy.attempts) throw err;
      await sleep(backoffMs(n, policy));
    }
  }
}
