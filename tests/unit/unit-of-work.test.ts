/**
 * The unit of work's answers when DynamoDB refuses a lone write (the integration test covers the
 * conditions on DynamoDB Local): another transaction holding the item is the stage's "read again and
 * retry" error, as it is for a transaction; anything else is DynamoDB's own error.
 */
import { DynamoDBClient, TransactionConflictException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoUnitOfWork } from '../../functions/adapters/dynamodb/unit-of-work.js';
import { VersionConflictError } from '../../functions/core/errors.js';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const put = { Put: { TableName: 't', Item: { pk: 'LEAD#1', sk: 'PROFILE' }, ConditionExpression: '#version = :v', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':v': 1 } } };

describe('the unit of work with one staged write', () => {
  beforeEach(() => ddb.reset());

  it('answers another transaction on the item with the stage’s error, so the caller reads again', async () => {
    ddb.on(PutCommand).rejects(new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata: {} }));
    await expect(new DynamoUnitOfWork(client).stage(put, new VersionConflictError('1')).commit()).rejects.toThrow(VersionConflictError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('passes DynamoDB’s other errors on unchanged (a throttle stays a throttle)', async () => {
    ddb.on(PutCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(new DynamoUnitOfWork(client).stage(put, new VersionConflictError('1')).commit()).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });

  it('still sends a lone ConditionCheck as a transaction (it writes nothing on its own)', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await new DynamoUnitOfWork(client).stage({ ConditionCheck: { TableName: 't', Key: { pk: 'LEAD#1', sk: 'PROFILE' }, ConditionExpression: 'attribute_exists(pk)' } }, new VersionConflictError('1')).commit();
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
