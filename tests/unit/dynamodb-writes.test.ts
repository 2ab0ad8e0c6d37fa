/**
 * The process's DynamoDB write counter (local/dynamodb-writes.ts), seen through Node's http diagnostics channel:
 * the real SDK client against a stand-in server on 127.0.0.1 that answers when the test says so.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbWrites } from '../../local/dynamodb-writes.js';

let server: http.Server;
let client: DynamoDBClient;
/** Requests waiting for an answer: the test releases them (or drops the connection). */
const held: Array<{ target: string; res: http.ServerResponse }> = [];
let answerAtOnce = true;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (answerAtOnce) res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      else held.push({ target, res });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxAttempts: 1 });
});
afterAll(async () => {
  client?.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

const key = { pk: { S: 'a' }, sk: { S: 'b' } };
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('the DynamoDB write counter', () => {
  it('counts writes, not reads', async () => {
    const writes = dynamoDbWrites();
    const before = writes.started();
    await client.send(new GetItemCommand({ TableName: 't', Key: key }));
    expect(writes.started()).toBe(before);
    await client.send(new PutItemCommand({ TableName: 't', Item: key }));
    await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 't', Item: key } }] }));
    expect(writes.started()).toBe(before + 2);
    expect(writes.inFlight()).toBe(0);
  });

  it('holds a write in flight until it is answered, or its connection fails', async () => {
    const writes = dynamoDbWrites();
    answerAtOnce = false;
    try {
      const answered = client.send(new PutItemCommand({ TableName: 't', Item: key }));
      await until(() => held.length === 1);
      expect(writes.inFlight()).toBe(1);
      held.shift()!.res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      await answered;
      await until(() => writes.inFlight() === 0);
      expect(writes.inFlight()).toBe(0);

      const dropped = client.send(new PutItemCommand({ TableName: 't', Item: key })).catch((err: Error) => err);
      await until(() => held.length === 1);
      expect(writes.inFlight()).toBe(1);
      held.shift()!.res.socket!.destroy();
      expect(await dropped).toBeInstanceOf(Error);
      await until(() => writes.inFlight() === 0);
      expect(writes.inFlight()).toBe(0);
    } finally {
      answerAtOnce = true;
    }
  });
});
