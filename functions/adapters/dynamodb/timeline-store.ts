/**
 * A timeline for any subject over the single table: entries live in the subject's own partition
 * (`LEAD#…`, `REP#…`, `CUSTOMER#…`) under `TL#<at>#<entryId>`, so they sort by time and go with the
 * subject when it is erased. The lead store writes the very same keys for lead timelines.
 */
import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SubjectKind, SubjectRef, SubjectTimelineEntry } from '../../core/model.js';
import type { TimelineStore } from '../../core/ports.js';
import { keys } from '../../table/keys.js';

type Item = Record<string, unknown>;

/** The attribute naming the subject on each entry (a lead timeline's entries carry `leadId`). */
export const SUBJECT_FIELD: Record<SubjectKind, string> = { lead: 'leadId', rep: 'repId', customer: 'customerId' };

export function timelineItem(subject: SubjectRef, entry: SubjectTimelineEntry): Item {
  return { ...keys.subjectTimelineEntry(subject.kind, subject.id, entry.at, entry.entryId), entity: 'timeline', [SUBJECT_FIELD[subject.kind]]: subject.id, ...entry };
}

export function fromTimelineItem(item: Item): SubjectTimelineEntry {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  return rest as unknown as SubjectTimelineEntry;
}

export class DynamoTimelineStore implements TimelineStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async append(subject: SubjectRef, entries: SubjectTimelineEntry[]) {
    for (let i = 0; i < entries.length; i += 25) {
      let requests: Item[] | undefined = entries.slice(i, i + 25).map((e) => ({ PutRequest: { Item: timelineItem(subject, e) } }));
      // BatchWrite may leave items unprocessed under throttling: retry them with a short backoff.
      for (let attempt = 0; requests?.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        if (attempt > 8) throw new Error(`timeline write left ${requests.length} item(s) unprocessed`);
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }));
        requests = out.UnprocessedItems?.[this.tableName] as Item[] | undefined;
      }
    }
  }

  async list(subject: SubjectRef) {
    const entries: SubjectTimelineEntry[] = [];
    let start: Item | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.subjectPartition(subject.kind, subject.id), ':prefix': keys.timelinePrefix },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) entries.push(fromTimelineItem(item));
      start = out.LastEvaluatedKey;
    } while (start);
    return entries;
  }
}
