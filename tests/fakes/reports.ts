/**
 * The report store in memory, with the DynamoDB adapter's semantics: a projection's state is conditional on
 * the revision it was computed from (else `stale`, nothing written), a timeline entry's marker makes its
 * second application a duplicate, and the increments of one application land all together or not at all.
 */
import { sumCounts, type Aggregate, type CertExpiry, type Counts, type Increment } from '../../functions/core/reports/aggregates.js';
import type { CustomerProjection, CustomerShadow } from '../../functions/core/reports/customer-projection.js';
import type { LeadProjection, LeadShadow, SplitArmState } from '../../functions/core/reports/lead-projection.js';
import type { ApplyOutcome, ReportProjectionStore, ReportReader } from '../../functions/core/reports/ports.js';
import type { RepProjection, RepShadow } from '../../functions/core/reports/rep-projection.js';
import { negate, type TimelineProjection } from '../../functions/core/reports/timeline-projection.js';

const clone = <T>(v: T): T => structuredClone(v);
const keyOf = (a: Aggregate) => JSON.stringify(a);

export class InMemoryReportStore implements ReportProjectionStore, ReportReader {
  readonly aggregates = new Map<string, { at: Aggregate; counts: Counts }>();
  readonly states = new Map<string, { rev: string; state: unknown }>();
  readonly arms = new Map<string, SplitArmState>();
  readonly markers = new Map<string, { counted: Increment[]; reverted?: boolean }>();
  readonly certs = new Map<string, CertExpiry>();
  /** Writes (applications) so far: a duplicate or stale one adds none. */
  writes = 0;
  /** State reads so far. */
  reads = 0;

  private add(increments: Increment[]) {
    for (const inc of increments) {
      const entry = this.aggregates.get(keyOf(inc.at)) ?? { at: inc.at, counts: {} };
      for (const [k, n] of Object.entries(inc.counts)) entry.counts[k] = (entry.counts[k] ?? 0) + n;
      this.aggregates.set(keyOf(inc.at), entry);
    }
  }

  private applyState(key: string, shadow: { rev: string }, expectedRev: string | undefined, increments: Increment[], also: () => void): ApplyOutcome {
    const stored = this.states.get(key);
    if (expectedRev === undefined ? stored : stored?.rev !== expectedRev) return 'stale';
    this.states.set(key, { rev: shadow.rev, state: clone(shadow) });
    this.add(increments);
    also();
    this.writes++;
    return 'applied';
  }

  async leadState(leadId: string) {
    this.reads++;
    const state = this.states.get(`lead#${leadId}`)?.state as LeadShadow | undefined;
    const arms = [...this.arms.values()].filter((a) => a.leadId === leadId).map(clone);
    return { ...(state ? { shadow: clone(state) } : {}), arms };
  }
  async applyLead(p: LeadProjection, expectedRev: string | undefined) {
    return this.applyState(`lead#${p.shadow.leadId}`, p.shadow, expectedRev, p.increments, () => p.outcomes.forEach((a) => this.arms.set(`${a.leadId}#${a.splitId}`, clone(a))));
  }
  async repState(repId: string) {
    this.reads++;
    return clone(this.states.get(`rep#${repId}`)?.state as RepShadow | undefined);
  }
  async applyRep(p: RepProjection, expectedRev: string | undefined) {
    return this.applyState(`rep#${p.shadow.repId}`, p.shadow, expectedRev, p.increments, () => {
      if (p.certRemove) this.certs.delete(`${p.certRemove.expiresAt}#${p.certRemove.repId}`);
      if (p.certPut) this.certs.set(`${p.certPut.expiresAt}#${p.certPut.repId}`, clone(p.certPut));
    });
  }
  async customerState(customerId: string) {
    this.reads++;
    return clone(this.states.get(`customer#${customerId}`)?.state as CustomerShadow | undefined);
  }
  async applyCustomer(p: CustomerProjection, expectedRev: string | undefined) {
    return this.applyState(`customer#${p.shadow.customerId}`, p.shadow, expectedRev, p.increments, () => {});
  }
  async applyEntry(recordId: string, p: TimelineProjection) {
    if (this.markers.has(recordId)) return 'duplicate' as const;
    this.markers.set(recordId, { counted: clone(p.increments) });
    this.add(p.increments);
    if (p.arm) this.arms.set(`${p.arm.leadId}#${p.arm.splitId}`, clone(p.arm));
    this.writes++;
    return 'applied' as const;
  }
  async revertEntry(recordId: string) {
    const marker = this.markers.get(recordId);
    if (!marker || marker.reverted) return 'none' as const;
    marker.reverted = true;
    this.add(negate(marker.counted));
    this.writes++;
    return 'reverted' as const;
  }

  // ---- reading ----
  private counts(a: Aggregate): Counts {
    return clone(this.aggregates.get(keyOf(a))?.counts ?? {});
  }
  private ranged(match: (a: Aggregate) => string | undefined, from: string, to: string) {
    return [...this.aggregates.values()]
      .map((e) => ({ k: match(e.at), counts: clone(e.counts) }))
      .filter((e): e is { k: string; counts: Counts } => e.k !== undefined && e.k >= from && e.k <= to)
      .sort((a, b) => a.k.localeCompare(b.k));
  }
  async funnelDays(dims: string, from: string, to: string) {
    return this.ranged((a) => (a.kind === 'funnel-day' && a.dims === dims ? a.day : undefined), from, to).map((e) => e.counts);
  }
  async funnelNow(dims: string) {
    return this.counts({ kind: 'funnel-now', dims });
  }
  async cohorts(dims: string, fromWeek: string, toDay: string) {
    return this.ranged((a) => (a.kind === 'cohort' && a.dims === dims ? a.week : undefined), fromWeek, toDay).map((e) => ({ week: e.k, counts: e.counts }));
  }
  async activityDays(from: string, to: string) {
    return this.ranged((a) => (a.kind === 'activity-day' ? a.day : undefined), from, to).map((e) => e.counts);
  }
  async totals(kind: 'onboarding' | 'open-modules' | 'retention') {
    return this.counts({ kind });
  }
  async npsMonths() {
    return this.ranged((a) => (a.kind === 'nps-month' ? a.month : undefined), '', '\uffff').map((e) => ({ month: e.k, counts: e.counts }));
  }
  async customerCohorts() {
    return this.ranged((a) => (a.kind === 'customer-cohort' ? a.month : undefined), '', '\uffff').map((e) => ({ month: e.k, counts: e.counts }));
  }
  async certsExpiring(from: string, to: string) {
    return [...this.certs.values()].filter((c) => c.expiresAt >= from && c.expiresAt <= to).sort((a, b) => a.expiresAt.localeCompare(b.expiresAt)).map(clone);
  }

  /** Every counter of one kind of aggregate, summed (tests compare totals). */
  total(kind: Aggregate['kind'], dims = '*'): Counts {
    return sumCounts([...this.aggregates.values()].filter((e) => e.at.kind === kind && (!('dims' in e.at) || e.at.dims === dims)).map((e) => e.counts));
  }
}
