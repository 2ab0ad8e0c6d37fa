import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createTableInput } from '../../functions/table/definition.js';
import { ensureTable, startDynamoDbLocal } from '../../local/dynamodb.js';
import { eventually } from '../support/app.js';

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
    // The local table is created from the same definition as the deployed one.
    const defined = createTableInput(tableName).GlobalSecondaryIndexes?.map((g) => g.IndexName).sort();
    expect(defined).toContain('gsi1');
    expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(defined);
    client.destroy();
  });

  it('restarts an in-memory one that died, with its table created again, and stop() kills the restarted JVM', async () => {
    const lines: string[] = [];
    const db = await startDynamoDbLocal({ afterRestart: (endpoint) => ensureTable(endpoint, 'restarted'), log: (line) => lines.push(line) });
    try {
      const first = db.pid;
      process.kill(first, 'SIGKILL');
      await eventually(() => expect(lines.some((l) => l.includes('is back'))).toBe(true), 40_000);
      expect(db.pid).not.toBe(first);
      expect(isAlive(db.pid)).toBe(true);
      expect(lines[0]).toMatch(/^\[local\] DynamoDB Local exited \(signal SIGKILL\); restarting on port \d+ in memory/);
      const client = new DynamoDBClient({ endpoint: db.endpoint });
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'restarted' }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      client.destroy();
    } finally {
      await db.stop();
    }
    expect(isAlive(db.pid)).toBe(false);
  });

  it('leaves no Java process behind after stop', async () => {
    const db = await startDynamoDbLocal();
    expect(isAlive(db.pid)).toBe(true);
    await db.stop();
    expect(isAlive(db.pid)).toBe(false);
  });
});
