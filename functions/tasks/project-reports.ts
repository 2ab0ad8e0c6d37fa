/**
 * ProjectReports — keeps the report aggregates current from the table's stream (an event source mapping
 * filtered to lead, rep and customer profiles and to the lead timeline entries that count): each record
 * becomes counter increments, applied exactly once (core/reports/project.ts, adapters/dynamodb/report-store.ts).
 * Records are applied in stream order; one that fails is answered as a batch item failure, so the stream
 * retries from it (and the ones after it, which the report state or the markers make harmless).
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoReportStore } from '../adapters/dynamodb/report-store.js';
import type { Customer, Lead, Rep } from '../core/model.js';
import { batchCached, projectCustomerRecord, projectLeadRecord, projectRepRecord, projectTimelineRecord, type RecordOutcome } from '../core/reports/project.js';
import type { ReportProjectionStore } from '../core/reports/ports.js';
import type { TimelineFact } from '../core/reports/timeline-projection.js';
import { documentClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { leadStore } from '../shared/lead-store.js';
import { logger } from '../shared/logger.js';
import { keys } from '../table/keys.js';

const config = loadConfig('table');
const tableStore = new DynamoReportStore(documentClient(), config.tableName);
const leads = leadStore(config);

export interface StreamRecord {
  eventName?: string;
  dynamodb?: { SequenceNumber?: string; Keys?: Record<string, any>; NewImage?: Record<string, any> };
}

const PROFILE = 'PROFILE';

/**
 * An attribute value with no type in it (`{}`) cannot be decoded; DynamoDB Local's stream writes an empty map
 * that way. Such values are dropped before decoding (nothing the projections read is an empty map).
 */
function typed(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  if (entries.length === 1 && (entries[0]![0] === 'M' || entries[0]![0] === 'L')) {
    const [type, inner] = entries[0]!;
    if (type === 'L') return { L: (inner as unknown[]).map(typed).filter((v) => v !== undefined) };
    return { M: typedMap(inner as Record<string, unknown>) };
  }
  return value;
}
const typedMap = (image: Record<string, unknown>) => Object.fromEntries(Object.entries(image).map(([k, v]) => [k, typed(v)]).filter(([, v]) => v !== undefined));
const subjectId = (pk: string, prefix: string) => (pk.startsWith(prefix) ? pk.slice(prefix.length) : undefined);

/** What one record is to the reports; undefined for anything they do not count. */
export async function applyRecord(record: StreamRecord, store: ReportProjectionStore = tableStore): Promise<RecordOutcome | undefined> {
  const pk = String(record.dynamodb?.Keys?.pk?.S ?? '');
  const sk = String(record.dynamodb?.Keys?.sk?.S ?? '');
  const removed = record.eventName === 'REMOVE';
  // Decoded only for the records that count (the stream also carries the aggregates' own writes).
  const image = () => (!removed && record.dynamodb?.NewImage ? unmarshall(typedMap(record.dynamodb.NewImage) as never) : undefined);
  const leadId = subjectId(pk, keys.subjectPartition('lead', ''));
  if (leadId && sk === PROFILE) return projectLeadRecord(store, leadId, image() as Lead | undefined);
  if (leadId && sk.startsWith(keys.timelinePrefix))
    return projectTimelineRecord(store, `${pk}|${sk}`, image() as TimelineFact | undefined, async () => !!(await leads.get(leadId)));
  const repId = subjectId(pk, keys.subjectPartition('rep', ''));
  if (repId && sk === PROFILE) return projectRepRecord(store, repId, image() as Rep | undefined);
  const customerId = subjectId(pk, keys.subjectPartition('customer', ''));
  if (customerId && sk === PROFILE) return projectCustomerRecord(store, customerId, image() as Customer | undefined);
  return undefined;
}

export const handler = async (event: { Records?: StreamRecord[] }, context?: Context) => {
  if (context) logger.addContext(context);
  const outcomes: Record<string, number> = {};
  const store = batchCached(tableStore);
  for (const record of event.Records ?? []) {
    try {
      const outcome = await applyRecord(record, store);
      if (outcome) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    } catch (err) {
      logger.error('Could not project a record into the reports (retried from this record)', { keys: record.dynamodb?.Keys, error: err as Error });
      logger.debug('report projection', { outcomes });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  logger.debug('report projection', { outcomes });
  return { batchItemFailures: [] };
};
