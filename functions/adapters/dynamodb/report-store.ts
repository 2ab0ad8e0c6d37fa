/**
 * The report aggregates over the single table (keys.reportAggregate and friends): counters are top-level
 * number attributes added with `ADD` (an absent one starts at 0), one item per aggregate.
 *
 * Exactly once per stream record: a projection's increments are written in the same transaction as what
 * makes a second application a no-op — the subject's report state, conditional on the state the
 * projection was computed from (a subject's records), or a marker item that must not exist yet (a timeline
 * entry's). A projection too large for one transaction (a long-lived lead seen for the first time) is
 * written in chunks, each with a marker of its own, the state in the last one: a redelivery skips the
 * chunks already written.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CertExpiry, Counts, Increment } from '../../core/reports/aggregates.js';
import type { CustomerProjection, CustomerShadow } from '../../core/reports/customer-projection.js';
import type { LeadProjection, LeadShadow, SplitArmState } from '../../core/reports/lead-projection.js';
import type { ApplyOutcome, ReportProjectionStore, ReportReader } from '../../core/reports/ports.js';
import type { RepProjection, RepShadow } from '../../core/reports/rep-projection.js';
import type { TimelineProjection } from '../../core/reports/timeline-projection.js';
import { negate } from '../../core/reports/timeline-projection.js';
import type { SubjectKind } from '../../core/model.js';
import { queryAllPages } from './query-pages.js';
import { keys } from '../../table/keys.js';
import type { TransactItem } from './unit-of-work.js';

type Item = Record<string, unknown>;

/** DynamoDB allows 100 items per transaction; one is kept for the chunk marker. */
const MAX_ITEMS = 99;
/** Markers outlive the stream's 24-hour retention (the TTL attribute is in wall-clock epoch seconds). */
const MARKER_TTL_SECONDS = 7 * 86_400;
const NOT_COUNTERS = new Set(['pk', 'sk', 'entity', 'expiresAt']);

function incrementItem(tableName: string, inc: Increment): TransactItem {
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const adds = Object.entries(inc.counts).map(([name, n], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = n;
    return `#c${i} :c${i}`;
  });
  return { Update: { TableName: tableName, Key: keys.reportAggregate(inc.at), UpdateExpression: `ADD ${adds.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
}

const countsOf = (item: Item | undefined): Counts =>
  Object.fromEntries(Object.entries(item ?? {}).filter(([k, v]) => !NOT_COUNTERS.has(k) && typeof v === 'number')) as Counts;

const isCancelled = (err: unknown): err is TransactionCanceledException =>
  err instanceof TransactionCanceledException || (err as Error)?.name === 'TransactionCanceledException';
const conditionFailedAt = (err: TransactionCanceledException, index: number) => err.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';

export class DynamoReportStore implements ReportProjectionStore, ReportReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Wall-clock now (marker expiry is DynamoDB's TTL, in real time). */
    private readonly wallNow: () => number = Date.now,
  ) {}

  // ---- projections ------------------------------------------------------------------------------

  async leadState(leadId: string) {
    const items = await this.queryAll({ pk: keys.reportStatePartition('lead', leadId) });
    const state = items.find((i) => i.sk === keys.reportState('lead', leadId).sk);
    const arms = items.filter((i) => String(i.sk).startsWith(keys.reportArmPrefix)).map((i) => i.arm as SplitArmState);
    return { ...(state ? { shadow: state.state as LeadShadow } : {}), arms };
  }

  applyLead(p: LeadProjection, expectedRev: string | undefined) {
    const extra: TransactItem[] = p.outcomes.map((arm) => ({ Put: { TableName: this.tableName, Item: { ...keys.reportArm(arm.leadId, arm.splitId), entity: 'reportArm', arm } } }));
    return this.applyState('lead', p.shadow.leadId, p.shadow, p.increments, expectedRev, extra);
  }

  async repState(repId: string) {
    return (await this.get(keys.reportState('rep', repId)))?.state as RepShadow | undefined;
  }

  applyRep(p: RepProjection, expectedRev: string | undefined) {
    const extra: TransactItem[] = [];
    if (p.certRemove) extra.push({ Delete: { TableName: this.tableName, Key: keys.reportCertExpiry(p.certRemove.expiresAt, p.certRemove.repId) } });
    if (p.certPut) extra.push({ Put: { TableName: this.tableName, Item: { ...keys.reportCertExpiry(p.certPut.expiresAt, p.certPut.repId), entity: 'reportCertExpiry', cert: p.certPut } } });
    return this.applyState('rep', p.shadow.repId, p.shadow, p.increments, expectedRev, extra);
  }

  async customerState(customerId: string) {
    return (await this.get(keys.reportState('customer', customerId)))?.state as CustomerShadow | undefined;
  }

  applyCustomer(p: CustomerProjection, expectedRev: string | undefined) {
    return this.applyState('customer', p.shadow.customerId, p.shadow, p.increments, expectedRev, []);
  }

  async applyEntry(recordId: string, p: TimelineProjection): Promise<'applied' | 'duplicate'> {
    const marker: TransactItem = {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.reportSeen(recordId), entity: 'reportSeen', counted: p.increments, expiresAt: this.expiry() },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const items: TransactItem[] = [marker, ...p.increments.map((i) => incrementItem(this.tableName, i))];
    if (p.arm) items.push({ Put: { TableName: this.tableName, Item: { ...keys.reportArm(p.arm.leadId, p.arm.splitId), entity: 'reportArm', arm: p.arm } } });
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'applied';
    } catch (err) {
      if (isCancelled(err) && conditionFailedAt(err, 0)) return 'duplicate';
      throw err;
    }
  }

  async revertEntry(recordId: string): Promise<'reverted' | 'none'> {
    const marker = await this.get(keys.reportSeen(recordId));
    if (!marker || marker.reverted) return 'none';
    const counted = (marker.counted ?? []) as Increment[];
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.reportSeen(recordId),
          UpdateExpression: 'SET reverted = :t',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(reverted)',
          ExpressionAttributeValues: { ':t': true },
        },
      },
      ...negate(counted).map((i) => incrementItem(this.tableName, i)),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'reverted';
    } catch (err) {
      if (isCancelled(err) && conditionFailedAt(err, 0)) return 'none';
      throw err;
    }
  }

  /** The subject's state (conditional on `expectedRev`) with the increments and extra items. */
  private async applyState(kind: SubjectKind, id: string, shadow: { rev: string }, increments: Increment[], expectedRev: string | undefined, extra: TransactItem[]): Promise<ApplyOutcome> {
    const state: TransactItem = {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.reportState(kind, id), entity: 'reportState', rev: shadow.rev, state: shadow },
        ...(expectedRev === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'rev = :expected', ExpressionAttributeValues: { ':expected': expectedRev } }),
      },
    };
    const rest = [...increments.map((i) => incrementItem(this.tableName, i)), ...extra];
    if (rest.length + 1 <= MAX_ITEMS + 1) return this.transact([state, ...rest], 0);

    // Too many for one transaction: chunks with markers of their own (the state's next revision names them).
    const chunks: TransactItem[][] = [];
    for (let i = 0; i < rest.length; i += MAX_ITEMS - 1) chunks.push(rest.slice(i, i + MAX_ITEMS - 1));
    for (const [n, chunk] of chunks.entries()) {
      const marker: TransactItem = {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.reportSeen(`${kind}#${id}@${shadow.rev}#${n}`), entity: 'reportSeen', expiresAt: this.expiry() },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
      const last = n === chunks.length - 1;
      const outcome = await this.transact(last ? [state, marker, ...chunk] : [marker, ...chunk], last ? 0 : -1, last ? 1 : 0);
      if (last) return outcome;
    }
    return 'applied';
  }

  /** One transaction; `stale` when the state (at stateIndex) failed its condition, a chunk marker failing = written before. */
  private async transact(items: TransactItem[], stateIndex: number, markerIndex = -1): Promise<ApplyOutcome> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'applied';
    } catch (err) {
      if (isCancelled(err)) {
        if (stateIndex >= 0 && conditionFailedAt(err, stateIndex)) return 'stale';
        if (markerIndex >= 0 && conditionFailedAt(err, markerIndex)) return 'applied';
      }
      throw err;
    }
  }

  private expiry() {
    return Math.floor(this.wallNow() / 1000) + MARKER_TTL_SECONDS;
  }

  // ---- reading ----------------------------------------------------------------------------------

  async funnelDays(dims: string, from: string, to: string) {
    const { pk } = keys.reportAggregate({ kind: 'funnel-day', dims, day: from });
    return (await this.queryAll({ pk, between: [`${keys.reportDayPrefix}${from}`, `${keys.reportDayPrefix}${to}`] })).map(countsOf);
  }

  async funnelNow(dims: string) {
    return countsOf(await this.get(keys.reportAggregate({ kind: 'funnel-now', dims })));
  }

  async cohorts(dims: string, fromWeek: string, toDay: string) {
    const { pk } = keys.reportAggregate({ kind: 'cohort', dims, week: fromWeek });
    const items = await this.queryAll({ pk, between: [`${keys.reportWeekPrefix}${fromWeek}`, `${keys.reportWeekPrefix}${toDay}`] });
    return items.map((i) => ({ week: String(i.sk).slice(keys.reportWeekPrefix.length), counts: countsOf(i) }));
  }

  async activityDays(from: string, to: string) {
    const { pk } = keys.reportAggregate({ kind: 'activity-day', day: from });
    return (await this.queryAll({ pk, between: [`${keys.reportDayPrefix}${from}`, `${keys.reportDayPrefix}${to}`] })).map(countsOf);
  }

  async totals(kind: 'onboarding' | 'open-modules' | 'retention') {
    return countsOf(await this.get(keys.reportAggregate({ kind })));
  }

  async npsMonths() {
    return this.monthly(keys.reportNpsPrefix);
  }

  async customerCohorts() {
    return this.monthly(keys.reportCohortPrefix);
  }

  async certsExpiring(from: string, to: string): Promise<CertExpiry[]> {
    const items = await this.queryAll({ pk: keys.reportCertExpiryPartition(), between: [from, `${to}#\uffff`] });
    return items.map((i) => i.cert as CertExpiry);
  }

  private async monthly(prefix: string) {
    const { pk } = keys.reportAggregate({ kind: 'retention' });
    const items = await this.queryAll({ pk, prefix });
    return items.map((i) => ({ month: String(i.sk).slice(prefix.length), counts: countsOf(i) }));
  }

  private async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    return (await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
  }

  private queryAll(q: { pk: string; between?: [string, string]; prefix?: string }): Promise<Item[]> {
    return queryAllPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: `pk = :pk${q.between ? ' AND sk BETWEEN :a AND :b' : q.prefix ? ' AND begins_with(sk, :p)' : ''}`,
      ExpressionAttributeValues: { ':pk': q.pk, ...(q.between ? { ':a': q.between[0], ':b': q.between[1] } : {}), ...(q.prefix ? { ':p': q.prefix } : {}) },
    }) as Promise<Item[]>;
  }
}
