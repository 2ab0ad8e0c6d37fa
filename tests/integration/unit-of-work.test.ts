/**
 * The DynamoDB unit of work on DynamoDB Local: several staged writes go as one TransactWriteItems; one
 * staged write goes as the plain conditional write it is (half the write units of a transaction on AWS),
 * and either way a failed condition is the error its stage named, with nothing written.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoUnitOfWork } from '../../functions/adapters/dynamodb/unit-of-work.js';
import { ConflictError, VersionConflictError } from '../../functions/core/errors.js';
import { ensureTable } from '../../local/dynamodb.js';

const tableName = `unit-of-work-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
/** The operations that reached DynamoDB Local, in order. */
const sent: string[] = [];
client.middlewareStack.add((next, context) => async (args) => (sent.push(String(context.commandName)), next(args)), { step: 'initialize', name: 'recordOperations' });

const notExists = 'attribute_not_exists(pk)';
const read = async (pk: string, sk: string) => (await client.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

describe('the DynamoDB unit of work', () => {
  beforeAll(async () => {
    await ensureTable(inject('dynamodbEndpoint'), tableName);
  });
  afterAll(() => client.destroy());

  it('writes one staged Put as a PutItem, and its failed condition is the stage’s error with nothing changed', async () => {
    const pk = `UOW#${randomUUID()}`;
    sent.length = 0;
    await new DynamoUnitOfWork(client).stage({ Put: { TableName: tableName, Item: { pk, sk: 'A', n: 1 }, ConditionExpression: notExists } }, new ConflictError('taken')).commit();
    expect(sent).toEqual(['PutItemCommand']);
    expect(await read(pk, 'A')).toMatchObject({ n: 1 });

    const again = new DynamoUnitOfWork(client).stage({ Put: { TableName: tableName, Item: { pk, sk: 'A', n: 2 }, ConditionExpression: notExists } }, new ConflictError('taken'));
    await expect(again.commit()).rejects.toThrow(ConflictError);
    expect(await read(pk, 'A')).toMatchObject({ n: 1 });
  });

  it('writes one staged Update or Delete on its own too', async () => {
    const pk = `UOW#${randomUUID()}`;
    await new DynamoUnitOfWork(client).stage({ Put: { TableName: tableName, Item: { pk, sk: 'A', version: 1 } } }).commit();
    sent.length = 0;
    const bump = (expected: number) =>
      new DynamoUnitOfWork(client).stage(
        { Update: { TableName: tableName, Key: { pk, sk: 'A' }, UpdateExpression: 'SET version = :next', ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':next': expected + 1, ':expected': expected } } },
        new VersionConflictError(pk),
      );
    await bump(1).commit();
    await expect(bump(1).commit()).rejects.toThrow(VersionConflictError);
    expect(await read(pk, 'A')).toMatchObject({ version: 2 });
    await new DynamoUnitOfWork(client).stage({ Delete: { TableName: tableName, Key: { pk, sk: 'A' } } }).commit();
    expect(await read(pk, 'A')).toBeUndefined();
    expect(sent.filter((op) => op !== 'GetItemCommand')).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);
  });

  it('writes several staged items in one transaction: all or none, the failed stage’s error', async () => {
    const pk = `UOW#${randomUUID()}`;
    await new DynamoUnitOfWork(client).stage({ Put: { TableName: tableName, Item: { pk, sk: 'TAKEN' } } }).commit();
    sent.length = 0;
    const work = new DynamoUnitOfWork(client)
      .stage({ Put: { TableName: tableName, Item: { pk, sk: 'NEW' }, ConditionExpression: notExists } }, new VersionConflictError(pk))
      .stage({ Put: { TableName: tableName, Item: { pk, sk: 'TAKEN' }, ConditionExpression: notExists } }, new ConflictError('taken'));
    await expect(work.commit()).rejects.toThrow(ConflictError);
    expect(sent).toEqual(['TransactWriteItemsCommand']);
    expect(await read(pk, 'NEW')).toBeUndefined();
  });
});
