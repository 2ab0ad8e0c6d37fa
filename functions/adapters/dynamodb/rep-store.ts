/**
 * RepStore (and the funnel's RepRoster) over the single table: one profile item per rep, indexed by
 * status on gsi1 (so the active roster is one query, sorted by repId for round-robin), an email
 * uniqueness item, the rep's timeline and send ledger in its own partition, and the shared
 * round-robin counter incremented atomically with ADD. Multi-item changes are one transaction.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  paginateQuery,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, DuplicateSendError, EmailTakenError, VersionConflictError } from '../../core/errors.js';
import type { LedgerEntry, Rep, RepStatus, SubjectTimelineEntry } from '../../core/model.js';
import type { Page, RepStore } from '../../core/ports.js';
import { keys } from '../../table/keys.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { DynamoSendLedger, ledgerEntries } from './send-ledger.js';
import { DynamoTimelineStore, timelineItem } from './timeline-store.js';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi4pk', 'gsi4sk', 'entity'] as const;
const notExists = 'attribute_not_exists(pk)';

function toRep(item: Item): Rep {
  const rep = { ...item };
  for (const k of KEY_ATTRIBUTES) delete rep[k];
  return rep as unknown as Rep;
}

export class DynamoRepStore implements RepStore {
  private readonly timelines: DynamoTimelineStore;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.timelines = new DynamoTimelineStore(client, tableName);
    this.sendLedger = new DynamoSendLedger(client, tableName, now);
  }

  private readonly sendLedger: DynamoSendLedger;

  async get(repId: string): Promise<Rep | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.rep(repId), ConsistentRead: true }));
    return Item ? toRep(Item) : undefined;
  }

  async findByEmail(normalizedEmail: string): Promise<Rep | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.repEmail(normalizedEmail), ConsistentRead: true }));
    return typeof Item?.repId === 'string' ? this.get(Item.repId) : undefined;
  }

  /** Unconditional: seeds and fixtures. The email index follows, so POST /reps finds a seeded rep. */
  async put(rep: Rep): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.repItem(rep) }));
    if (rep.email) await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.emailItem(rep) }));
  }

  async create(rep: Rep, timeline: SubjectTimelineEntry[]) {
    const items: TransactItem[] = [
      { Put: { TableName: this.tableName, Item: this.repItem(rep), ConditionExpression: notExists } },
      { Put: { TableName: this.tableName, Item: this.emailItem(rep), ConditionExpression: notExists } },
      ...timeline.map((e) => this.timelinePut(rep.repId, e)),
    ];
    await this.transact(items, (index) => (index === 1 ? new EmailTakenError(rep.email) : new ConflictError(`rep ${rep.repId} exists`)));
  }

  async save(rep: Rep, expectedVersion: number, timeline: SubjectTimelineEntry[], extras: { ledgerKey?: string } = {}) {
    const saved: Rep = { ...rep, version: expectedVersion + 1 };
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: this.repItem(saved),
          // A rep seeded without a version counts as version 0.
          ConditionExpression: expectedVersion === 0 ? 'attribute_exists(pk) AND (attribute_not_exists(#version) OR #version = :expected)' : '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        },
      },
      ...timeline.map((e) => this.timelinePut(rep.repId, e)),
    ];
    const failures = new Map<number, Error>([[0, new VersionConflictError(rep.repId)]]);
    if (extras.ledgerKey) {
      failures.set(items.length, new DuplicateSendError(extras.ledgerKey));
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { ...keys.subjectSendLedger('rep', rep.repId, extras.ledgerKey), entity: 'sendLedger', status: 'claimed', claimedAt: this.now().toISOString() },
          ConditionExpression: notExists,
        },
      });
    }
    await this.transact(items, (index) => failures.get(index) ?? new VersionConflictError(rep.repId), [...failures.keys()].slice(1));
    return saved;
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

  async list(status: RepStatus, options: { limit: number; cursor?: string }): Promise<Page<Rep>> {
    const partition = keys.repStatusPartition(status);
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': partition },
        Limit: options.limit,
        ExclusiveStartKey: options.cursor ? repCursor(options.cursor, partition) : undefined,
      }),
    );
    const items = (out.Items ?? []).map(toRep);
    return out.LastEvaluatedKey ? { items, cursor: encodeCursor(out.LastEvaluatedKey) } : { items };
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

  appendTimeline(repId: string, entries: SubjectTimelineEntry[]) {
    return this.timelines.append({ kind: 'rep', id: repId }, entries);
  }

  timeline(repId: string) {
    return this.timelines.list({ kind: 'rep', id: repId });
  }

  markSent(repId: string, ledgerKey: string, messageId: string) {
    return this.sendLedger.markSent('rep', repId, ledgerKey, messageId);
  }

  releaseClaim(repId: string, ledgerKey: string, timeline: SubjectTimelineEntry[], withdrawn: SubjectTimelineEntry[] = []) {
    const deletes = withdrawn.map((e): TransactItem => ({ Delete: { TableName: this.tableName, Key: keys.subjectTimelineEntry('rep', repId, e.at, e.entryId) } }));
    return this.sendLedger.releaseClaim('rep', repId, ledgerKey, [...timeline.map((e) => this.timelinePut(repId, e)), ...deletes]);
  }

  ledger(repId: string): Promise<LedgerEntry[]> {
    return ledgerEntries(this.client, this.tableName, 'rep', repId);
  }

  private repItem(rep: Rep): Item {
    return { ...rep, ...keys.rep(rep.repId), ...keys.repIndexes(rep), entity: 'rep' };
  }

  private emailItem(rep: Rep): Item {
    return { ...keys.repEmail(rep.email), entity: 'repEmail', repId: rep.repId };
  }

  private timelinePut(repId: string, entry: SubjectTimelineEntry): TransactItem {
    return { Put: { TableName: this.tableName, Item: timelineItem({ kind: 'rep', id: repId }, entry) } };
  }

  private async transact(items: TransactItem[], errorFor: (index: number) => Error, preferred: number[] = []) {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      if (!(err instanceof TransactionCanceledException) && (err as Error)?.name !== 'TransactionCanceledException') throw err;
      const reasons = (err as TransactionCanceledException).CancellationReasons ?? [];
      const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
      const index = preferred.find((i) => failed.includes(i)) ?? failed[0];
      if (index !== undefined) throw errorFor(index);
      if (reasons.some((r) => r.Code === 'TransactionConflict')) throw errorFor(0);
      throw err;
    }
  }
}

/** A rep list's cursor: a rep profile's key in this very status partition. */
const repCursor = (cursor: string, partition: string) =>
  decodeCursor(cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk'], (key) => key.gsi1pk === partition && key.sk === keys.rep('x').sk && key.pk === keys.rep(key.gsi1sk!).pk);
