/**
 * Step Functions' StartExecution quota, locally: a token bucket (AWS: a bucket of 1,300 refilled at 300
 * per second in the large regions), off unless configured, plus "refuse every start for N seconds" and
 * "refuse the next N starts".
 * A refused start is answered like AWS's: ThrottlingException, "Rate exceeded". Real time, not virtual
 * (quotas are per real second).
 */
import { SfnError } from './executions.js';

export interface StartQuotaSettings {
  /** Starts that may go at once (the bucket's size). */
  bucket: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export class StartExecutionQuota {
  private settings: StartQuotaSettings | undefined;
  private tokens = 0;
  private last = 0;
  private refuseUntil = 0;
  /** Starts refused so far (tests and the burst benchmark read it). */
  throttled = 0;
  /** Starts let through so far. */
  accepted = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Turns the bucket on (full) with these settings, or off with undefined. */
  set(settings: StartQuotaSettings | undefined): void {
    if (settings && !(settings.bucket >= 1 && settings.refillPerSecond > 0)) throw new RangeError('a StartExecution quota needs bucket ≥ 1 and refillPerSecond > 0');
    this.settings = settings;
    this.tokens = settings?.bucket ?? 0;
    this.last = this.now();
  }

  private refuseCount = 0;

  /** Every start is refused for the next `seconds`. */
  refuseFor(seconds: number): void {
    this.refuseUntil = this.now() + seconds * 1000;
  }

  /** The next `count` starts are refused, whenever they come (capacity gone as a burst's first starts arrive). */
  refuseNext(count: number): void {
    this.refuseCount = count;
  }

  /** Takes a token or throws ThrottlingException. */
  take(): void {
    const now = this.now();
    if (now < this.refuseUntil) return this.refuse();
    if (this.refuseCount > 0) {
      this.refuseCount--;
      return this.refuse();
    }
    if (this.settings) {
      this.tokens = Math.min(this.settings.bucket, this.tokens + ((now - this.last) / 1000) * this.settings.refillPerSecond);
      this.last = now;
      if (this.tokens < 1) return this.refuse();
      this.tokens -= 1;
    }
    this.accepted++;
  }

  private refuse(): never {
    this.throttled++;
    throw new SfnError('ThrottlingException', 'Rate exceeded');
  }
}

/** `SALES_FLOW_START_QUOTA=1300/300` → a bucket of 1,300 refilled at 300 per second. */
export function parseStartQuota(value: string | undefined): StartQuotaSettings | undefined {
  if (!value?.trim()) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
  if (!m || Number(m[1]) < 1 || !(Number(m[2]) > 0)) throw new Error(`SALES_FLOW_START_QUOTA must look like 1300/300 (bucket/refill per second), not "${value}"`);
  return { bucket: Number(m[1]), refillPerSecond: Number(m[2]) };
}
