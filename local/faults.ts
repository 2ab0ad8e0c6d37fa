/**
 * A small hook into local Lambda invocations for tests: make the next invocation of a function fail,
 * either before the handler runs or after it (a lost Lambda response, so a retry runs it again).
 * With the DynamoDB fault proxy on (startLocalStack's `dynamodbFaults`), it also throttles DynamoDB writes.
 */
import type { WriteFaultStats, WriteThrottle } from './dynamodb-faults.js';
import type { SesThrottle, SesThrottleStats } from './ses.js';

export interface FaultOptions {
  /** Run the real handler first, then report the failure. */
  after?: boolean;
  /** Error name the invocation fails with (what Retry/Catch ErrorEquals match). */
  errorName?: string;
  message?: string;
  /** How many invocations fail in a row (default 1). */
  times?: number;
}

interface Armed extends Required<Omit<FaultOptions, 'times'>> {
  remaining: number;
}

export class Faults {
  private readonly armed = new Map<string, Armed[]>();

  /** `fn` is a function's logical id, name or ARN. */
  failNext(fn: string, options: FaultOptions = {}): void {
    const list = this.armed.get(fn) ?? [];
    list.push({
      after: options.after ?? false,
      errorName: options.errorName ?? 'Lambda.ServiceException',
      message: options.message ?? 'Injected fault (local runtime)',
      remaining: options.times ?? 1,
    });
    this.armed.set(fn, list);
  }

  clear(): void {
    this.armed.clear();
  }

  private dynamoDbWrites?: WriteThrottle;

  /** Set by the local stack when it runs the DynamoDB fault proxy. */
  attachDynamoDbWrites(throttle: WriteThrottle): void {
    this.dynamoDbWrites = throttle;
  }

  /**
   * Throttles `rate` (0–1) of the handlers' DynamoDB writes from now on, or only for the next
   * `forSeconds` (then the standing rate again); `failDynamoDbWrites(0)` ends both. Answered as DynamoDB
   * answers a throttled write (local/dynamodb-faults.ts).
   */
  failDynamoDbWrites(rate: number, options: { forSeconds?: number } = {}): void {
    this.writeThrottle().set(rate, options);
  }

  /** How many write requests the proxy saw and how many it throttled (each SDK attempt counts). */
  dynamoDbWriteStats(): WriteFaultStats {
    return this.writeThrottle().stats;
  }

  private writeThrottle(): WriteThrottle {
    if (!this.dynamoDbWrites) throw new Error('DynamoDB write faults need the fault proxy: start the stack with dynamodbFaults (npm start: SALES_FLOW_DYNAMODB_WRITE_FAILURE_RATE)');
    return this.dynamoDbWrites;
  }

  private ses?: SesThrottle;

  /** Set by the local stack: the sending rate of its local SES. */
  attachSes(throttle: SesThrottle): void {
    this.ses = throttle;
  }

  /**
   * Throttles the local SES to `ratePerSecond` SendEmail calls a second (burst = the rate), answered as
   * SES answers an account over its sending rate (429 TooManyRequestsException); `undefined` lifts it.
   */
  throttleSes(ratePerSecond: number | undefined): void {
    this.sesThrottle().set(ratePerSecond);
  }

  /** SendEmail calls the local SES let through and answered 429, since the stack started. */
  sesThrottleStats(): SesThrottleStats {
    return { ...this.sesThrottle().stats };
  }

  private sesThrottle(): SesThrottle {
    if (!this.ses) throw new Error('no local SES attached to these faults');
    return this.ses;
  }

  /** Consumes the fault armed for any of the function's aliases, if any. */
  take(aliases: string[]): Omit<Armed, 'remaining'> | undefined {
    for (const alias of aliases) {
      const list = this.armed.get(alias);
      const fault = list?.[0];
      if (!fault) continue;
      fault.remaining -= 1;
      if (fault.remaining <= 0) list!.shift();
      return fault;
    }
    return undefined;
  }
}

export function namedError(name: string, message: string, cause?: unknown): Error {
  const err = new Error(message, cause === undefined ? undefined : { cause });
  err.name = name;
  return err;
}
