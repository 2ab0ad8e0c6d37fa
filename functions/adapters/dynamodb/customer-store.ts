/**
 * CustomerStore over the single table: one profile item per customer (keys.customer), indexed by health
 * band (gsi1) and, while active, by renewal date (gsi2), on the run outbox's gsi4 while its retention
 * run waits to start; its timeline and send ledger in its own partition (`CUSTOMER#<id>`). Every
 * multi-item change is one unit of work.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, DuplicateEventError, DuplicateSendError, VersionConflictError } from '../../core/errors.js';
import type { Customer, SubjectTimelineEntry } from '../../core/model.js';
import type { CustomerQuery, CustomerStore, Page, UnitOfWork } from '../../core/ports.js';
import { keys } from '../../table/keys.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { processedEventPut } from './processed-events.js';
import { DynamoSendLedger, ledgerEntries } from './send-ledger.js';
import { DynamoTimelineStore, timelineItem } from './timeline-store.js';
import { DynamoUnitOfWork, workFor, type TransactItem } from './unit-of-work.js';

type Item = Record<string, unknown>;
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi4pk', 'gsi4sk', 'entity'] as const;

/** The stored item of a customer: the profile with its keys and indexes (the lead store writes new customers with it too). */
export function customerItem(customer: Customer): Item {
  return { ...customer, ...keys.customer(customer.customerId), ...keys.customerIndexes(customer), entity: 'customer' };
}

function toCustomer(item: Item): Customer {
  const customer = { ...item };
  for (const k of KEY_ATTRIBUTES) delete customer[k];
  return customer as unknown as Customer;
}

export class DynamoCustomerStore implements CustomerStore {
  private readonly timelines: DynamoTimelineStore;
  private readonly sendLedger: DynamoSendLedger;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.timelines = new DynamoTimelineStore(client, tableName);
    this.sendLedger = new DynamoSendLedger(client, tableName, now);
  }

  async get(customerId: string): Promise<Customer | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.customer(customerId), ConsistentRead: true }));
    return Item ? toCustomer(Item) : undefined;
  }

  async save(customer: Customer, expectedVersion: number, timeline: SubjectTimelineEntry[], extras: { ledgerKey?: string; processedEventId?: string; work?: UnitOfWork } = {}): Promise<Customer> {
    const saved: Customer = { ...customer, version: expectedVersion < 0 ? 1 : expectedVersion + 1 };
    const { work, own } = workFor(this.client, extras.work);
    const condition =
      expectedVersion < 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            // A customer written before retention has no version: it counts as 0.
            ConditionExpression: expectedVersion === 0 ? 'attribute_exists(pk) AND (attribute_not_exists(#version) OR #version = :expected)' : '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          };
    work.stage(
      { Put: { TableName: this.tableName, Item: customerItem(saved), ...condition } },
      expectedVersion < 0 ? new ConflictError(`customer ${customer.customerId} exists`) : new VersionConflictError(customer.customerId),
    );
    for (const e of timeline) work.stage(this.timelinePut(customer.customerId, e));
    if (extras.processedEventId) {
      work.stage(processedEventPut(this.tableName, extras.processedEventId, { customerId: customer.customerId }, this.now()), new DuplicateEventError(extras.processedEventId), { preferred: true });
    }
    if (extras.ledgerKey) {
      work.stage(
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.subjectSendLedger('customer', customer.customerId, extras.ledgerKey), entity: 'sendLedger', status: 'claimed', claimedAt: this.now().toISOString() },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        new DuplicateSendError(extras.ledgerKey),
        { preferred: true },
      );
    }
    if (own) await work.commit();
    return saved;
  }

  appendTimeline(customerId: string, entries: SubjectTimelineEntry[]) {
    return this.timelines.append({ kind: 'customer', id: customerId }, entries);
  }

  timeline(customerId: string) {
    return this.timelines.list({ kind: 'customer', id: customerId });
  }

  markSent(customerId: string, ledgerKey: string, messageId: string) {
    return this.sendLedger.markSent('customer', customerId, ledgerKey, messageId);
  }

  releaseClaim(customerId: string, ledgerKey: string, timeline: SubjectTimelineEntry[], withdrawn: SubjectTimelineEntry[] = []) {
    const deletes = withdrawn.map((e): TransactItem => ({ Delete: { TableName: this.tableName, Key: keys.subjectTimelineEntry('customer', customerId, e.at, e.entryId) } }));
    return this.sendLedger.releaseClaim('customer', customerId, ledgerKey, [...timeline.map((e) => this.timelinePut(customerId, e)), ...deletes]);
  }

  ledger(customerId: string) {
    return ledgerEntries(this.client, this.tableName, 'customer', customerId);
  }

  /** By health band (gsi1) or by renewal date (gsi2, soonest first); a band with a date filters the renewals by band. */
  async list(query: CustomerQuery): Promise<Page<Customer>> {
    const byRenewal = query.renewingBefore !== undefined;
    const index = byRenewal ? 'gsi2' : 'gsi1';
    const partition = byRenewal ? keys.renewalsPartition() : keys.customerHealthPartition(query.health ?? 'healthy');
    const names = byRenewal ? ['pk', 'sk', 'gsi2pk', 'gsi2sk'] : ['pk', 'sk', 'gsi1pk', 'gsi1sk'];
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: byRenewal ? 'gsi2pk = :p AND gsi2sk < :before' : 'gsi1pk = :p',
        ExpressionAttributeValues: {
          ':p': partition,
          ...(byRenewal ? { ':before': query.renewingBefore } : {}),
          ...(byRenewal && query.health ? { ':band': query.health } : {}),
        },
        ...(byRenewal && query.health ? { FilterExpression: 'health.band = :band' } : {}),
        Limit: query.limit,
        ExclusiveStartKey: query.cursor
          ? decodeCursor(
              query.cursor,
              names,
              // A position outside the range asked for would fail the query (DynamoDB refuses it): not a cursor of this list.
              (key) => key[names[2]!] === partition && key.sk === 'PROFILE' && key.pk.startsWith('CUSTOMER#') && (!byRenewal || String(key.gsi2sk) < query.renewingBefore!),
            )
          : undefined,
      }),
    );
    const items = (out.Items ?? []).map(toCustomer);
    return out.LastEvaluatedKey ? { items, cursor: encodeCursor(out.LastEvaluatedKey) } : { items };
  }

  begin(): UnitOfWork {
    return new DynamoUnitOfWork(this.client);
  }

  private timelinePut(customerId: string, entry: SubjectTimelineEntry): TransactItem {
    return { Put: { TableName: this.tableName, Item: timelineItem({ kind: 'customer', id: customerId }, entry) } };
  }
}
