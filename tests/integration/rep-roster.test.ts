import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoRepRoster } from '../../functions/adapters/dynamodb/rep-roster.js';
import type { Rep } from '../../functions/core/model.js';
import { ensureTable } from '../../local/dynamodb.js';

const rep = (repId: string, status: Rep['status']): Rep => ({ repId, name: `Rep ${repId}`, email: `${repId}@brightline.example`, status, createdAt: '2026-01-01T00:00:00.000Z' });

describe('the DynamoDB rep roster', () => {
  const tableName = `rep-roster-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  let client: DynamoDBDocumentClient;
  let roster: DynamoRepRoster;

  beforeAll(async () => {
    await ensureTable(inject('dynamodbEndpoint'), tableName);
    client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    roster = new DynamoRepRoster(client, tableName);
  });
  afterAll(() => client?.destroy());

  it('stores a rep and reads it back without table keys', async () => {
    await roster.put(rep('r-get', 'onboarding'));
    expect(await roster.get('r-get')).toEqual(rep('r-get', 'onboarding'));
    expect(await roster.get('r-missing')).toBeUndefined();
  });

  it('lists only active reps, ordered by id, and follows status changes', async () => {
    await roster.put(rep('r-c', 'active'));
    await roster.put(rep('r-a', 'active'));
    await roster.put(rep('r-b', 'inactive'));
    expect((await roster.listActive()).map((r) => r.repId)).toEqual(['r-a', 'r-c']);
    await roster.put(rep('r-b', 'active'));
    await roster.put(rep('r-c', 'inactive'));
    expect((await roster.listActive()).map((r) => r.repId)).toEqual(['r-a', 'r-b']);
  });

  it('hands out every round-robin turn exactly once under concurrent callers', async () => {
    const turns = await Promise.all(Array.from({ length: 40 }, () => roster.nextTurn()));
    expect(new Set(turns).size).toBe(40);
    expect(Math.max(...turns) - Math.min(...turns)).toBe(39);
  });
});
