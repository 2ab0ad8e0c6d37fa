/**
 * Business metrics, as CloudWatch embedded metric format (EMF) lines on stdout through Powertools
 * Metrics: on AWS the Lambda log group turns each line into data points of the `SalesFlow` namespace
 * (no PutMetricData call, no permission); locally the same lines go to the console.
 *
 * Handlers count outcomes the core returns or hands to a port, never inside the core:
 *   - every send decision of the chokepoint (`countSend`, given to core/send.ts as its `observe` port);
 *   - domain events as they are published (`countingPublisher`): stage changes, certifications, cancellations;
 *   - what a handler learns from a result (`countMetric`, `countNpsAnswer`).
 * Counts are buffered and written once per invocation (`publishMetrics`: `httpRoute` does it for
 * every route, `withMetrics` for tasks), one line per dimension value.
 *
 * They are log lines at INFO: a log level above it (LOG_LEVEL / POWERTOOLS_LOG_LEVEL WARN, ERROR,
 * SILENT — the tests' and the scripts' settings) keeps them out of the output, and
 * POWERTOOLS_METRICS_DISABLED=true turns them off whatever the level.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DomainEvent } from '../core/model.js';
import { npsCategory } from '../core/nps.js';
import type { EventPublisher } from '../core/ports.js';
import type { SendResult } from '../core/send.js';
import { logger } from './logger.js';
import { BUSINESS_METRICS, METRICS_NAMESPACE, METRICS_SERVICE, type BusinessMetric, type MetricSpec } from './metric-catalog.js';

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

interface Pending {
  name: BusinessMetric;
  dimension?: { name: string; value: string };
  value: number;
}
/**
 * Process-wide: on Lambda one invocation at a time uses it. Locally every handler shares the process,
 * so an invocation may write another's counts with its own: each count is still written once.
 */
const pending = new Map<string, Pending>();

const QUIET_LEVELS = new Set(['WARN', 'ERROR', 'CRITICAL', 'SILENT']);
/**
 * Above INFO by the logger or by the environment, read now: locally the logger may have been made before
 * the runtime set LOG_LEVEL (one process, modules loaded once); on Lambda the two agree. Powertools' order.
 */
const quiet = () => {
  const env = process.env.AWS_LAMBDA_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL;
  return QUIET_LEVELS.has(logger.getLevelName()) || QUIET_LEVELS.has(env?.toUpperCase() ?? 'INFO');
};

/** Adds `value` to a metric; a dimensioned metric takes one of its catalog's values (else `other`, if it has one). */
export function countMetric(name: BusinessMetric, dimensionValue?: string, value = 1): void {
  const spec: MetricSpec = BUSINESS_METRICS[name];
  let dimension: Pending['dimension'];
  if (spec.dimension) {
    const wanted = (dimensionValue ?? '').trim().toLowerCase().replace(/\s+/g, '-');
    const known = spec.dimension.values.includes(wanted) ? wanted : spec.dimension.values.includes('other') ? 'other' : undefined;
    // A value outside a closed list would be a new custom metric, billed: refused, and said.
    if (!known) return void logger.warn('Metric value outside its catalog: not counted', { metric: name, value: dimensionValue });
    dimension = { name: spec.dimension.name, value: known };
  }
  const key = `${name}|${dimension?.value ?? ''}`;
  const current = pending.get(key);
  if (current) current.value += value;
  else pending.set(key, { name, ...(dimension ? { dimension } : {}), value });
}

/** The send chokepoint's decision (core/send.ts `observe`). A duplicate is a retry of a send already counted. */
export function countSend(result: Pick<SendResult, 'outcome' | 'reason'>): void {
  if (result.outcome === 'sent') countMetric('EmailsSent');
  else if (result.outcome === 'skipped') countMetric('EmailsSkipped', result.reason);
  else if (result.outcome === 'deferred') countMetric('EmailsDeferred', result.reason);
}

/** The business facts among domain events (each is published once per change it follows from). */
export function countDomainEvents(events: readonly DomainEvent[]): void {
  for (const event of events) {
    if (event.type === 'LeadStageChanged') countMetric('StageChanges', String(event.detail.to));
    else if (event.type === 'RepCertified') countMetric('Certifications');
    else if (event.type === 'CustomerChurned') countMetric('Cancellations');
  }
}

/** An EventPublisher that counts what it published (after the publish: a refused batch is retried, not counted). */
export function countingPublisher(inner: EventPublisher): EventPublisher {
  return {
    async publish(events) {
      await inner.publish(events);
      countDomainEvents(events);
    },
  };
}

/** An NPS answer that was recorded (not a duplicate): by category, so detractors are one dimension value. */
export function countNpsAnswer(score: number): void {
  if (Number.isFinite(score)) countMetric('NpsAnswers', npsCategory(score));
}

/** Writes what was counted since the last call as EMF lines (one per dimension value), and forgets it. */
export function publishMetrics(): void {
  if (!pending.size) return;
  const counted = [...pending.values()];
  pending.clear();
  if (quiet()) return;
  const byDimension = new Map<string, Pending[]>();
  for (const p of counted) {
    const key = p.dimension ? `${p.dimension.name}=${p.dimension.value}` : '';
    byDimension.set(key, [...(byDimension.get(key) ?? []), p]);
  }
  for (const group of byDimension.values()) {
    const dimension = group[0]!.dimension;
    if (dimension) metrics.addDimension(dimension.name, dimension.value);
    for (const p of group) metrics.addMetric(p.name, BUSINESS_METRICS[p.name].unit, p.value);
    // Clears the metrics and the added dimension (the service dimension stays).
    metrics.publishStoredMetrics();
  }
}

/** A task handler that writes its metrics when it returns or throws. */
export function withMetrics<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } finally {
      publishMetrics();
    }
  };
}
