/**
 * The alarms an operator needs first: workflow runs failing or timing out, Lambdas erroring, the API
 * answering 5xx, the table throttling for a while, a stream consumer (an outbox) falling behind. Where
 * they notify is SalesMonitoring's (infra/constructs/monitoring.ts): one SNS topic for all of them.
 */
import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, MathExpression, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface SalesAlarmsProps {
  /** Every workflow's state machine, by workflow name; LeadFunnel's alarms keep their first ids (Funnel…). */
  readonly stateMachines: Record<string, IStateMachine>;
  /** Every function, by logical name. */
  readonly functions: Record<string, IFunction>;
  readonly api: IHttpApi;
  readonly table: ITable;
  /** Functions fed by the table's stream (the outboxes), by logical name. */
  readonly streamConsumers: Record<string, IFunction>;
}

/** A stream consumer this far behind (its oldest record's age) is stuck, not busy: a 13,000-lead burst drains in about a minute. */
export const STREAM_BEHIND_MS = 5 * 60_000;
/** Throttled table requests in each of two 5-minute periods: the SDK's retries no longer absorb it. */
export const TABLE_THROTTLES = 100;

export class SalesAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: SalesAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const atLeastOnce = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };
    for (const [workflow, machine] of Object.entries(props.stateMachines)) {
      const prefix = workflow === 'LeadFunnel' ? 'Funnel' : workflow;
      this.alarms.push(
        new Alarm(this, `${prefix}RunsFailed`, {
          alarmDescription: `${workflow} executions failed: a subject stopped being served (see its timeline)`,
          metric: machine.metricFailed({ period }),
          ...atLeastOnce,
        }),
        new Alarm(this, `${prefix}RunsTimedOut`, {
          alarmDescription: `${workflow} executions timed out`,
          metric: machine.metricTimedOut({ period }),
          ...atLeastOnce,
        }),
      );
    }
    this.alarms.push(
      new Alarm(this, 'ApiServerErrors', {
        alarmDescription: 'The HTTP API answered 5xx',
        metric: props.api.metricServerError({ period }),
        ...atLeastOnce,
        threshold: 5,
      }),
      new Alarm(this, 'TableThrottled', {
        alarmDescription: `The table throttled at least ${TABLE_THROTTLES} requests in each of two 5-minute periods`,
        metric: new MathExpression({
          expression: 'reads + writes',
          label: 'Throttle events',
          period,
          usingMetrics: {
            reads: props.table.metric('ReadThrottleEvents', { statistic: Stats.SUM, period }),
            writes: props.table.metric('WriteThrottleEvents', { statistic: Stats.SUM, period }),
          },
        }),
        ...atLeastOnce,
        threshold: TABLE_THROTTLES,
        evaluationPeriods: 2,
      }),
    );
    for (const [name, fn] of Object.entries(props.streamConsumers)) {
      this.alarms.push(
        new Alarm(this, `${name}StreamBehind`, {
          alarmDescription: `${name} is more than ${STREAM_BEHIND_MS / 60_000} minutes behind the table stream for ten minutes (its outbox is not draining)`,
          metric: fn.metric('IteratorAge', { statistic: Stats.MAXIMUM, period }),
          ...atLeastOnce,
          threshold: STREAM_BEHIND_MS,
          evaluationPeriods: 2,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        }),
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarms.push(
        new Alarm(this, `${name}Errors`, {
          alarmDescription: `${name} Lambda errors`,
          metric: fn.metricErrors({ period }),
          ...atLeastOnce,
        }),
      );
    }
  }
}
