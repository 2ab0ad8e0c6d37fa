/**
 * Where an operator looks and where alarms go: one CloudWatch dashboard with the business metrics the
 * handlers emit (functions/shared/metric-catalog.ts, embedded metric format) and the operational ones
 * AWS records anyway (Lambda errors and throttles, failed and timed-out runs per workflow, table
 * throttles, the stream consumers' iterator age, the API's 4xx/5xx), and one SNS topic every alarm of
 * SalesAlarms notifies, with an email subscription when `alarmEmail` is set.
 *
 * The topic is encrypted with a key of its own: CloudWatch cannot publish to a topic under the
 * AWS-managed SNS key, so this key's policy lets the CloudWatch service use it. No DLQ exists in the
 * stack (the outboxes retry from the stream and the sweeper), so there is no queue depth to draw.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
  type Alarm,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnEventSourceMapping, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  BUSINESS_METRICS,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  RUN_OUTBOX_METRICS,
  type BusinessMetric,
  type MetricSpec,
} from '../../functions/shared/metric-catalog.js';

export interface SalesMonitoringProps {
  /** Every alarm of the stack: each gets the topic as its alarm and OK action. */
  readonly alarms: readonly Alarm[];
  readonly stateMachines: Record<string, IStateMachine>;
  readonly functions: Record<string, IFunction>;
  readonly api: IHttpApi;
  readonly table: ITable;
  readonly streamConsumers: Record<string, IFunction>;
  /** Subscribed to the alarm topic by email when given (deployment setting `alarmEmail`). */
  readonly alarmEmail?: string;
}

/** The dashboard's graphs, by title (tests and the README name them). */
export const DASHBOARD_WIDGETS = {
  leads: 'Leads captured and stage changes',
  emails: 'Emails: sent, skipped, deferred',
  skipped: 'Emails skipped, by reason',
  deferred: 'Emails deferred, by reason',
  team: 'Sales team: SLA misses and certifications',
  customers: 'Customers: NPS answers and cancellations',
  runWait: 'Run starts: longest wait (ms)',
  runStarts: 'Run starts: started, throttled, left pending',
  runs: 'Workflow runs failed or timed out',
  lambdas: 'Lambda errors and throttles (all functions)',
  table: 'DynamoDB throttle events',
  streams: 'Stream consumers: iterator age (max, ms)',
  api: 'HTTP API 4xx and 5xx',
  alarms: 'Alarms',
} as const;

const PERIOD = Duration.minutes(5);

export class SalesMonitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: SalesMonitoringProps) {
    super(scope, id);

    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Sales Flow: encrypts the alarm topic (CloudWatch may use it to publish)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'Sales Flow alarms', masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    // At the stack's level, named plainly: where a deployer subscribes chat or paging.
    new CfnOutput(Stack.of(this), 'AlarmTopicArn', { value: this.topic.topicArn, description: 'SNS topic every alarm notifies (subscribe email, chat or paging to it)' });
    new CfnOutput(Stack.of(this), 'DashboardName', { value: Stack.of(this).stackName, description: 'CloudWatch dashboard: business metrics, errors, throttles, alarms' });
    const action = new SnsAction(this.topic);
    for (const alarm of props.alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: Stack.of(this).stackName,
      defaultInterval: Duration.days(7),
    });
    const graph = (title: keyof typeof DASHBOARD_WIDGETS, left: IMetric[], options: { stacked?: boolean; width?: number; right?: IMetric[] } = {}) =>
      new GraphWidget({ title: DASHBOARD_WIDGETS[title], left, right: options.right, stacked: options.stacked, width: options.width ?? 12, height: 6 });

    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `## Business\nCounts per 5 minutes from the handlers (namespace \`${METRICS_NAMESPACE}\`, embedded metric format; see the README's Monitoring section).`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('leads', [business('LeadsCaptured'), ...byValue('StageChanges')]),
      graph('emails', [business('EmailsSent'), total('EmailsSkipped'), total('EmailsDeferred')]),
    );
    this.dashboard.addWidgets(graph('skipped', byValue('EmailsSkipped'), { stacked: true }), graph('deferred', byValue('EmailsDeferred'), { stacked: true }));
    this.dashboard.addWidgets(
      graph('team', [business('SlaMisses'), business('Certifications')]),
      graph('customers', byValue('NpsAnswers'), { right: [business('Cancellations')] }),
    );
    this.dashboard.addWidgets(
      graph('runWait', runOutbox('RunStartWaitMax', Stats.MAXIMUM)),
      graph('runStarts', [...runOutbox('RunsStarted'), ...runOutbox('RunStartsThrottled'), ...runOutbox('RunsLeftPending')]),
    );

    this.dashboard.addWidgets(new TextWidget({ markdown: '## Operations\nRecorded by AWS for every resource of the stack; the alarms below notify the alarm topic.', width: 24, height: 2 }));
    const functions = Object.entries(props.functions);
    this.dashboard.addWidgets(
      graph(
        'runs',
        Object.entries(props.stateMachines).flatMap(([name, machine]) => [
          machine.metricFailed({ period: PERIOD, label: `${name} failed` }),
          machine.metricTimedOut({ period: PERIOD, label: `${name} timed out` }),
        ]),
      ),
      graph('lambdas', [sumOf('Errors', functions.map(([, fn]) => fn.metricErrors({ period: PERIOD }))), sumOf('Throttles', functions.map(([, fn]) => fn.metricThrottles({ period: PERIOD })))]),
    );
    this.dashboard.addWidgets(
      graph('table', [
        props.table.metric('ReadThrottleEvents', { statistic: Stats.SUM, period: PERIOD, label: 'Read throttle events' }),
        props.table.metric('WriteThrottleEvents', { statistic: Stats.SUM, period: PERIOD, label: 'Write throttle events' }),
      ]),
      graph('streams', Object.entries(props.streamConsumers).map(([name, fn]) => fn.metric('IteratorAge', { statistic: Stats.MAXIMUM, period: PERIOD, label: name }))),
    );
    this.dashboard.addWidgets(
      graph('api', [props.api.metricClientError({ period: PERIOD, label: '4xx' }), props.api.metricServerError({ period: PERIOD, label: '5xx' })], { width: 8 }),
      new AlarmStatusWidget({ title: DASHBOARD_WIDGETS.alarms, alarms: [...props.alarms], width: 16, height: 6 }),
    );
  }
}

/**
 * The functions fed by a stream (the table's: the outboxes, and any consumer added later), found from
 * the stack's event source mappings (a stream mapping has a starting position; a queue's has none).
 * Call it once every event source is added.
 */
export function streamConsumersOf(scope: Construct, functions: Record<string, IFunction>): Record<string, IFunction> {
  const mappings = Stack.of(scope)
    .node.findAll()
    .filter((c): c is CfnEventSourceMapping => c instanceof CfnEventSourceMapping && c.startingPosition !== undefined);
  return Object.fromEntries(Object.entries(functions).filter(([, fn]) => mappings.some((m) => m.functionName === fn.functionName)));
}

/** A business metric as the handlers emit it: Powertools adds the `service` dimension. */
function business(name: BusinessMetric, dimension?: { name: string; value: string }): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE, ...(dimension ? { [dimension.name]: dimension.value } : {}) },
    statistic: Stats.SUM,
    period: PERIOD,
    label: dimension ? `${name} ${dimension.value}` : name,
  });
}

/** One line per value of the metric's dimension. */
function byValue(name: BusinessMetric): Metric[] {
  const spec: MetricSpec = BUSINESS_METRICS[name];
  return (spec.dimension?.values ?? []).map((value) => business(name, { name: spec.dimension!.name, value }));
}

/** A dimensioned metric summed over its values. */
function total(name: BusinessMetric): MathExpression {
  return sumOf(name, byValue(name));
}

function sumOf(label: string, metrics: IMetric[]): MathExpression {
  // Ids are per graph: each sum names its own (a lowercase letter first).
  const prefix = label.toLowerCase().replace(/[^a-z0-9]/g, '');
  const usingMetrics = Object.fromEntries(metrics.map((m, i) => [`${prefix}_${i}`, m]));
  return new MathExpression({ expression: `SUM([${Object.keys(usingMetrics).join(',')}])`, usingMetrics, label, period: PERIOD });
}

/** StartRuns' metrics (its own EMF line, dimension Source only). */
function runOutbox(name: keyof typeof RUN_OUTBOX_METRICS, statistic: string = Stats.SUM): Metric[] {
  return RUN_OUTBOX_METRICS[name].dimension.values.map(
    (source) => new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { Source: source }, statistic, period: PERIOD, label: `${name} ${source}` }),
  );
}
