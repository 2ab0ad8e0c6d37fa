/**
 * The exactly-once send ledger of any subject (lead, rep, customer): one item per (subject, ledger key)
 * in the subject's partition. The claim itself is written by the entity store in the same transaction
 * as the save that records the send; this store marks a claim sent, or gives back a claim whose email
 * the mail service refused or throttled — one implementation for every kind of subject.
 */
import { QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LedgerEntry, SubjectKind } from '../../core/model.js';
import { keys } from '../../table/keys.js';
import type { TransactItem } from './unit-of-work.js';

export class DynamoSendLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Marks a claimed ledger key as delivered, with the provider's message id. */
  async markSent(kind: SubjectKind, id: string, ledgerKey: string, messageId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.subjectSendLedger(kind, id, ledgerKey),
        UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :at, entity = :entity',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':messageId': messageId, ':at': this.now().toISOString(), ':entity': 'sendLedger' },
      }),
    );
  }

  /**
   * Deletes a claim that is still only claimed, with the timeline writes that go with it (entries saying
   * so put, the claim's own "sent" entry deleted), in one transaction; a no-op when it was marked sent
   * meanwhile (or is gone): nothing to give back.
   */
  async releaseClaim(kind: SubjectKind, id: string, ledgerKey: string, timelineWrites: TransactItem[]): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: keys.subjectSendLedger(kind, id, ledgerKey),
                ConditionExpression: '#status = :claimed',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':claimed': 'claimed' },
              },
            },
            ...timelineWrites,
          ],
        }),
      );
    } catch (err) {
      if ((err as Error)?.name !== 'TransactionCanceledException') throw err;
    }
  }
}

/** Every ledger entry of a subject, as stored (privacy export, GET of a rep or customer). */
export async function ledgerEntries(client: DynamoDBDocumentClient, tableName: string, kind: SubjectKind, id: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.subjectPartition(kind, id), ':prefix': keys.sendLedgerPrefix },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const i of out.Items ?? []) {
      entries.push({
        ledgerKey: String(i.sk).slice(keys.sendLedgerPrefix.length),
        status: String(i.status),
        ...(i.claimedAt ? { claimedAt: String(i.claimedAt) } : {}),
        ...(i.sentAt ? { sentAt: String(i.sentAt) } : {}),
        ...(i.messageId ? { messageId: String(i.messageId) } : {}),
      });
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return entries;
}
