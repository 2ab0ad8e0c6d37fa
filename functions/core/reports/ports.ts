/**
 * What the report projections and readers need from storage (functions/adapters/dynamodb/report-store.ts).
 */
import type { CertExpiry, Counts } from './aggregates.js';
import type { CustomerProjection, CustomerShadow } from './customer-projection.js';
import type { LeadProjection, LeadShadow, SplitArmState } from './lead-projection.js';
import type { RepProjection, RepShadow } from './rep-projection.js';
import type { TimelineProjection } from './timeline-projection.js';

/**
 * Applying a projection is ONE transaction: the subject's report state (conditional on the state read,
 * `expectedRev`; none = not stored yet) and every increment. `stale` = the state changed since it was
 * read (read again and project again); nothing was written.
 */
export type ApplyOutcome = 'applied' | 'stale';

export interface ReportProjectionStore {
  leadState(leadId: string): Promise<{ shadow?: LeadShadow; arms: SplitArmState[] }>;
  applyLead(projection: LeadProjection, expectedRev: string | undefined): Promise<ApplyOutcome>;
  repState(repId: string): Promise<RepShadow | undefined>;
  applyRep(projection: RepProjection, expectedRev: string | undefined): Promise<ApplyOutcome>;
  customerState(customerId: string): Promise<CustomerShadow | undefined>;
  applyCustomer(projection: CustomerProjection, expectedRev: string | undefined): Promise<ApplyOutcome>;
  /**
   * A timeline entry's increments (and arm) with a marker of the entry (`recordId`), at most once:
   * `duplicate` when the marker is there already.
   */
  applyEntry(recordId: string, projection: TimelineProjection): Promise<'applied' | 'duplicate'>;
  /** Subtracts what the entry's marker says it added, once; `none` without a marker (or reverted already). */
  revertEntry(recordId: string): Promise<'reverted' | 'none'>;
}

/** Reading the aggregates (days are YYYY-MM-DD, both ends included). */
export interface ReportReader {
  funnelDays(dims: string, from: string, to: string): Promise<Counts[]>;
  funnelNow(dims: string): Promise<Counts>;
  /** Cohort weeks (Mondays) from `fromWeek` to `toDay`, oldest first. */
  cohorts(dims: string, fromWeek: string, toDay: string): Promise<Array<{ week: string; counts: Counts }>>;
  activityDays(from: string, to: string): Promise<Counts[]>;
  totals(kind: 'onboarding' | 'open-modules' | 'retention'): Promise<Counts>;
  npsMonths(): Promise<Array<{ month: string; counts: Counts }>>;
  customerCohorts(): Promise<Array<{ month: string; counts: Counts }>>;
  /** Certifications expiring between two instants (ISO), soonest first. */
  certsExpiring(from: string, to: string): Promise<CertExpiry[]>;
}
