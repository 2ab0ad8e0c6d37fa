/**
 * Every custom CloudWatch metric the app emits, as data: the handlers emit from it
 * (functions/shared/metrics.ts), the dashboard draws it (infra/constructs/monitoring.ts), and
 * `npm run cost` counts it. A custom metric is billed per name × dimension values, so each dimension
 * has a closed list of values (anything else is emitted as `other`): the count below is the most
 * the app can ever create.
 */
import { STAGES } from '../core/model.js';

export const METRICS_NAMESPACE = 'SalesFlow';
/** Powertools adds it to every metric as the `service` dimension (one value: it multiplies nothing). */
export const METRICS_SERVICE = 'sales-flow';

export type MetricUnitName = 'Count' | 'Milliseconds';

export interface MetricSpec {
  readonly unit: MetricUnitName;
  readonly description: string;
  /** One dimension at most, with every value it may take. */
  readonly dimension?: { readonly name: string; readonly values: readonly string[] };
}

/** Why the send chokepoint skipped an email (suppression reasons, consent, nothing left to say, too late). */
export const SKIP_REASONS = ['unsubscribed', 'bounced', 'complained', 'manual', 'erased', 'no-consent', 'nothing-due', 'stale', 'other'] as const;
/** Why it deferred one (never dropped: it goes when this allows). */
export const DEFERRAL_REASONS = ['frequency-cap', 'business-hours', 'daily-digest', 'other'] as const;
export const NPS_CATEGORIES = ['promoter', 'passive', 'detractor'] as const;

export const BUSINESS_METRICS = {
  LeadsCaptured: { unit: 'Count', description: 'New leads stored (a known email posted again is not counted)' },
  StageChanges: { unit: 'Count', description: 'Leads moved to a stage (by the stage reached)', dimension: { name: 'Stage', values: STAGES } },
  EmailsSent: { unit: 'Count', description: 'Emails handed to SES by the send chokepoint (every workflow, every recipient)' },
  EmailsSkipped: { unit: 'Count', description: 'Emails the chokepoint decided not to send, by reason', dimension: { name: 'Reason', values: SKIP_REASONS } },
  EmailsDeferred: { unit: 'Count', description: 'Emails put off until later, by reason', dimension: { name: 'Reason', values: DEFERRAL_REASONS } },
  SlaMisses: { unit: 'Count', description: 'Assigned reps who did not log contact within the SLA' },
  Certifications: { unit: 'Count', description: 'Reps certified (first certification and recertifications)' },
  NpsAnswers: { unit: 'Count', description: 'NPS answers recorded, by category (detractors 0–6)', dimension: { name: 'Category', values: NPS_CATEGORIES } },
  Cancellations: { unit: 'Count', description: 'Customers who cancelled their subscription (churn)' },
} as const satisfies Record<string, MetricSpec>;

export type BusinessMetric = keyof typeof BUSINESS_METRICS;

/**
 * StartRuns' own metrics (functions/tasks/start-runs.ts writes them in its log line, dimension Source:
 * the stream or the sweeper): how long runs waited to start, and how often Step Functions throttled.
 */
export const RUN_OUTBOX_METRICS = {
  RunsStarted: { unit: 'Count', description: 'Runs started by the run outbox', dimension: { name: 'Source', values: ['stream', 'sweep'] } },
  RunStartsThrottled: { unit: 'Count', description: 'StartExecution calls throttled (retried)', dimension: { name: 'Source', values: ['stream', 'sweep'] } },
  RunsLeftPending: { unit: 'Count', description: 'Runs left pending for the next attempt', dimension: { name: 'Source', values: ['stream', 'sweep'] } },
  RunStartWaitMax: { unit: 'Milliseconds', description: 'Longest wait of a run between its request and its start', dimension: { name: 'Source', values: ['stream', 'sweep'] } },
} as const satisfies Record<string, MetricSpec>;

/** Every custom metric (name × dimension value) the app can create: what CloudWatch bills at most. */
export function customMetricCount(catalogs: ReadonlyArray<Record<string, MetricSpec>> = [BUSINESS_METRICS, RUN_OUTBOX_METRICS]): number {
  return catalogs.flatMap((c) => Object.values(c)).reduce((n, spec) => n + (spec.dimension?.values.length ?? 1), 0);
}
