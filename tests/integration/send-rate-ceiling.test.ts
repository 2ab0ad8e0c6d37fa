/**
 * The send-rate ceiling's counter on DynamoDB Local: one conditional UpdateItem per send, so concurrent
 * senders (Lambdas, workflows) together never take more slots of a second than the ceiling, a sender
 * that has seen a second full asks no more in it, and the counter items expire by the table's TTL.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoSendRateCeiling } from '../../functions/adapters/dynamodb/send-rate.js';
import { tableDefinition } from '../../functions/table/definition.js';
import { keys } from '../../functions/table/keys.js';
import { ensureTable } from '../../local/dynamodb.js';

describe('the DynamoDB send-rate ceiling', () => {
  const tableName = `send-rate-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  let client: DynamoDBDocumentClient;

  beforeAll(async () => {
    await ensureTable(inject('dynamodbEndpoint'), tableName);
    client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  });
  afterAll(() => client?.destroy());

  it('grants exactly the ceiling’s number of slots in a second to concurrent senders, and the next second afresh', async () => {
    const ceiling = new DynamoSendRateCeiling(client, tableName, 10);
    const second = new Date('2031-05-01T12:00:00.250Z');
    const granted = await Promise.all(Array.from({ length: 25 }, (_, i) => ceiling.tryAcquire(new Date(second.getTime() + i * 20))));
    expect(granted.filter(Boolean)).toHaveLength(10);
    expect(await ceiling.tryAcquire(new Date('2031-05-01T12:00:01.000Z'))).toBe(true);

    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.sendRateSecond(Math.floor(second.getTime() / 1000)), ConsistentRead: true }));
    expect(Item).toMatchObject({ sends: 10, entity: 'sendRate' });
  });

  it('asks no more in a second once it took its last slot or was refused one, and asks afresh the next second', async () => {
    // Counts the requests that reach DynamoDB Local.
    const counted = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    let requests = 0;
    counted.middlewareStack.add((next) => async (args) => (requests++, next(args)), { step: 'initialize', name: 'countRequests' });
    const ceiling = new DynamoSendRateCeiling(counted, tableName, 3);
    const other = new DynamoSendRateCeiling(counted, tableName, 3);
    const at = new Date('2031-05-03T10:00:00.100Z');

    expect([await ceiling.tryAcquire(at), await ceiling.tryAcquire(at)]).toEqual([true, true]);
    expect(ceiling.knownFull(at)).toBe(false);
    expect(await ceiling.tryAcquire(at)).toBe(true); // the last slot: now it knows
    expect(ceiling.knownFull(at)).toBe(true);
    expect(await ceiling.tryAcquire(new Date(at.getTime() + 500))).toBe(false);
    expect(requests).toBe(3);

    // Another sender (another Lambda) learns it from a refusal, once.
    expect(other.knownFull(at)).toBe(false);
    expect([await other.tryAcquire(at), await other.tryAcquire(at)]).toEqual([false, false]);
    expect(requests).toBe(4);

    const next = new Date(at.getTime() + 1_000);
    expect(ceiling.knownFull(next)).toBe(false);
    expect(await ceiling.tryAcquire(next)).toBe(true);
    expect(requests).toBe(5);
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.sendRateSecond(Math.floor(at.getTime() / 1000)), ConsistentRead: true }));
    expect(Item!.sends).toBe(3);
    counted.destroy();
  });

  it('marks each second’s counter to expire by the table’s TTL, an hour of wall-clock time on', async () => {
    const wallClock = Date.parse('2026-06-01T00:00:00.000Z');
    const ceiling = new DynamoSendRateCeiling(client, tableName, 3, () => wallClock);
    const at = new Date('2031-05-02T08:00:00.000Z');
    await ceiling.tryAcquire(at);
    await ceiling.tryAcquire(at);
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.sendRateSecond(at.getTime() / 1000), ConsistentRead: true }));
    expect(Item![tableDefinition.timeToLiveAttribute]).toBe(wallClock / 1000 + 3_600);
    expect(Item!.sends).toBe(2);
  });

  it('refuses a ceiling that is not a positive whole number', () => {
    expect(() => new DynamoSendRateCeiling(client, tableName, 0)).toThrow(RangeError);
    expect(() => new DynamoSendRateCeiling(client, tableName, 2.5)).toThrow(RangeError);
  });
});
