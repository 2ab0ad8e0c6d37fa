/**
 * The local DynamoDB fault proxy in front of the run's DynamoDB Local, driven by real SDK clients: what
 * the SDK makes of a throttled write (its own ProvisionedThroughputExceededException, retried as a
 * throttle), that reads pass, that a throttled write stores nothing, and that it closes cleanly.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { DynamoDBClient, ProvisionedThroughputExceededException, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryThrottledTransactions } from '../../functions/shared/dynamodb-throttling.js';
import { isDependencyUnavailable } from '../../functions/shared/http.js';
import { ensureTable } from '../../local/dynamodb.js';
import { startDynamoDbFaultProxy, type DynamoDbFaultProxy } from '../../local/dynamodb-faults.js';

const TABLE = `faults-${randomUUID()}`;
const dynamodbLocal = process.env.AWS_ENDPOINT_URL_DYNAMODB!;
let proxy: DynamoDbFaultProxy;
let viaProxy: DynamoDBDocumentClient;
let direct: DynamoDBDocumentClient;

/** As functions/shared/clients.ts builds the handlers' client, pointed at `endpoint`. */
const handlersClient = (endpoint: string) => DynamoDBDocumentClient.from(retryThrottledTransactions(new DynamoDBClient({ endpoint })));

beforeAll(async () => {
  await ensureTable(dynamodbLocal, TABLE);
  proxy = await startDynamoDbFaultProxy({ target: dynamodbLocal, seed: 2026 });
  viaProxy = handlersClient(proxy.url);
  direct = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodbLocal }));
});
afterAll(async () => {
  viaProxy?.destroy();
  direct?.destroy();
  await proxy?.close();
});

const key = () => ({ pk: `T#${randomUUID()}`, sk: 'ITEM' });
const storedItem = async (k: Record<string, string>) => (await direct.send(new GetCommand({ TableName: TABLE, Key: k, ConsistentRead: true }))).Item;

describe('the local DynamoDB fault proxy', () => {
  it('makes the SDK raise ProvisionedThroughputExceededException after its own retries, and stores nothing', async () => {
    proxy.throttle.set(1);
    const before = proxy.throttle.stats;
    const k = key();
    const err = await viaProxy.send(new PutCommand({ TableName: TABLE, Item: { ...k, v: 1 } })).catch((e: unknown) => e as any);
    expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(err.ThrottlingReasons).toEqual([{ reason: 'TableWriteKeyRangeThroughputExceeded', resource: `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}` }]);
    // The SDK took it for a throttle: every attempt it makes (4 for DynamoDB) reached the proxy.
    expect(err.$metadata.attempts).toBe(4);
    expect(proxy.throttle.stats.throttled - before.throttled).toBe(4);
    expect(isDependencyUnavailable(err)).toBe(true);
    // Reads pass untouched, and the write never reached DynamoDB Local.
    expect((await viaProxy.send(new GetCommand({ TableName: TABLE, Key: k }))).Item).toBeUndefined();
    expect(await storedItem(k)).toBeUndefined();
  });

  it('cancels a throttled transaction, which the handlers’ client retries and reports as ThrottlingException', async () => {
    proxy.throttle.set(1);
    const [a, b] = [key(), key()];
    const transaction = new TransactWriteCommand({ TransactItems: [{ Put: { TableName: TABLE, Item: a } }, { Put: { TableName: TABLE, Item: b } }] });
    const err = await viaProxy.send(transaction).catch((e: unknown) => e as any);
    expect(err).toBeInstanceOf(ThrottlingException);
    expect(err.$metadata.attempts).toBe(4);
    expect(err.cause).toMatchObject({ name: 'TransactionCanceledException', CancellationReasons: expect.arrayContaining([expect.objectContaining({ Code: 'ThrottlingError' })]) });
    expect(await storedItem(a)).toBeUndefined();
    expect(await storedItem(b)).toBeUndefined();

    proxy.throttle.set(0);
    await viaProxy.send(transaction);
    expect(await storedItem(a)).toEqual(a);
  });

  it('lets every write through in the end at 30% throttled, the SDK retrying the throttled attempts', async () => {
    proxy.throttle.set(0.3);
    const before = proxy.throttle.stats;
    const keys = Array.from({ length: 5 }, key);
    for (const k of keys) await viaProxy.send(new PutCommand({ TableName: TABLE, Item: { ...k, v: 2 } }));
    for (const k of keys) expect(await storedItem(k)).toEqual({ ...k, v: 2 });
    const after = proxy.throttle.stats;
    // One fixed seed, one client, one write at a time: the same attempts are throttled on every run.
    expect(after.throttled - before.throttled).toBeGreaterThan(0);
    expect(after.writes - before.writes).toBe(keys.length + (after.throttled - before.throttled));
    proxy.throttle.set(0);
  });

  it('drops the connection when DynamoDB Local cannot be reached, which the HTTP edge answers 503', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const orphan = await startDynamoDbFaultProxy({ target: `http://127.0.0.1:${closedPort}` });
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: orphan.url, maxAttempts: 1 }));
    try {
      const err = await client.send(new GetCommand({ TableName: TABLE, Key: key() })).catch((e: unknown) => e);
      expect(isDependencyUnavailable(err)).toBe(true);
    } finally {
      client.destroy();
      await orphan.close();
    }
  });

  it('closes while a client still holds a kept-alive connection', async () => {
    const extra = await startDynamoDbFaultProxy({ target: dynamodbLocal });
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: extra.url }));
    await client.send(new GetCommand({ TableName: TABLE, Key: key() }));
    await extra.close(); // would wait for the client's idle socket forever if it were not destroyed
    client.destroy();
  });
});
