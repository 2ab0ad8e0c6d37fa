/**
 * A local stream mapping (local/streams.ts) against a stand-in DynamoDB Streams server on 127.0.0.1:
 * - pausing while a pass is in flight: `pause()` resolves only once that pass has ended (the server holds
 *   GetRecords until the test lets it answer), and nothing written after it resolves is delivered before `resume()`;
 * - the periodic look for new shards is a DescribeStream; the table (DescribeTable, which on DynamoDB Local counts
 *   every item) is asked again only at its slower interval, or when the stream read fails (a new stream is followed).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FunctionRuntime } from '../../local/functions.js';
import { startStreamMapping } from '../../local/streams.js';

let server: http.Server;
/** The shard's records, in order; an iterator is the index of the next one to read. */
const records: Array<{ eventName: string; dynamodb: { SequenceNumber: string; Keys: Record<string, unknown> } }> = [];
let holdGetRecords = false;
const held: Array<() => void> = [];
/** The table's current stream; iterators name theirs (`<arn>@<index>`), and one of an old stream is refused. */
let streamArn = 'arn:stream-1';
const calls = new Map<string, number>();

const answer = (target: string, body: { ShardIterator?: string; StreamArn?: string }): [number, unknown] => {
  const op = target.split('.').pop()!;
  calls.set(op, (calls.get(op) ?? 0) + 1);
  switch (op) {
    case 'DescribeTable':
      return [200, { Table: { LatestStreamArn: streamArn } }];
    case 'DescribeStream':
      return [200, { StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } }];
    case 'GetShardIterator':
      return [200, { ShardIterator: `${body.StreamArn}@0` }];
    default: {
      const [arn, from] = String(body.ShardIterator).split('@');
      if (arn !== streamArn) return [400, { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' }];
      return [200, { Records: records.slice(Number(from)), NextShardIterator: `${arn}@${records.length}` }];
    }
  }
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      // Computed when answered, so a held GetRecords reads what is in the shard by then.
      const send = () => {
        const [status, body] = answer(target, JSON.parse(raw || '{}'));
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
      };
      if (holdGetRecords && target.endsWith('GetRecords')) held.push(send);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};
const write = (id: string) => records.push({ eventName: 'INSERT', dynamodb: { SequenceNumber: String(records.length + 1).padStart(21, '0'), Keys: { pk: { S: id } } } });

/** A mapping on the stand-in server, and the keys of the records it delivered, in order. */
function startMapping(options: Partial<Parameters<typeof startStreamMapping>[0]> = {}) {
  const delivered: string[] = [];
  const functions = {
    invoke: async (_name: string, event: { Records: typeof records }) => {
      delivered.push(...event.Records.map((r) => String((r.dynamodb.Keys.pk as { S: string }).S)));
      return {};
    },
  } as unknown as FunctionRuntime;
  const streams = startStreamMapping({
    endpoint: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tableName: 't',
    mapping: { id: 'm', functionName: 'f', batchSize: 100, filters: [], maxRetries: 0, reportBatchItemFailures: true },
    functions,
    idlePollMs: 5,
    ...options,
  });
  return { streams, delivered };
}

it('pause() waits for the pass in flight; what is written after it resolves waits for resume()', async () => {
  const { streams, delivered } = startMapping();
  try {
    write('before');
    await until(() => delivered.includes('before'));

    // A pass is reading the shard when the pause comes: the pause waits for it.
    holdGetRecords = true;
    await until(() => held.length === 1);
    let paused = false;
    const pausing = streams.pause().then(() => (paused = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(paused).toBe(false);
    // Written while that pass was in flight, before the pause resolved: that pass may deliver it.
    write('during');
    holdGetRecords = false;
    held.shift()!();
    await pausing;
    expect(delivered).toContain('during');

    // Written after the pause resolved: nothing reads it until resume.
    write('after');
    await new Promise((r) => setTimeout(r, 200));
    expect(delivered).not.toContain('after');
    streams.resume();
    await until(() => delivered.includes('after'));
    expect(delivered).toEqual(['before', 'during', 'after']);
  } finally {
    holdGetRecords = false;
    held.splice(0).forEach((answerNow) => answerNow());
    await streams.stop();
  }
});

it('looks for new shards with DescribeStream, asks for the table only at its slower interval, and follows a new stream', async () => {
  records.length = 0;
  calls.clear();
  const { streams, delivered } = startMapping({ lookEveryMs: { shards: 20, stream: 60_000 } });
  try {
    write('first');
    await until(() => delivered.includes('first'));
    // Several looks for new shards go by: each a DescribeStream, none a DescribeTable.
    await until(() => (calls.get('DescribeStream') ?? 0) >= 6);
    expect(calls.get('DescribeTable')).toBe(1);

    // The table gets a new stream (re-created): the old one's read fails, and the mapping finds the new one.
    streamArn = 'arn:stream-2';
    records.length = 0;
    write('on the new stream');
    await until(() => delivered.includes('on the new stream'));
    expect(calls.get('DescribeTable')).toBe(2);
  } finally {
    await streams.stop();
  }
});
