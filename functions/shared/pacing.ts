/**
 * Pacing calls to a quota'd AWS API from one Lambda instance: a token bucket for the steady rate, full
 * jitter for the backoff after a throttle, and a small pool so calls overlap without exceeding either.
 */

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `rate` tokens per second, at most `capacity` saved up; `take` waits for one. Real time, not virtual. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Callers waiting for a token, served in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<void> = sleep,
  ) {
    if (!(rate > 0) || !(capacity >= 1)) throw new RangeError('a token bucket needs rate > 0 and capacity ≥ 1');
    this.tokens = capacity;
    this.last = now();
  }

  take(): Promise<void> {
    const turn = this.queue.then(() => this.takeNow());
    this.queue = turn;
    return turn;
  }

  private async takeNow(): Promise<void> {
    for (;;) {
      const now = this.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.wait(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    }
  }
}

/** "Full jitter" backoff: a random delay in [0, min(cap, base × 2^attempt)) (AWS Architecture Blog). */
export function fullJitterMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30)));
}

const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  // An email over SES's sending rate or the system's send-rate ceiling (core MailThrottledError).
  'SendThrottled',
]);

/** An answer that means "too fast, try later": an AWS throttle (by name, the SDK's mark or 429) or the send ceiling. */
export function isThrottled(err: unknown): boolean {
  const e = err as { name?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } } | undefined;
  return Boolean(e && (THROTTLE_NAMES.has(String(e.name)) || e.$retryable?.throttling || e.$metadata?.httpStatusCode === 429));
}

/**
 * Runs `attempt` until it succeeds, backing off with full jitter (from `baseMs`, at most `capMs`) while it
 * is throttled, as long as the next try still fits before `deadline` (epoch ms): then it answers
 * `'out of time'`, for the caller to leave the work for a later invocation. Any other error is thrown.
 */
export async function retryWhileThrottled<T>(
  attempt: () => Promise<T>,
  { deadline, baseMs, capMs, onThrottle }: { deadline: number; baseMs: number; capMs: number; onThrottle?: () => void },
): Promise<{ done: true; value: T } | { done: false }> {
  for (let n = 0; Date.now() <= deadline; n++) {
    try {
      return { done: true, value: await attempt() };
    } catch (err) {
      if (!isThrottled(err)) throw err;
      onThrottle?.();
      const delay = fullJitterMs(n, baseMs, capMs);
      if (Date.now() + delay > deadline) break;
      await sleep(delay);
    }
  }
  return { done: false };
}

/** Runs `work` over `items` with at most `limit` in flight; resolves when all are done. */
export async function mapPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
