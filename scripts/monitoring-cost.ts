/**
 * What monitoring costs a month, counted from the synthesized template and the metric catalog: alarms
 * (per metric they watch: a metric-math alarm is billed for each metric in it), dashboards, the custom
 * metrics the handlers emit (each name × dimension value is one), the alarm topic and its KMS key.
 * us-east-1 list prices; free tiers ignored like everywhere in `npm run cost` (docs/cost.md).
 */
import { customMetricCount } from '../functions/shared/metric-catalog.js';

/** us-east-1 list prices (USD), from the CloudWatch, KMS and SNS pricing pages on this date. */
export const MONITORING_PRICES_TAKEN = '2026-11-27';
export const MONITORING_PRICES = {
  alarmMetricMonth: 0.1, // CloudWatch standard-resolution alarm, per metric it evaluates, per month
  dashboardMonth: 3, // CloudWatch dashboard, per month (the first 3 of an account are free)
  customMetricMonth: 0.3, // CloudWatch custom metric, per month (first 10,000; prorated by the hour it has data)
  kmsKeyMonth: 1, // KMS customer managed key, per month (its requests: CloudWatch publishing an alarm, a few)
  snsTopicMonth: 0, // SNS: no charge for a topic; 1M publishes and 1,000 emails a month free, then $0.50/M and $2/100k
};

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> };

export interface MonitoringCost {
  alarms: number;
  /** Metrics the alarms evaluate (what they are billed by). */
  alarmMetrics: number;
  dashboards: number;
  customMetrics: number;
  keys: number;
  topics: number;
  /** USD a month. */
  total: number;
  /** One line per item: label, quantity, unit price, USD a month. */
  lines: Array<[string, number, number, number]>;
}

export function monitoringCost(template: Template): MonitoringCost {
  const resources = Object.values(template.Resources);
  const ofType = (type: string) => resources.filter((r) => r.Type === type);
  const alarms = ofType('AWS::CloudWatch::Alarm');
  const alarmMetrics = alarms.reduce((n, a) => n + (Array.isArray(a.Properties?.Metrics) ? a.Properties.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).length : 1), 0);
  const dashboards = ofType('AWS::CloudWatch::Dashboard').length;
  const customMetrics = customMetricCount();
  // Only the keys monitoring owns are a cost of monitoring: the alarm topic's.
  const topics = ofType('AWS::SNS::Topic');
  const keys = new Set(topics.map((t) => JSON.stringify(t.Properties?.KmsMasterKeyId ?? null)).filter((k) => k !== 'null')).size;
  const p = MONITORING_PRICES;
  const lines: MonitoringCost['lines'] = [
    [`CloudWatch alarms (${alarms.length}, evaluating ${alarmMetrics} metrics)`, alarmMetrics, p.alarmMetricMonth, alarmMetrics * p.alarmMetricMonth],
    ['CloudWatch dashboards', dashboards, p.dashboardMonth, dashboards * p.dashboardMonth],
    ['custom metrics (name × dimension value, at most)', customMetrics, p.customMetricMonth, customMetrics * p.customMetricMonth],
    ['alarm topic (SNS)', topics.length, p.snsTopicMonth, topics.length * p.snsTopicMonth],
    ['its KMS key', keys, p.kmsKeyMonth, keys * p.kmsKeyMonth],
  ];
  return { alarms: alarms.length, alarmMetrics, dashboards, customMetrics, keys, topics: topics.length, total: lines.reduce((s, l) => s + l[3], 0), lines };
}
