/**
 * LeadStore over the single DynamoDB table. Every multi-item change is one TransactWriteItems with
 * conditions, so "lead + timeline + processed event + ledger claim + customer" is all or nothing,
 * and the cancellation reasons say which condition failed.
 */
import {
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  DuplicateEventError,
  DuplicateSendError,
  EmailTakenError,
  VersionConflictError,
} from '../../core/errors.js';
import type { Customer, DomainEvent, Lead, Stage, TimelineEntry } from '../../core/model.js';
import type { LeadStore, Page, SaveExtras } from '../../core/ports.js';
import { customerItem } from './customer-store.js';
import { processedEventPut } from './processed-events.js';
import { keys } from '../../table/keys.js';
import { decodeCursor, encodeCursor, type CursorKey } from './cursor.js';
import { DynamoSendLedger } from './send-ledger.js';
import { DynamoUnitOfWork, workFor, type TransactItem } from './unit-of-work.js';

type Item = Record<string, unknown>;

/** Processed-event markers only guard against retries; a year is far longer than any webhook retries. */
const KEY_ATTRIBUTES: readonly string[] = ['pk', 'sk', ...keys.leadIndexAttributes, 'entity', 'expiresAt'];

const strip = <T>(item: Item | undefined): T | undefined => {
  if (!item) return undefined;
  const out = { ...item };
  for (const k of KEY_ATTRIBUTES) delete out[k];
  return out as T;
};

const notExists = 'attribute_not_exists(pk)';

export class DynamoLeadStore implements LeadStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.ledger = new DynamoSendLedger(client, tableName, now);
  }

  private readonly ledger: DynamoSendLedger;

  async get(leadId: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.lead(leadId), ConsistentRead: true }));
    return strip<Lead>(Item);
  }

  async findByEmail(normalizedEmail: string) {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.leadEmail(normalizedEmail), ConsistentRead: true }),
    );
    return typeof Item?.leadId === 'string' ? this.get(Item.leadId) : undefined;
  }

  async create(lead: Lead, timeline: TimelineEntry[]) {
    const work = new DynamoUnitOfWork(this.client)
      .stage({ Put: { TableName: this.tableName, Item: this.leadItem(lead), ConditionExpression: notExists } }, new ConflictError(`lead ${lead.leadId} exists`))
      .stage(
        { Put: { TableName: this.tableName, Item: { ...keys.leadEmail(lead.email), entity: 'leadEmail', leadId: lead.leadId }, ConditionExpression: notExists } },
        new EmailTakenError(lead.email),
        // Concurrent first submissions of one email contend for its claim: a conflict means it is being taken.
        { preferred: true, contended: true },
      );
    for (const e of timeline) work.stage(this.timelinePut(e));
    await work.commit();
  }

  async save(lead: Lead, expectedVersion: number, timeline: TimelineEntry[], extras: SaveExtras = {}) {
    const saved: Lead = { ...lead, version: expectedVersion + 1 };
    const { work, own } = workFor(this.client, extras.work);
    work.stage(
      {
        Put: {
          TableName: this.tableName,
          Item: this.leadItem(saved),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        },
      },
      new VersionConflictError(lead.leadId),
    );
    for (const e of timeline) work.stage(this.timelinePut(e));
    if (extras.processedEventId) {
      work.stage(
        processedEventPut(this.tableName, extras.processedEventId, { leadId: lead.leadId }, this.now(), extras.domainEvents),
        new DuplicateEventError(extras.processedEventId),
        { preferred: true },
      );
    }
    if (extras.ledgerKey) {
      work.stage(
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.sendLedger(lead.leadId, extras.ledgerKey), entity: 'sendLedger', status: 'claimed', claimedAt: this.now().toISOString() },
            ConditionExpression: notExists,
          },
        },
        new DuplicateSendError(extras.ledgerKey),
        { preferred: true },
      );
    }
    if (extras.customer) {
      work.stage(
        { Put: { TableName: this.tableName, Item: customerItem({ ...extras.customer, version: 1 }), ConditionExpression: notExists } },
        new ConflictError(`customer ${extras.customer.customerId} exists`),
        { preferred: true },
      );
    }
    if (own) await work.commit();
    return saved;
  }

  async appendTimeline(entries: TimelineEntry[]) {
    for (let i = 0; i < entries.length; i += 25) {
      let requests: Item[] | undefined = entries.slice(i, i + 25).map((e) => ({ PutRequest: { Item: this.timelineItem(e) } }));
      // BatchWrite may leave items unprocessed under throttling: retry them with a short backoff.
      for (let attempt = 0; requests?.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        if (attempt > 8) throw new Error(`timeline write left ${requests.length} item(s) unprocessed`);
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }));
        requests = out.UnprocessedItems?.[this.tableName] as Item[] | undefined;
      }
    }
  }

  async timeline(leadId: string) {
    const entries: TimelineEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.lead(leadId).pk, ':prefix': keys.timelinePrefix },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) entries.push(strip<TimelineEntry>(item)!);
      start = out.LastEvaluatedKey;
    } while (start);
    return entries;
  }

  listByStage(stage: Stage, options: { limit: number; cursor?: string }) {
    return this.page('gsi1', 'gsi1pk', keys.stagePartition(stage), options);
  }

  listByOwner(repId: string | undefined, options: { limit: number; cursor?: string }) {
    return this.page('gsi2', 'gsi2pk', keys.ownerPartition(repId), options);
  }

  async isEventProcessed(eventId: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.processedEvent(eventId), ConsistentRead: true }));
    return Boolean(Item);
  }

  async unpublishedEventsOf(eventId: string): Promise<DomainEvent[]> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.processedEvent(eventId), ConsistentRead: true }));
    return (Item?.unpublished as DomainEvent[] | undefined) ?? [];
  }

  async markEventsPublished(eventId: string) {
    await this.client.send(
      new UpdateCommand({ TableName: this.tableName, Key: keys.processedEvent(eventId), UpdateExpression: 'REMOVE unpublished' }),
    );
  }

  markSent(leadId: string, ledgerKey: string, messageId: string) {
    return this.ledger.markSent('lead', leadId, ledgerKey, messageId);
  }

  releaseClaim(leadId: string, ledgerKey: string, timeline: TimelineEntry[], withdrawn: TimelineEntry[] = []) {
    const deletes = withdrawn.map((e): TransactItem => ({ Delete: { TableName: this.tableName, Key: keys.timelineEntry(e.leadId, e.at, e.entryId) } }));
    return this.ledger.releaseClaim('lead', leadId, ledgerKey, [...timeline.map((e) => this.timelinePut(e)), ...deletes]);
  }

  async getCustomer(customerId: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.customer(customerId), ConsistentRead: true }));
    return strip<Customer>(Item);
  }

  private leadItem(lead: Lead): Item {
    return { ...keys.lead(lead.leadId), ...keys.leadIndexes(lead), entity: 'lead', ...lead };
  }

  private timelineItem(entry: TimelineEntry): Item {
    return { ...keys.timelineEntry(entry.leadId, entry.at, entry.entryId), entity: 'timeline', ...entry };
  }

  private timelinePut(entry: TimelineEntry): TransactItem {
    return { Put: { TableName: this.tableName, Item: this.timelineItem(entry) } };
  }

  private async page(indexName: 'gsi1' | 'gsi2', partitionKey: string, partition: string, options: { limit: number; cursor?: string }): Promise<Page<Lead>> {
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: indexName,
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': partitionKey },
      ExpressionAttributeValues: { ':p': partition },
      Limit: options.limit,
      ExclusiveStartKey: options.cursor ? leadCursor(options.cursor, partitionKey, partition) : undefined,
    };
    const out = await this.client.send(new QueryCommand(input));
    const items = (out.Items ?? []).map((i) => strip<Lead>(i)!);
    return out.LastEvaluatedKey ? { items, cursor: encodeCursor(out.LastEvaluatedKey) } : { items };
  }
}

/** A lead list's cursor: a lead profile's key in this very index partition (its index sort key ends in its id). */
function leadCursor(cursor: string, partitionKey: string, partition: string): CursorKey {
  const sortKey = partitionKey.replace(/pk$/, 'sk');
  const leadPrefix = keys.lead('').pk;
  return decodeCursor(cursor, ['pk', 'sk', partitionKey, sortKey], (key) =>
    key[partitionKey] === partition && key.sk === keys.lead('x').sk && key.pk.startsWith(leadPrefix) && key[sortKey]!.endsWith(`#${key.pk.slice(leadPrefix.length)}`),
  );
}
