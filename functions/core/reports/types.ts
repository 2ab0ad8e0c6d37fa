/**
 * The response bodies of the three report routes (GET /reports/funnel, /reports/onboarding,
 * /reports/retention). Plain types, no runtime code: the dashboard page and the simulator import them.
 *
 * Conventions for every report:
 * - Days are `YYYY-MM-DD` in UTC; instants are ISO 8601 strings (`2026-11-27T08:00:00.000Z`).
 * - Rates and shares are fractions 0..1 (not percent), rounded to 4 decimals; `null` when the
 *   denominator is 0 (nothing to divide), never NaN.
 * - Durations are medians/p90s read from log-scale histograms (functions/core/reports/histogram.ts), so
 *   they are accurate to the bucket (about ±10 %); `null` when there are no samples.
 * - `generatedAt` is when the report was read. The figures come from aggregates a DynamoDB Streams
 *   consumer keeps as things happen (docs/internals.md, "Reports"): they lag the writes by the stream's
 *   delivery (about a second on AWS, the local poll interval locally).
 */
import type { RepRole, RepStatus, Stage } from '../model.js';

/** A median and p90 with how many samples they were read from. */
export interface DurationSummary {
  medianHours: number | null;
  p90Hours: number | null;
  samples: number;
}

/** The day range a funnel report covers (both ends included, UTC days). */
export interface ReportRange {
  from: string;
  to: string;
  /** Days in the range, both ends counted (1..400). */
  days: number;
}

/* ───────────────────────────── funnel ───────────────────────────── */

/** The filters the funnel report was asked for (absent = all). */
export interface FunnelFilters {
  source?: string;
  utm_campaign?: string;
}

/**
 * One funnel stage. Flow counts (`entered`, `movedOn`, `recycled`, `dormant`, `lost`) count events in the
 * range, by the day they happened; `currentlyIn` is a gauge: leads in the stage now (open: active or
 * recycled), whatever the range.
 */
export interface FunnelStageRow {
  stage: Stage;
  /** Leads that entered the stage in the range (capture counts as entering the first stage; a re-entry counts again). */
  entered: number;
  /** Open leads in the stage now (status active or recycled). Not filtered by range. */
  currentlyIn: number;
  /** Leads that left the stage for a later one in the range (for purchase: won). */
  movedOn: number;
  /** Leads recycled (ran out of the stage's programme, into slow nurture) while in this stage, in the range. */
  recycled: number;
  /** Leads closed as dormant while in this stage, in the range. */
  dormant: number;
  /** Leads closed as lost or disqualified while in this stage, in the range. */
  lost: number;
  /** entered(this) / entered(previous stage); null for the first stage or when the previous entered 0. */
  conversionFromPrevious: number | null;
  /** entered(this) / entered(first stage); 1 for the first stage, null when nothing entered it. */
  cumulativeConversion: number | null;
  /**
   * Time in the stage, per completed stay that ended in the range (a lead that leaves and comes back
   * adds two samples; the lead itself keeps the cumulative total, see Lead.stageHistory).
   */
  timeInStage: DurationSummary;
}

/** Capture → won, for leads won in the range. */
export interface FunnelVelocity {
  won: number;
  medianDays: number | null;
  p90Days: number | null;
}

/** Leads captured and won in the range for one source or campaign. */
export interface FunnelBreakdownRow {
  /** The lead's `source` (or `utm_campaign` in byCampaign); `(none)` when it had none. */
  key: string;
  captured: number;
  won: number;
  /** won / captured, null when captured is 0 (both counted in the range, so a rough rate). */
  winRate: number | null;
}

/** One rep's handling of the leads assigned in the range. */
export interface FunnelRepRow {
  repId: string;
  /** The rep's display name, when the rep record still exists. */
  name?: string;
  /** Leads assigned to the rep in the range (a reassignment counts for the new rep). */
  assigned: number;
  /** Assignments contacted within the SLA / (contacted within SLA + SLA missed); null if neither happened. */
  slaMetPct: number | null;
  /** Median hours from assignment to the first rep_contacted, over contacts in the range; null if none. */
  medianHoursToFirstContact: number | null;
  /** Leads the rep owned that were won in the range. */
  won: number;
  /** won / (won + lost + disqualified + dormant) of the rep's leads closed in the range; null if none closed. */
  winRate: number | null;
}

/** One email template's sends in the range (lead emails of the funnel). */
export interface FunnelTemplateRow {
  template: string;
  sent: number;
  skipped: number;
  deferred: number;
  /** email_opened events that named this template (properties.template), in the range. */
  opened: number;
  /** email_clicked events that named this template (properties.template), in the range. */
  clicked: number;
}

/**
 * One arm of an A/B split (step = the split's id). The outcome is the one every funnel split is
 * measured on: a lead of the arm reaching the next stage (or won) after the arm was chosen.
 */
export interface FunnelSplitRow {
  step: string;
  arm: string;
  /** Leads put in this arm in the range. */
  leads: number;
  /** Emails sent to leads of the arm inside the split (template sends whose step belongs to it). */
  sent: number;
  outcome: {
    measure: 'reached_next_stage';
    /** Leads of the arm (chosen in the range) that moved to a later stage afterwards. */
    count: number;
    /** count / leads; null when leads is 0. */
    rate: number | null;
  };
}

/**
 * Leads captured in one ISO week (the Monday, UTC), and the share of them that reached each stage
 * within N weeks of capture: `reached[stage][n]` for n = 0 .. weeks-1 (cumulative, non-decreasing).
 */
export interface FunnelCohortRow {
  /** The Monday (YYYY-MM-DD) starting the capture week. */
  week: string;
  captured: number;
  /** Weeks since capture reported for this cohort (up to now, at most 12). */
  weeks: number;
  reached: Record<Stage | 'won', number[]>;
}

export interface FunnelReport {
  generatedAt: string;
  range: ReportRange;
  filters: FunnelFilters;
  /** Leads captured in the range (with the filters). */
  captured: number;
  stages: FunnelStageRow[];
  velocity: FunnelVelocity;
  bySource: FunnelBreakdownRow[];
  byCampaign: FunnelBreakdownRow[];
  /**
   * By rep; not narrowed by source/campaign filters (a rep's SLA is about all their leads), and the
   * template, split and cohort sections likewise cover every lead in the range.
   */
  reps: FunnelRepRow[];
  templates: FunnelTemplateRow[];
  splits: FunnelSplitRow[];
  /** Capture weeks from the one holding `from` to the one holding `to`, oldest first (with the filters). */
  cohorts: FunnelCohortRow[];
}

/* ─────────────────────────── onboarding ─────────────────────────── */

export interface OnboardingRoleRow {
  /** The rep's role, or `unknown` for a rep registered without one. */
  role: RepRole | 'unknown';
  /** Reps certified (first certification) so far. */
  certified: number;
  /** Days from the rep's start (startDate, else createdAt) to the first certification. */
  medianDaysToCertification: number | null;
  p90DaysToCertification: number | null;
}

export interface OnboardingModuleRow {
  moduleId: string;
  /** Quiz attempts recorded (pass or fail). */
  attempts: number;
  passed: number;
  /** passed / attempts; null when no attempt. */
  passRate: number | null;
  /** Reps whose first attempt at the module passed / reps with a first attempt. */
  firstAttempts: number;
  firstAttemptPassRate: number | null;
  /** Open modules past their due date now, on reps still onboarding or recertifying. */
  overdueNow: number;
}

/** A certification that expires soon (next 60 days). */
export interface ExpiringCertification {
  repId: string;
  name?: string;
  expiresAt: string;
  /** Whole days from now until it expires. */
  daysLeft: number;
}

export interface OnboardingReport {
  generatedAt: string;
  /** Reps by status now. */
  reps: Record<RepStatus, number> & { total: number };
  byRole: OnboardingRoleRow[];
  /** Total modules overdue now (the sum of modules[].overdueNow). */
  modulesOverdueNow: number;
  modules: OnboardingModuleRow[];
  /** Days from a rep's start to their first lead and first won deal. */
  ramp: {
    toFirstLead: { medianDays: number | null; p90Days: number | null; samples: number };
    toFirstWon: { medianDays: number | null; p90Days: number | null; samples: number };
  };
  /** Certifications expiring within 60 days from now, soonest first. */
  expiringCertifications: ExpiringCertification[];
}

/* ─────────────────────────── retention ──────────────────────────── */

export interface NpsMonthRow {
  /** YYYY-MM. */
  month: string;
  nps: number;
  responses: number;
}

export interface AtRiskCustomer {
  customerId: string;
  company?: string;
  ownerId?: string;
  healthScore: number;
  /** Why (the health model's reasons). */
  reasons: string[];
  since: string;
  renewalDate?: string;
}

export interface RenewalDue {
  customerId: string;
  company?: string;
  ownerId?: string;
  renewalDate: string;
  daysLeft: number;
  healthBand: 'healthy' | 'watch' | 'at-risk' | 'unscored';
}

/** Customers whose first term started in one month, and what became of them. */
export interface RetentionCohortRow {
  /** YYYY-MM of the first term's start. */
  month: string;
  started: number;
  /** Still active now. */
  active: number;
  /** Cancelled (churned) so far. */
  churned: number;
  /** active / started. */
  grossRetention: number | null;
  /** churned / started. */
  churnRate: number | null;
}

export interface RetentionReport {
  generatedAt: string;
  nps: {
    /** % promoters − % detractors over every answer recorded (−100..100); null with no answers. */
    score: number | null;
    responses: number;
    promoters: number;
    passives: number;
    detractors: number;
    /** By month of the answer, oldest first (last 12 months with answers). */
    trend: NpsMonthRow[];
  };
  /** Active customers by health band now. */
  health: { healthy: number; watch: number; 'at-risk': number; unscored: number };
  atRisk: AtRiskCustomer[];
  /** Active customers whose renewal date is within the next 90 days, soonest first. */
  renewalsDue: RenewalDue[];
  customers: { active: number; cancelled: number; total: number };
  cohorts: RetentionCohortRow[];
  referrals: {
    /** Leads captured with source `referral` (a customer's link). */
    leads: number;
    /** Of those, won. */
    converted: number;
    conversionRate: number | null;
  };
}
