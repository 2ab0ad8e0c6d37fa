/**
 * The template's DynamoDB stream event source mappings, run locally the way Lambda runs them: every
 * `AWS::Lambda::EventSourceMapping` whose source is the table's stream polls DynamoDB Local's own stream
 * (DescribeStream / GetShardIterator / GetRecords, which it implements), drops the records its
 * FilterCriteria do not match, and invokes the function with batches of up to BatchSize records, one
 * batch at a time per shard, in order. A batch that fails is retried (up to MaximumRetryAttempts, with
 * backoff); `batchItemFailures` retry from the first failed record, as ReportBatchItemFailures does.
 *
 * Tests can pause and resume the mappings (a burst piles up in the stream, then drains at once).
 */
import type { DynamoDbWrites } from './dynamodb-writes.js';
import type { FunctionRuntime } from './functions.js';
import { wakeableNap } from './wakeable-nap.js';
import { resolveIntrinsics, resourcesOfType, type CfnTemplate, type ReferenceMap } from './template.js';

export interface StreamMapping {
  id: string;
  functionName: string;
  batchSize: number;
  /** Parsed FilterCriteria patterns: a record is delivered when any matches (none → every record). */
  filters: unknown[];
  maxRetries: number;
  reportBatchItemFailures: boolean;
}

interface StreamRecord {
  eventName?: string;
  dynamodb?: { SequenceNumber?: string; NewImage?: Record<string, unknown>; Keys?: Record<string, unknown> };
  [k: string]: unknown;
}

/** The mappings whose source is the table's stream (`<table ARN>/stream/...`). */
export function readStreamMappings(template: CfnTemplate, refs: ReferenceMap, tableArn: string): StreamMapping[] {
  return resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').flatMap(([id, res]) => {
    const props = res.Properties ?? {};
    const source = String(resolveIntrinsics(props.EventSourceArn, refs, template));
    if (!source.startsWith(`${tableArn}/stream/`)) return [];
    if (props.Enabled === false) return [];
    const filters = ((props.FilterCriteria as { Filters?: Array<{ Pattern: string }> } | undefined)?.Filters ?? []).map((f) => JSON.parse(f.Pattern));
    return [
      {
        id,
        functionName: String(resolveIntrinsics(props.FunctionName, refs, template)),
        batchSize: Number(props.BatchSize ?? 100),
        filters,
        maxRetries: props.MaximumRetryAttempts === undefined || props.MaximumRetryAttempts === -1 ? 10 : Number(props.MaximumRetryAttempts),
        reportBatchItemFailures: ((props.FunctionResponseTypes as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
      },
    ];
  });
}

/** Lambda event filtering (the subset a stream filter uses): exact values, prefix, exists, anything-but, numeric =. */
export function matchesPattern(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((rule) => matchesRule(rule, value));
  if (pattern && typeof pattern === 'object') {
    return Object.entries(pattern as Record<string, unknown>).every(([key, sub]) => {
      const child = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
      if (Array.isArray(sub) && sub.some((r) => r && typeof r === 'object' && 'exists' in r)) return sub.some((r) => matchesRule(r, child));
      return child !== undefined && matchesPattern(sub, child);
    });
  }
  return pattern === value;
}

function matchesRule(rule: unknown, value: unknown): boolean {
  if (rule && typeof rule === 'object') {
    const r = rule as Record<string, unknown>;
    if ('exists' in r) return r.exists ? value !== undefined : value === undefined;
    if (value === undefined) return false;
    if ('prefix' in r) return typeof value === 'string' && value.startsWith(String(r.prefix));
    if ('anything-but' in r) return !([] as unknown[]).concat(r['anything-but']).includes(value);
    return false;
  }
  if (Array.isArray(value)) return value.includes(rule);
  return value === rule;
}

export const recordMatches = (filters: unknown[], record: StreamRecord) => filters.length === 0 || filters.some((f) => matchesPattern(f, record));

export interface LocalStreams {
  /**
   * Stops polling: records pile up in the stream until `resume` (what a disabled mapping does). Resolves once
   * a pass already in flight has ended, so nothing written after it resolves is delivered before `resume`.
   */
  pause(): Promise<void>;
  resume(): void;
  /** Resolves once every shard has been read to its end and no batch is in flight. */
  idle(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Resolves after a pass that started after this call has read every shard to its end and delivered what
   * it found (at once while paused or stopped). The discrete-event clock asks before every jump, once nothing
   * is in flight: records written since then come from work it sees start, so idle means drained.
   */
  drained(): Promise<void>;
  /** Passes over the shards so far, and drain checks answered from the write count without one. */
  stats(): StreamStats;
  stop(): Promise<void>;
}

export interface StreamStats {
  passes: number;
  drainsWithoutPass: number;
}

interface Shard {
  id: string;
  iterator?: string;
  lastSequence?: string;
  closed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const IDLE_POLL_MS = 50;
/** How often a mapping looks for new shards (DescribeStream), and for a new stream of the table (DescribeTable). */
const LOOK_EVERY_MS = { shards: 2_000, stream: 30_000 };

/**
 * Polls the table's stream for one mapping, with its own shard iterators (as each Lambda mapping reads the
 * stream on its own, one waiting out a throttle holds up no other). `endpoint()` is read on every call, so a
 * DynamoDB Local restarted on another port (or the same) is followed.
 */
export function startStreamMapping(options: {
  endpoint: () => string;
  tableName: string;
  mapping: StreamMapping;
  functions: FunctionRuntime;
  /**
   * How long an idle mapping waits before it looks again (default 50 ms). The discrete-event clock's
   * `drained()` wakes it at once, so there it can look less often and leave the machine to the work.
   */
  idlePollMs?: number;
  /** How often it looks for new shards, and for a new stream of the table (default LOOK_EVERY_MS: 2 s, 30 s). */
  lookEveryMs?: typeof LOOK_EVERY_MS;
  /**
   * This process's DynamoDB writes (dynamodb-writes.ts): with it, `drained()` answers at once, without a pass,
   * when no write has started since a pass that read every shard to its end began with none in flight.
   */
  writes?: DynamoDbWrites;
}): LocalStreams {
  const idlePollMs = options.idlePollMs ?? IDLE_POLL_MS;
  const lookEveryMs = options.lookEveryMs ?? LOOK_EVERY_MS;
  const { mapping, functions, tableName } = options;
  let stopped = false;
  let paused = false;
  let busy = false;
  /** Settles when the pass in flight ends (pause waits for it); settled while no pass runs. */
  let passEnded: Promise<void> = Promise.resolve();
  /** True once a full pass found nothing new (reset by any record). */
  let caughtUp = false;
  /** Passes started, and the last one that read every shard and found nothing. */
  let passes = 0;
  let drainedThrough = 0;
  /** A shard closed since the last DescribeStream: a new one may hold records. */
  let shardClosed = false;
  /** Writes started when the last pass that read every shard to its end began (with none in flight then). */
  let cleanThroughWrites: number | undefined;
  const { writes } = options;
  const drainWaiters: Array<{ after: number; resolve: () => void }> = [];
  let drainsWithoutPass = 0;
  const { nap, wake } = wakeableNap();
  const releaseDrainWaiters = (all: boolean) => {
    for (let i = drainWaiters.length - 1; i >= 0; i--) {
      if (all || drainWaiters[i]!.after < drainedThrough) drainWaiters.splice(i, 1)[0]!.resolve();
    }
  };

  const call = async (target: string, body: unknown): Promise<any> => {
    const res = await fetch(options.endpoint(), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': target,
        // DynamoDB Local checks there is a credential, not the signature.
        authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    if (res.status !== 200) {
      const err = new Error(`${target}: ${json?.message ?? json?.Message ?? res.status}`);
      err.name = String(json?.__type ?? 'Error').split('#').pop()!;
      throw err;
    }
    return json;
  };

  const shards = new Map<string, Shard>();
  let streamArn: string | undefined;
  let lastDescribe = 0;
  let lastTableCheck = 0;

  /**
   * Finds the table's stream (DescribeTable) and its shards (DescribeStream). `shardsOnly` skips the
   * DescribeTable: on DynamoDB Local it counts the table's items, so it grows with the table (8 ms on a
   * fresh one, 70 ms after a 500-lead simulated quarter) and slows every call beside it; the periodic look
   * for new shards needs only the stream, and a new stream (the table re-created, DynamoDB Local
   * restarted) shows as an error of the old one, which looks again in full.
   */
  async function describe(shardsOnly = false): Promise<void> {
    // A shard closing while this runs is seen again afterwards.
    shardClosed = false;
    if (!shardsOnly || !streamArn) {
      const table = await call('DynamoDB_20120810.DescribeTable', { TableName: tableName });
      lastTableCheck = Date.now();
      const arn = table.Table?.LatestStreamArn as string | undefined;
      if (arn !== streamArn) {
        streamArn = arn;
        shards.clear();
      }
      if (!streamArn) return;
    }
    const description = (await call('DynamoDBStreams_20120810.DescribeStream', { StreamArn: streamArn })).StreamDescription;
    for (const s of (description?.Shards ?? []) as Array<{ ShardId: string }>) {
      if (!shards.has(s.ShardId)) shards.set(s.ShardId, { id: s.ShardId, closed: false });
    }
    lastDescribe = Date.now();
  }

  /**
   * The periodic look for new shards runs beside the passes, so a pass (and a clock waiting on it) never waits
   * for it; it asks for the table's stream again only every `lookEveryMs.stream`.
   */
  let refreshing: Promise<void> | undefined;
  const refreshInBackground = () => {
    refreshing ??= describe(Date.now() - lastTableCheck < lookEveryMs.stream)
      .catch((err: Error) => {
        if (err.name === 'ResourceNotFoundException' || (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') streamArn = undefined;
        else if (!stopped) console.error('[local] stream describe:', err.message);
      })
      .finally(() => (refreshing = undefined));
  };

  async function deliver(records: StreamRecord[]): Promise<void> {
    const matching = records.filter((r) => recordMatches(mapping.filters, r));
    for (let i = 0; i < matching.length; i += mapping.batchSize) {
      let batch = matching.slice(i, i + mapping.batchSize);
      for (let attempt = 0; batch.length && !stopped; attempt++) {
        try {
          const result = (await functions.invoke(mapping.functionName, { Records: batch })) as { batchItemFailures?: Array<{ itemIdentifier?: string }> } | undefined;
          const failed = mapping.reportBatchItemFailures ? (result?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : [];
          if (!failed.length) break;
          const first = batch.findIndex((r) => failed.includes(r.dynamodb?.SequenceNumber));
          batch = first < 0 ? [] : batch.slice(first);
        } catch (err) {
          console.error(`[local] ${mapping.id} → ${mapping.functionName}: ${(err as Error).message}`);
        }
        if (!batch.length) break;
        if (attempt >= mapping.maxRetries) {
          console.error(`[local] ${mapping.id}: ${batch.length} record(s) skipped after ${attempt + 1} attempts`);
          break;
        }
        await sleep(Math.min(5_000, 200 * 2 ** attempt));
      }
    }
  }

  /** Set by readShard when a shard was not read to its end in this pass (a full page, a new iterator, a closed shard). */
  let unfinished = false;

  async function readShard(shard: Shard): Promise<boolean> {
    if (!shard.iterator) {
      const type = shard.lastSequence ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastSequence } : { ShardIteratorType: 'TRIM_HORIZON' };
      shard.iterator = (await call('DynamoDBStreams_20120810.GetShardIterator', { StreamArn: streamArn, ShardId: shard.id, ...type })).ShardIterator;
    }
    let out: any;
    try {
      out = await call('DynamoDBStreams_20120810.GetRecords', { ShardIterator: shard.iterator, Limit: 1000 });
    } catch (err) {
      // An iterator taken while the shard was empty can point before its oldest record (DynamoDB Local
      // answers TrimmedDataAccessException); an old one expires. Either way: take a new one.
      if (['ExpiredIteratorException', 'TrimmedDataAccessException'].includes((err as Error).name)) {
        shard.iterator = undefined;
        unfinished = true;
        return true;
      }
      throw err;
    }
    const records = (out.Records ?? []) as StreamRecord[];
    shard.iterator = out.NextShardIterator;
    if (!shard.iterator) shard.closed = shardClosed = true;
    if (records.length >= 1000 || shard.closed) unfinished = true;
    if (records.length) {
      await deliver(records);
      shard.lastSequence = records[records.length - 1]!.dynamodb?.SequenceNumber;
    }
    return records.length > 0;
  }

  const loop = (async () => {
    while (!stopped) {
      if (paused) {
        releaseDrainWaiters(true);
        await nap(IDLE_POLL_MS);
        continue;
      }
      busy = true;
      let endPass!: () => void;
      passEnded = new Promise<void>((resolve) => (endPass = resolve));
      let found = false;
      let failed = false;
      unfinished = false;
      const pass = ++passes;
      // Every write counted so far has been answered, so its records are in the stream for this pass to read.
      const writesAtStart = writes && writes.inFlight() === 0 ? writes.started() : undefined;
      try {
        // Without a stream, or after a shard closed (its children may hold the next records), look first.
        if (!streamArn || shardClosed) await describe();
        else if (Date.now() - lastDescribe > lookEveryMs.shards) refreshInBackground();
        for (const shard of [...shards.values()].filter((s) => !s.closed)) {
          if (stopped || paused) break;
          if (await readShard(shard)) found = true;
        }
      } catch (err) {
        const name = (err as Error).name;
        // The table is gone or DynamoDB Local restarts: find the stream again on the next pass.
        if (name === 'ResourceNotFoundException' || (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') streamArn = undefined;
        else if (!stopped) console.error('[local] stream poll:', (err as Error).message);
        failed = true;
      }
      busy = false;
      endPass();
      caughtUp = !found && !paused;
      // Read to the end of every shard: what it found is delivered (or filtered out), and anything written
      // since was written by work the clock sees start (so it asks again) — drained, as of this pass.
      if (!failed && !unfinished && !paused && !stopped) {
        drainedThrough = pass;
        cleanThroughWrites = writesAtStart;
        releaseDrainWaiters(false);
      } else cleanThroughWrites = undefined;
      // Someone waiting to hear the stream is drained (asked mid-pass) gets a fresh pass at once.
      if (!found && (failed || !drainWaiters.length)) await nap(idlePollMs);
    }
    releaseDrainWaiters(true);
    await refreshing;
  })();

  return {
    pause: () => {
      paused = true;
      return passEnded;
    },
    resume: () => {
      paused = false;
      caughtUp = false;
    },
    async idle({ timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      caughtUp = false;
      while (!(caughtUp && !busy)) {
        if (Date.now() > deadline) throw new Error('Timed out waiting for the table stream to be drained');
        await sleep(IDLE_POLL_MS);
      }
    },
    drained() {
      if (paused || stopped) return Promise.resolve();
      // Nothing written since a full pass began (and delivered what it read): nothing new to read.
      if (writes && cleanThroughWrites !== undefined && writes.inFlight() === 0 && writes.started() === cleanThroughWrites) {
        drainsWithoutPass += 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        drainWaiters.push({ after: passes, resolve });
        wake();
      });
    },
    stats: () => ({ passes, drainsWithoutPass }),
    async stop() {
      stopped = true;
      wake();
      await loop;
    },
  };
}

/** Several mappings' pollers as one (pause, resume, idle and stop apply to all). */
export function combineStreams(all: LocalStreams[]): LocalStreams {
  return {
    pause: async () => void (await Promise.all(all.map((s) => s.pause()))),
    resume: () => all.forEach((s) => s.resume()),
    idle: async (options) => void (await Promise.all(all.map((s) => s.idle(options)))),
    drained: async () => void (await Promise.all(all.map((s) => s.drained()))),
    stats: () => all.map((s) => s.stats()).reduce((sum, s) => ({ passes: sum.passes + s.passes, drainsWithoutPass: sum.drainsWithoutPass + s.drainsWithoutPass }), { passes: 0, drainsWithoutPass: 0 }),
    stop: async () => void (await Promise.all(all.map((s) => s.stop()))),
  };
}
