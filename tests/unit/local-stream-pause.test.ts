/**
 * Pausing a local stream mapping (local/streams.ts) while a pass is in flight: `pause()` resolves only once
 * that pass has ended, and nothing written after it resolves reaches the function before `resume()`.
 * A stand-in DynamoDB Streams server on 127.0.0.1 holds GetRecords until the test lets it answer.
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

const answer = (target: string, body: { ShardIterator?: string }) => {
  switch (target.split('.').pop()) {
    case 'DescribeTable':
      return { Table: { LatestStreamArn: 'arn:stream' } };
    case 'DescribeStream':
      return { StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } };
    case 'GetShardIterator':
      return { ShardIterator: '0' };
    default: {
      const from = Number(body.ShardIterator);
      return { Records: records.slice(from), NextShardIterator: String(records.length) };
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
      const send = () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer(target, JSON.parse(raw || '{}'))));
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

it('pause() waits for the pass in flight; what is written after it resolves waits for resume()', async () => {
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
  });
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
