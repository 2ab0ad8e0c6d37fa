/**
 * Monitoring in the synthesized stack: the dashboard and what it draws, every alarm wired to the one
 * encrypted alarm topic, the email subscription only when `alarmEmail` is set, and cdk-nag clean with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { readDeploymentConfig } from '../../infra/config.js';
import { DASHBOARD_WIDGETS } from '../../infra/constructs/monitoring.js';
import { BUSINESS_METRICS, RUN_OUTBOX_METRICS } from '../../functions/shared/metric-catalog.js';
import { assemblyDir } from './support.js';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

function synth(name: string, context: Record<string, unknown> = {}) {
  const outdir = assemblyDir(name);
  const { app, stack } = buildApp({ bundling: false, outdir, context });
  // Throws if cdk-nag reports an unacknowledged finding.
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, Resource>; Outputs: Record<string, any> };
  const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  return { outdir, stackName: stack.stackName, ofType, outputs: template.Outputs };
}

const plain = synth('monitoring');
const withEmail = synth('monitoring-email', { alarmEmail: 'ops@acme.test' });

/** The dashboard body as text: CloudFormation joins it from strings and references. */
const dashboardBody = (ofType: typeof plain.ofType) => {
  const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard') as [[string, Resource]];
  return JSON.stringify(dashboard.Properties.DashboardBody);
};

describe('the monitoring dashboard', () => {
  it('is one dashboard named after the stack, with every graph', () => {
    const dashboards = plain.ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]![1].Properties.DashboardName).toBe(plain.stackName);
    const body = dashboardBody(plain.ofType);
    for (const title of Object.values(DASHBOARD_WIDGETS)) expect(body, title).toContain(JSON.stringify(title).slice(1, -1));
  });

  it('draws every business metric in the SalesFlow namespace, and the run-start wait', () => {
    const body = dashboardBody(plain.ofType);
    for (const name of [...Object.keys(BUSINESS_METRICS), ...Object.keys(RUN_OUTBOX_METRICS)]) {
      expect(body, name).toMatch(new RegExp(`\\\\"SalesFlow\\\\",\\\\"${name}\\\\"`));
    }
    expect(body).toContain('\\"Reason\\",\\"no-consent\\"');
    expect(body).toContain('\\"Stage\\",\\"purchase\\"');
  });

  it('draws the iterator age of every function fed by the table stream (the outboxes, and any consumer added since)', () => {
    const consumers = plain
      .ofType('AWS::Lambda::EventSourceMapping')
      .filter(([, m]) => m.Properties.StartingPosition)
      .map(([, m]) => m.Properties.FunctionName.Ref as string);
    expect(consumers).toEqual(expect.arrayContaining(['StartRuns', 'SendConfirmations']));
    const body = dashboardBody(plain.ofType);
    expect(body.match(/IteratorAge/g)).toHaveLength(consumers.length);
    for (const fn of consumers) expect(body).toContain(`"IteratorAge\\",\\"FunctionName\\",\\"",${JSON.stringify({ Ref: fn })}`);
  });
});

describe('the alarms', () => {
  const topics = plain.ofType('AWS::SNS::Topic');
  const topicId = topics[0]?.[0];

  it('all notify one alarm topic, on alarm and on recovery', () => {
    expect(topics).toHaveLength(1);
    const alarms = plain.ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(30);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions, id).toEqual([{ Ref: topicId }]);
    }
  });

  it('watch every workflow, the table, the API and each stream consumer', () => {
    const alarms = plain.ofType('AWS::CloudWatch::Alarm').map(([id]) => id);
    const machines = plain.ofType('AWS::StepFunctions::StateMachine').length;
    expect(alarms.filter((id) => /RunsFailed/.test(id))).toHaveLength(machines);
    expect(alarms.filter((id) => /RunsTimedOut/.test(id))).toHaveLength(machines);
    expect(alarms.some((id) => id.startsWith('AlarmsFunnelRunsFailed'))).toBe(true);
    expect(alarms.some((id) => id.startsWith('AlarmsTableThrottled'))).toBe(true);
    expect(alarms.some((id) => id.startsWith('AlarmsApiServerErrors'))).toBe(true);
    for (const fn of ['StartRuns', 'SendConfirmations']) expect(alarms.some((id) => id.startsWith(`Alarms${fn}StreamBehind`)), fn).toBe(true);
  });

  it('publish to a topic encrypted with a rotated key CloudWatch may use, over TLS only', () => {
    const [, topic] = topics[0]!;
    const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    const key = Object.fromEntries(plain.ofType('AWS::KMS::Key'))[keyId]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const cloudwatch = key.Properties.KeyPolicy.Statement.find((s: any) => s.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cloudwatch.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    const policies = plain.ofType('AWS::SNS::TopicPolicy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(policies).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('name the topic and the dashboard in the stack outputs', () => {
    expect(Object.keys(plain.outputs)).toEqual(expect.arrayContaining(['AlarmTopicArn', 'DashboardName']));
    expect(plain.outputs.AlarmTopicArn.Value).toEqual({ Ref: topicId });
  });

  it('have no subscriber unless alarmEmail is set, and then that address by email', () => {
    expect(plain.ofType('AWS::SNS::Subscription')).toEqual([]);
    const subscriptions = withEmail.ofType('AWS::SNS::Subscription').map(([, s]) => s.Properties);
    expect(subscriptions).toEqual([expect.objectContaining({ Protocol: 'email', Endpoint: 'ops@acme.test' })]);
  });

  it('leave cdk-nag with nothing to report, with the subscription too', () => {
    for (const outdir of [plain.outdir, withEmail.outdir]) {
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
      expect(report.pluginReports.flatMap((r: any) => r.violations ?? [])).toEqual([]);
    }
  });
});

describe('the alarmEmail setting', () => {
  const configFrom = (context: Record<string, unknown>) => readDeploymentConfig(new App({ context }).node);

  it('is optional, and read from the CLI as it is', () => {
    expect(configFrom({}).alarmEmail).toBeUndefined();
    expect(configFrom({ alarmEmail: 'ops@acme.test' }).alarmEmail).toBe('ops@acme.test');
  });

  it('refuses what is not an email address, naming it', () => {
    expect(() => configFrom({ alarmEmail: 'ops team' })).toThrow(/alarmEmail: must be an email address/);
  });
});
