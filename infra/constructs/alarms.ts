/**
 * The alarms an operator needs first: funnel runs failing or timing out, Lambdas erroring, the API
 * answering 5xx. Actions (SNS, chat) are left to the deployer: where alerts go differs per team.
 */
import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface SalesAlarmsProps {
  readonly stateMachine: StateMachine;
  readonly functions: IFunction[];
  readonly api: IHttpApi;
}

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
    this.alarms.push(
      new Alarm(this, 'FunnelRunsFailed', {
        alarmDescription: 'LeadFunnel executions failed: a lead stopped being nurtured (see its timeline)',
        metric: props.stateMachine.metricFailed({ period }),
        ...atLeastOnce,
      }),
      new Alarm(this, 'FunnelRunsTimedOut', {
        alarmDescription: 'LeadFunnel executions timed out',
        metric: props.stateMachine.metricTimedOut({ period }),
        ...atLeastOnce,
      }),
      new Alarm(this, 'ApiServerErrors', {
        alarmDescription: 'The HTTP API answered 5xx',
        metric: props.api.metricServerError({ period }),
        ...atLeastOnce,
        threshold: 5,
      }),
    );
    props.functions.forEach((fn, i) => {
      const name = fn.node.scope?.node.id ?? `Function${i}`;
      this.alarms.push(
        new Alarm(this, `${name}Errors`, {
          alarmDescription: `${name} Lambda errors`,
          metric: fn.metricErrors({ period }),
          ...atLeastOnce,
        }),
      );
    });
  }
}
