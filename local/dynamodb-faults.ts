/**
 * DynamoDB write throttling, injected locally: a small HTTP proxy on 127.0.0.1 in front of DynamoDB
 * Local that forwards every request and answers a chosen fraction of the writes the way DynamoDB
 * answers a throttled one. It runs only when asked for (startLocalStack's `dynamodbFaults`, npm start's
 * SALES_FLOW_DYNAMODB_WRITE_FAILURE_RATE): otherwise the handlers talk to DynamoDB Local directly.
 *
 * What a throttled write gets back is what an on-demand table sends (our table is PAY_PER_REQUEST):
 *   - PutItem, UpdateItem, DeleteItem, BatchWriteItem: HTTP 400,
 *     `{"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", "message", "ThrottlingReasons"}`.
 *     The SDK raises its ProvisionedThroughputExceededException, which it counts as a throttle and
 *     retries with its throttling backoff. (A BatchWriteItem that is only partly throttled comes back
 *     200 with UnprocessedItems on AWS; here a batch is throttled whole, which AWS also does.)
 *   - TransactWriteItems: HTTP 400 TransactionCanceledException whose CancellationReasons say
 *     ThrottlingError for one item and None for the others, as AWS cancels a throttled transaction.
 *     The SDK does NOT count that as a throttle: functions/shared/dynamodb-throttling.ts does.
 * Reads are never failed, and nothing is written for a failed write (it never reaches DynamoDB Local).
 * If DynamoDB Local cannot be reached, the client's connection is dropped, as if there were no proxy.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { LOCALHOST } from './ports.js';
import { seededRandom } from './seeded-random.js';

export const WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;
const TARGET_PREFIX = 'DynamoDB_20120810.';

/** On-demand tables answer a throttled write (and a transaction's throttled item) with this message. */
export const THROTTLED_MESSAGE =
  'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. ' +
  'If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html';

export interface WriteFaultStats {
  /** Write requests seen (every attempt the SDK makes is one). */
  writes: number;
  throttled: number;
}


function checkRate(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`a DynamoDB write failure rate is a number from 0 to 1, got ${rate}`);
  return rate;
}

/**
 * Which writes fail: a standing rate, and optionally another rate for the next N seconds (a burst of
 * throttling, e.g. every write for 5 s) after which the standing rate applies again. Every write draws
 * one number whatever the rate, so with a seed the n-th write's fate does not depend on when rates change.
 */
export class WriteThrottle {
  private standing: number;
  private burst?: { rate: number; until: number };
  private readonly random: () => number;
  private readonly counts: WriteFaultStats = { writes: 0, throttled: 0 };
  private readonly now: () => number;

  constructor(options: { rate?: number; seed?: number; now?: () => number } = {}) {
    this.standing = checkRate(options.rate ?? 0);
    this.random = options.seed === undefined ? Math.random : seededRandom(options.seed);
    this.now = options.now ?? Date.now;
  }

  /** `rate` of writes fail from now on; with `forSeconds`, only for that long (then the standing rate again). 0 ends both. */
  set(rate: number, options: { forSeconds?: number } = {}): void {
    checkRate(rate);
    if (options.forSeconds === undefined || rate === 0) {
      this.standing = rate;
      this.burst = undefined;
      return;
    }
    if (!(options.forSeconds > 0)) throw new RangeError(`forSeconds must be a positive number of seconds, got ${options.forSeconds}`);
    this.burst = { rate, until: this.now() + options.forSeconds * 1000 };
  }

  /** The fraction of writes failing right now. */
  get rate(): number {
    if (this.burst && this.now() < this.burst.until) return this.burst.rate;
    this.burst = undefined;
    return this.standing;
  }

  get stats(): WriteFaultStats {
    return { ...this.counts };
  }

  /** Whether this request (its X-Amz-Target) is a write to fail. Reads draw nothing. */
  decide(target: string | undefined): boolean {
    if (!isWrite(target)) return false;
    this.counts.writes += 1;
    const fail = this.random() < this.rate;
    if (fail) this.counts.throttled += 1;
    return fail;
  }

  /** Which of a transaction's `n` items is the throttled one. */
  pick(n: number): number {
    return Math.min(n - 1, Math.floor(this.random() * n));
  }
}

export function isWrite(target: string | undefined): boolean {
  if (!target?.startsWith(TARGET_PREFIX)) return false;
  return (WRITE_OPERATIONS as readonly string[]).includes(target.slice(TARGET_PREFIX.length));
}

/** The body DynamoDB answers a throttled write with (status 400). `request` is the parsed request body. */
export function throttledAnswer(operation: string, request: any, region: string, pickItem: (n: number) => number): Record<string, unknown> {
  if (operation === 'TransactWriteItems') {
    const n = Math.max(1, Array.isArray(request?.TransactItems) ? request.TransactItems.length : 1);
    const throttled = pickItem(n);
    const reasons = Array.from({ length: n }, (_, i) => (i === throttled ? { Code: 'ThrottlingError', Message: THROTTLED_MESSAGE } : { Code: 'None' }));
    return {
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      CancellationReasons: reasons,
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    };
  }
  const table = typeof request?.TableName === 'string' ? request.TableName : Object.keys(request?.RequestItems ?? {})[0];
  return {
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: THROTTLED_MESSAGE,
    ...(table ? { ThrottlingReasons: [{ reason: 'TableWriteKeyRangeThroughputExceeded', resource: `arn:aws:dynamodb:${region}:000000000000:table/${table}` }] } : {}),
  };
}

/** The region of a SigV4 Authorization header's credential scope (`Credential=AKID/20260101/us-east-1/dynamodb/aws4_request`). */
const regionOf = (authorization: string | undefined) => /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization ?? '')?.[1] ?? 'us-east-1';

export interface DynamoDbFaultProxy {
  /** Where handlers send their DynamoDB calls (AWS_ENDPOINT_URL_DYNAMODB). */
  url: string;
  throttle: WriteThrottle;
  close(): Promise<void>;
}

export interface DynamoDbFaultProxyOptions {
  /** DynamoDB Local's endpoint, `http://127.0.0.1:<port>`. */
  target: string;
  /** Fraction of writes that fail from the start (default 0: set it later through `throttle`). */
  rate?: number;
  /** Makes the sequence of failed writes repeatable. */
  seed?: number;
  /** 0 or absent → an ephemeral port. */
  port?: number;
}

export async function startDynamoDbFaultProxy(options: DynamoDbFaultProxyOptions): Promise<DynamoDbFaultProxy> {
  const target = new URL(options.target);
  const throttle = new WriteThrottle({ rate: options.rate, seed: options.seed });
  const upstream = new http.Agent({ keepAlive: true });
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const amzTarget = req.headers['x-amz-target'];
    const operation = typeof amzTarget === 'string' ? amzTarget : undefined;
    if (throttle.decide(operation)) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let request: unknown;
        try {
          request = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          request = {};
        }
        const body = JSON.stringify(throttledAnswer(operation!.slice(TARGET_PREFIX.length), request, regionOf(req.headers.authorization), (n) => throttle.pick(n)));
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(body),
          'x-amzn-requestid': randomUUID(),
        });
        res.end(body);
      });
      return;
    }
    const forward = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: upstream },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.once('error', () => res.destroy());
        answer.pipe(res);
      },
    );
    // DynamoDB Local is down (restarting): the client sees its connection drop, as it would without the proxy.
    forward.on('error', () => req.socket.destroy());
    // The client gave up (its own timeout): so does the forwarded request.
    res.once('close', () => {
      if (!res.writableFinished) forward.destroy();
    });
    req.pipe(forward);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOCALHOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${LOCALHOST}:${port}`,
    throttle,
    // close() waits for open connections: the SDK keeps them alive, so they are destroyed first.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        upstream.destroy();
      }),
  };
}
