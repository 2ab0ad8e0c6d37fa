import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { ensureTable, startDynamoDbLocal } from '../../local/dynamodb.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('DynamoDB Local', () => {
  it('is shared by the run and reachable on 127.0.0.1 through the standard endpoint variable', async () => {
    const endpoint = inject('dynamodbEndpoint');
    expect(new URL(endpoint).hostname).toBe('127.0.0.1');
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(endpoint);
    const tableName = `local-dynamodb-${Date.now()}`;
    await ensureTable(endpoint, tableName);
    await ensureTable(endpoint, tableName); // a second call finds the table and leaves it alone
    const client = new DynamoDBClient({});
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(['gsi1', 'gsi2']);
    client.destroy();
  });

  it('leaves no Java process behind after stop', async () => {
    const db = await startDynamoDbLocal();
    expect(isAlive(db.pid)).toBe(true);
    await db.stop();
    expect(isAlive(db.pid)).toBe(false);
  });
});
