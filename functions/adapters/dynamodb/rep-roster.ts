/**
 * RepRoster over the single table: one item per rep (indexed by status on gsi1 so the active
 * roster is one query), and one shared round-robin counter incremented atomically with ADD.
 */
import { GetCommand, PutCommand, UpdateCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Rep } from '../../core/model.js';
import type { RepRoster } from '../../core/ports.js';
import { keys } from '../../table/keys.js';

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity'] as const;

function toRep(item: Record<string, unknown>): Rep {
  const rep = { ...item };
  for (const k of KEY_ATTRIBUTES) delete rep[k];
  return rep as unknown as Rep;
}

export class DynamoRepRoster implements RepRoster {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(repId: string): Promise<Rep | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.rep(repId), ConsistentRead: true }));
    return Item ? toRep(Item) : undefined;
  }

  async put(rep: Rep): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...rep, ...keys.rep(rep.repId), ...keys.repIndexes(rep), entity: 'rep' } }),
    );
  }

  /** gsi1 sorts by repId, which gives round-robin its stable order. */
  async listActive(): Promise<Rep[]> {
    const reps: Rep[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': keys.repStatusPartition('active') },
      },
    );
    for await (const page of pages) reps.push(...(page.Items ?? []).map(toRep));
    return reps;
  }

  async nextTurn(): Promise<number> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.rosterCursor(),
        UpdateExpression: 'ADD turn :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.turn);
  }
}
