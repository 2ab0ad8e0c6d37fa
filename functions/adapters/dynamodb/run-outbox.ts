/**
 * The run outbox over the table (core/run-outbox.ts): subjects are read through their own stores, the
 * pending ones are listed from the sparse gsi4 (keys.pendingRun), and `markStarted` takes one out of it
 * without touching its version — so it never makes a concurrent optimistic save fail. (A save that read
 * the subject before the mark puts the stale `startedRun` back; the subject is then pending again and
 * the next start attempt is answered "already exists", which marks it again: harmless.)
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SubjectKind, SubjectTimelineEntry, TimelineEntry, WorkflowName } from '../../core/model.js';
import type { RunOutboxStore, RunSubjects } from '../../core/run-outbox.js';
import { keys } from '../../table/keys.js';
import { DynamoCustomerStore } from './customer-store.js';
import { DynamoLeadStore } from './lead-store.js';
import { DynamoRepStore } from './rep-store.js';
import { DynamoTimelineStore } from './timeline-store.js';

const SUBJECT_OF: Record<WorkflowName, SubjectKind> = { LeadFunnel: 'lead', RepOnboarding: 'rep', CustomerRetention: 'customer' };
const KEY_OF: Record<SubjectKind, (id: string) => { pk: string; sk: string }> = { lead: keys.lead, rep: keys.rep, customer: keys.customer };
const subjectKey = (workflow: WorkflowName, id: string) => KEY_OF[SUBJECT_OF[workflow]](id);

export class DynamoRunOutbox implements RunOutboxStore {
  private readonly leads: DynamoLeadStore;
  private readonly reps: DynamoRepStore;
  private readonly customers: DynamoCustomerStore;
  private readonly timelines: DynamoTimelineStore;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.leads = new DynamoLeadStore(client, tableName);
    this.reps = new DynamoRepStore(client, tableName);
    this.customers = new DynamoCustomerStore(client, tableName);
    this.timelines = new DynamoTimelineStore(client, tableName);
  }

  async load<W extends WorkflowName>(workflow: W, subjectId: string): Promise<RunSubjects[W] | undefined> {
    const kind = SUBJECT_OF[workflow];
    const subject = kind === 'lead' ? await this.leads.get(subjectId) : kind === 'rep' ? await this.reps.get(subjectId) : await this.customers.get(subjectId);
    return subject as RunSubjects[W] | undefined;
  }

  pending(workflow: WorkflowName, before: string, limit: number) {
    return this.waiting(keys.pendingRunPartition(workflow), before, limit);
  }

  pendingIntakes(before: string, limit: number) {
    return this.waiting(keys.leadIntakePartition(), before, limit);
  }

  private async waiting(partition: string, before: string, limit: number) {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi4',
        KeyConditionExpression: 'gsi4pk = :p AND gsi4sk < :before',
        ExpressionAttributeValues: { ':p': partition, ':before': before },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => {
      const sortKey = String(item.gsi4sk);
      const at = sortKey.lastIndexOf('#');
      return { subjectId: sortKey.slice(at + 1), requestedAt: sortKey.slice(0, at) };
    });
  }

  async markStarted(workflow: WorkflowName, subjectId: string, run: number) {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: subjectKey(workflow, subjectId),
          UpdateExpression: 'SET startedRun = :run REMOVE gsi4pk, gsi4sk',
          // Only while the subject is still on that run (a newer run stays pending) and never backwards.
          ConditionExpression: 'attribute_exists(pk) AND #run = :run AND (attribute_not_exists(startedRun) OR startedRun < :run)',
          ExpressionAttributeNames: { '#run': 'run' },
          ExpressionAttributeValues: { ':run': run },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException') return;
      throw err;
    }
  }

  appendTimeline(workflow: WorkflowName, subjectId: string, entry: TimelineEntry | SubjectTimelineEntry) {
    return this.timelines.append({ kind: SUBJECT_OF[workflow], id: subjectId }, [entry as SubjectTimelineEntry]);
  }
}
