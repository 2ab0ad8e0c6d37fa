/**
 * PrivacyStore over the single table: what GDPR export and erasure read and remove (the lead's partition
 * and the customer's, `CUSTOMER#<id>`, with its profile, timeline and ledger), the suppression
 * records of erased addresses, and the sparse closed-lead index (gsi3) the retention job pages through.
 * Every key comes from table/keys.ts.
 */
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, VersionConflictError } from '../../core/errors.js';
import type { Customer, DomainEvent, ErasureReason, ErasureTombstone, Lead, LedgerEntry, Rep, SubjectTimelineEntry, TimelineEntry } from '../../core/model.js';
import { customerIdFor, normalizeEmail } from '../../core/normalize.js';
import type { LeadErasure, LeadRecords, Page, PrivacyStore } from '../../core/ports.js';
import { queryAllPages } from './query-pages.js';
import { keys } from '../../table/keys.js';
import { DynamoTimelineStore } from './timeline-store.js';
import { decodeCursor, encodeCursor } from './cursor.js';

type Item = Record<string, unknown>;

const STORAGE_ATTRIBUTES = ['pk', 'sk', 'entity', 'expiresAt', ...keys.leadIndexAttributes];
const strip = <T>(item: Item): T => {
  const out = { ...item };
  for (const k of STORAGE_ATTRIBUTES) delete out[k];
  return out as T;
};

const isLedger = (item: Item) => String(item.sk).startsWith(keys.sendLedgerPrefix);

/** The timeline and the send ledger among a subject partition's items (a lead's or a customer's). */
function split<E>(items: Item[]): { timeline: E[]; ledger: LedgerEntry[] } {
  const timeline = items.filter((i) => String(i.sk).startsWith(keys.timelinePrefix)).map((i) => strip<E>(i));
  const ledger = items.filter(isLedger).map((i) => ({ ledgerKey: String(i.sk).slice(keys.sendLedgerPrefix.length), ...strip<Omit<LedgerEntry, 'ledgerKey'>>(i) }));
  return { timeline, ledger };
}

/** Every status a rep item can be indexed under (keys.repIndexes); the roster is small. */
const REP_STATUSES = ['active', 'onboarding', 'inactive', 'lapsed'] as const;
const ERASED_REP_NAME = '(erased)';

export class DynamoPrivacyStore implements PrivacyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.timelines = new DynamoTimelineStore(client, tableName);
  }

  private readonly timelines: DynamoTimelineStore;

  async records(leadId: string): Promise<LeadRecords | undefined> {
    const items = await this.partition(keys.lead(leadId).pk);
    const profileSk = keys.lead(leadId).sk;
    const profile = items.find((i) => i.sk === profileSk);
    if (!profile) return undefined;
    const lead = strip<Lead>(profile);
    const { timeline, ledger } = split<TimelineEntry>(items);
    // The customer's partition holds its profile (copies of the person's data), its timeline and its ledger.
    const customerId = lead.customerId ?? customerIdFor(leadId);
    const customerItems = await this.partition(keys.subjectPartition('customer', customerId));
    const customerProfile = customerItems.find((i) => i.sk === keys.customer(customerId).sk);
    const customer = customerProfile ? strip<Customer>(customerProfile) : undefined;
    const { timeline: customerTimeline, ledger: customerLedger } = split<SubjectTimelineEntry>(customerItems);
    const eventIds = [...new Set(timeline.map((e) => e.data?.eventId).filter((id): id is string => typeof id === 'string'))];
    const pendingEvents: LeadRecords['pendingEvents'] = [];
    for (const eventId of eventIds) {
      const marker = await this.getRaw(keys.processedEvent(eventId));
      const events = marker?.unpublished as DomainEvent[] | undefined;
      if (events?.length) pendingEvents.push({ eventId, events });
    }
    return { lead, timeline, ledger, ...(customer ? { customer } : {}), customerTimeline, customerLedger, pendingEvents };
  }

  async leadIdByEmail(normalizedEmail: string) {
    const item = await this.getRaw(keys.leadEmail(normalizedEmail));
    return typeof item?.leadId === 'string' ? item.leadId : undefined;
  }

  tombstone(leadId: string) {
    return this.get<ErasureTombstone>(keys.erasureTombstone(leadId));
  }

  async repsByEmail(normalizedEmail: string): Promise<Rep[]> {
    const reps: Rep[] = [];
    for (const status of REP_STATUSES) {
      let start: Item | undefined;
      do {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p',
            ExpressionAttributeValues: { ':p': keys.repStatusPartition(status) },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) {
          // Rep emails are stored as given; the comparison is on the normalized form.
          if (typeof item.email === 'string' && normalizeEmail(item.email) === normalizedEmail) reps.push(strip<Rep>(item));
        }
        start = out.LastEvaluatedKey;
      } while (start);
    }
    return reps;
  }

  repTimeline(repId: string) {
    return this.timelines.list({ kind: 'rep', id: repId });
  }

  /**
   * The rep's profile keeps only what is not personal (id, status, progress, certification); its email
   * index, its timeline and its send ledger (summaries and subjects name the person) are deleted.
   */
  async anonymizeRep(repId: string) {
    const profile = await this.getRaw(keys.rep(repId));
    const inactive = keys.repIndexes({ repId, status: 'inactive', createdAt: '' });
    await this.ignoreMissing(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.rep(repId),
        UpdateExpression: 'SET #name = :name, #status = :inactive, gsi1pk = :gsi1pk REMOVE email, firstName, lastName, managerEmail, gsi4pk, gsi4sk',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#name': 'name', '#status': 'status' },
        ExpressionAttributeValues: { ':name': ERASED_REP_NAME, ':inactive': 'inactive', ':gsi1pk': inactive.gsi1pk },
      }),
    );
    const doomed: Item[] = typeof profile?.email === 'string' ? [keys.repEmail(normalizeEmail(profile.email))] : [];
    let start: Item | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.subjectPartition('rep', repId) },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      doomed.push(...(out.Items ?? []).filter((i) => i.sk !== keys.rep(repId).sk));
      start = out.LastEvaluatedKey;
    } while (start);
    for (const key of doomed) await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: key.pk, sk: key.sk } }));
  }

  async dropPendingEvents(eventId: string) {
    await this.ignoreMissing(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.processedEvent(eventId),
        UpdateExpression: 'REMOVE unpublished',
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }

  async eraseLead({ lead, tombstone, customerId }: LeadErasure) {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: keys.lead(lead.leadId),
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': lead.version },
              },
            },
            {
              Delete: {
                TableName: this.tableName,
                Key: keys.leadEmail(lead.email),
                ConditionExpression: 'attribute_not_exists(pk) OR leadId = :leadId',
                ExpressionAttributeValues: { ':leadId': lead.leadId },
              },
            },
            ...(customerId ? [{ Delete: { TableName: this.tableName, Key: keys.customer(customerId) } }] : []),
            { Put: { TableName: this.tableName, Item: { ...keys.erasureTombstone(lead.leadId), entity: 'erasure', ...tombstone } } },
          ],
        }),
      );
    } catch (err) {
      if ((err as Error)?.name !== 'TransactionCanceledException') throw err;
      const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new VersionConflictError(lead.leadId);
      if (reasons[1]?.Code === 'ConditionalCheckFailed') throw new ConflictError(`the email index of lead ${lead.leadId} names another lead`);
      throw err;
    }
  }

  async sweepPartition(leadId: string) {
    const tombstoneSk = keys.erasureTombstone(leadId).sk;
    const doomed = (await this.partition(keys.lead(leadId).pk, 'pk, sk')).filter((i) => i.sk !== tombstoneSk);
    await this.deleteAll(doomed, `lead ${leadId}`);
    const ledger = doomed.filter(isLedger).length;
    // Anything else in the partition (timeline entries a stopped task wrote late) counts with the timeline.
    return { timeline: doomed.length - ledger, ledger };
  }

  async sweepCustomerPartition(customerId: string) {
    const doomed = await this.partition(keys.subjectPartition('customer', customerId), 'pk, sk');
    await this.deleteAll(doomed, `customer ${customerId}`);
    const customer = doomed.filter((i) => i.sk === keys.customer(customerId).sk).length;
    const customerLedger = doomed.filter(isLedger).length;
    // As with the lead: anything that is neither profile nor ledger counts with the timeline.
    return { customer, customerTimeline: doomed.length - customer - customerLedger, customerLedger };
  }

  async recordSuppression(hash: string, at: string, reason: ErasureReason) {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.suppression(hash), entity: 'suppression', hash, at, reason },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error)?.name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  async isSuppressedHash(hash: string) {
    return Boolean(await this.getRaw(keys.suppression(hash)));
  }

  async closedBefore(before: string, options: { limit: number; cursor?: string }): Promise<Page<{ leadId: string; updatedAt: string }>> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :p AND gsi3sk < :before',
        ExpressionAttributeValues: { ':p': keys.closedPartition(), ':before': before },
        ProjectionExpression: 'leadId, updatedAt',
        Limit: options.limit,
        ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor, ['pk', 'sk', 'gsi3pk', 'gsi3sk'], (key) => key.gsi3pk === keys.closedPartition()) : undefined,
      }),
    );
    const items = (out.Items ?? []).map((i) => ({ leadId: String(i.leadId), updatedAt: String(i.updatedAt) }));
    return out.LastEvaluatedKey ? { items, cursor: encodeCursor(out.LastEvaluatedKey) } : { items };
  }

  /** Every item of a partition (a lead's: profile, timeline, ledger, tombstone), strongly consistent. */
  private partition(pk: string, projection?: string): Promise<Item[]> {
    return queryAllPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ...(projection ? { ProjectionExpression: projection } : {}),
    });
  }

  /** Deletes these keys in batches of 25, retrying what DynamoDB leaves unprocessed. */
  private async deleteAll(doomed: Item[], what: string) {
    for (let i = 0; i < doomed.length; i += 25) {
      let requests: Item[] | undefined = doomed.slice(i, i + 25).map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } }));
      for (let attempt = 0; requests?.length; attempt++) {
        if (attempt > 8) throw new Error(`erasure left ${requests.length} item(s) of ${what} undeleted`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }));
        requests = out.UnprocessedItems?.[this.tableName] as Item[] | undefined;
      }
    }
  }

  private async getRaw(key: Item): Promise<Item | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  private async get<T>(key: Item): Promise<T | undefined> {
    const item = await this.getRaw(key);
    return item ? strip<T>(item) : undefined;
  }

  /** Conditional updates of items that may have gone meanwhile: gone is as good as done. */
  private async ignoreMissing(command: UpdateCommand) {
    try {
      await this.client.send(command);
    } catch (err) {
      if ((err as Error)?.name !== 'ConditionalCheckFailedException') throw err;
    }
  }
}

