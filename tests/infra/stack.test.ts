import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../infra/build-app.js';
import { FUNCTION_SPECS } from '../../infra/functions.js';
import { REPO_ROOT } from '../../infra/constructs/sales-function.js';
import { stateMachineDefinition } from '../../infra/template-definitions.js';
import { END_MARKER, START_MARKER, funnelDiagram, withDiagram } from '../../scripts/funnel-diagram.js';
import { assemblyDir } from './support.js';

const formOrigins = ['https://forms.acme.test', 'https://www.acme.test'];
const outdir = assemblyDir('stack');
const { app, stack } = buildApp({ bundling: false, outdir, context: { formOrigins, throttle: '20/40' } });
// Throws if cdk-nag reports an unacknowledged finding.
const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, any>; Outputs: Record<string, any> };

const resources = Object.entries(template.Resources);
const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
const functions = Object.fromEntries(ofType('AWS::Lambda::Function'));
const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
const integrations = Object.fromEntries(ofType('AWS::ApiGatewayV2::Integration'));

/** Every IAM statement attached to a function's role. */
function statementsOf(fnLogicalId: string): any[] {
  const roleId = functions[fnLogicalId].Properties.Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}
const grants = (fnLogicalId: string, action: string) =>
  statementsOf(fnLogicalId).some((s) => [s.Action].flat().includes(action));
const functionsGranted = (action: string, resourceRef?: string) =>
  Object.keys(functions)
    .filter((id) => statementsOf(id).some((s) => [s.Action].flat().includes(action) && (!resourceRef || JSON.stringify(s.Resource).includes(resourceRef))))
    .sort();
const withEnv = (name: string) => Object.keys(functions).filter((id) => name in functions[id].Properties.Environment.Variables).sort();

describe('the Sales Flow stack', () => {
  it('has one table with the shared definition: pk/sk, gsi1–gsi4, a new-image stream, on-demand, PITR, TTL, encrypted, retained', () => {
    const [[id, table]] = ofType('AWS::DynamoDB::Table');
    expect(id).toBe('Table');
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
    expect(table.Properties.GlobalSecondaryIndexes.map((g: any) => [g.IndexName, g.KeySchema.map((k: any) => k.AttributeName)])).toEqual([
      ['gsi1', ['gsi1pk', 'gsi1sk']],
      ['gsi2', ['gsi2pk', 'gsi2sk']],
      ['gsi3', ['gsi3pk', 'gsi3sk']],
      ['gsi4', ['gsi4pk', 'gsi4sk']],
    ]);
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(true);
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.Properties.SSESpecification.SSEEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('makes every Lambda the same way: nodejs22.x on arm64, traced, own log group, entry metadata', () => {
    expect(Object.keys(functions).sort()).toEqual(Object.keys(FUNCTION_SPECS).sort());
    for (const [id, fn] of Object.entries<any>(functions)) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties.LoggingConfig.LogGroup.Ref, id).toMatch(new RegExp(`^${id}Logs`));
      expect(fn.Metadata, id).toMatchObject({ 'SalesFlow:Entry': FUNCTION_SPECS[id as keyof typeof FUNCTION_SPECS].entry, 'SalesFlow:Handler': 'handler' });
    }
    expect(functions.CaptureLead.Metadata['SalesFlow:Entry']).toBe('functions/http/capture-lead.ts');
    expect(functions.SendEmail.Metadata['SalesFlow:Entry']).toBe('functions/tasks/send-email.ts');
  });

  it('gives the state machine ARN only to the functions that start or stop runs', () => {
    // The rep routes and OnboardingStep hand a leaving or lapsed rep's leads back to the funnel.
    expect(withEnv('FUNNEL_STATE_MACHINE_ARN')).toEqual([
      'CaptureLead', 'CreateCustomer', 'CreateRep', 'EraseClosedLeads', 'EraseLead', 'IngestEvent', 'OnboardingStep', 'PrivacyErasure', 'RecordCompletion', 'ResetModule', 'SetRepStatus', 'SignOffRep', 'StartRuns',
    ]);
    // OnboardingStep is invoked by RepOnboarding itself: it gets the ARN from the run, not the environment (a cycle).
    // The erasers stop an erased rep's onboarding run.
    expect(withEnv('REP_ONBOARDING_STATE_MACHINE_ARN')).toEqual([
      'CreateRep', 'EraseClosedLeads', 'EraseLead', 'PrivacyErasure', 'RecordCompletion', 'ResetModule', 'SetRepStatus', 'SignOffRep', 'StartRuns',
    ]);
    expect(functions.CaptureLead.Properties.Environment.Variables.FUNNEL_STATE_MACHINE_ARN).toEqual({ Ref: 'LeadFunnel' });
  });

  it('gives a variable the same value in every function that has it', () => {
    const values = new Map<string, string>();
    for (const [id, fn] of Object.entries<any>(functions)) {
      for (const [name, value] of Object.entries(fn.Properties.Environment.Variables)) {
        const seen = values.get(name);
        if (seen !== undefined) expect(JSON.stringify(value), `${name} in ${id}`).toBe(seen);
        values.set(name, JSON.stringify(value));
      }
    }
    expect(JSON.parse(values.get('FORM_ORIGINS')!)).toBe(formOrigins.join(','));
  });

  it('grants the table by need: readers read, writers write, the authorizer nothing', () => {
    expect(grants('GetLead', 'dynamodb:Query')).toBe(true);
    expect(grants('GetLead', 'dynamodb:PutItem')).toBe(false);
    expect(grants('CheckRepContact', 'dynamodb:PutItem')).toBe(false);
    expect(grants('SendEmail', 'dynamodb:PutItem')).toBe(true);
    expect(statementsOf('Authorizer').some((s) => JSON.stringify(s).includes('dynamodb'))).toBe(false);
  });

  it('lets only the functions that need them read the secrets, publish events, send email and control runs', () => {
    // Capture reads the API key to tell integrations from browsers, and signs double opt-in links.
    expect(functionsGranted('secretsmanager:GetSecretValue', 'ApiKeySecret')).toEqual(['Authorizer', 'CaptureLead']);
    expect(functionsGranted('secretsmanager:GetSecretValue', 'SigningKeySecret')).toEqual(['CaptureLead', 'ConfirmConsent', 'CreateCustomer', 'EraseClosedLeads', 'EraseLead', 'IngestEvent', 'NpsLink', 'PrivacyErasure', 'RetentionStep', 'SendConfirmations', 'SendEmail', 'StartRuns', 'Unsubscribe']);
    expect(functionsGranted('events:PutEvents')).toEqual(withEnv('EVENT_BUS_NAME'));
    // Capture sends nothing itself: the confirmation outbox (SendConfirmations) mails the double opt-in link.
    expect(functionsGranted('ses:SendEmail')).toEqual(['AssignRep', 'CreateRep', 'OnboardingStep', 'RecordCompletion', 'ResetModule', 'RetentionStep', 'SendConfirmations', 'SendEmail', 'SetRepStatus', 'SignOffRep']);
    const ses = statementsOf('SendEmail').find((s) => [s.Action].flat().includes('ses:SendEmail'));
    expect(JSON.stringify(ses.Resource)).toContain('configuration-set/');
    expect(JSON.stringify(ses.Resource)).toContain('identity/sales@example.com');
    const repChangers = ['CreateRep', 'OnboardingStep', 'RecordCompletion', 'ResetModule', 'SetRepStatus', 'SignOffRep'];
    // The run outbox: StartRuns is the only caller of StartExecution, on both machines; everyone else queues.
    expect(functionsGranted('states:StartExecution')).toEqual(['StartRuns']);
    expect(functionsGranted('states:StartExecution', 'LeadFunnel')).toEqual(['StartRuns']);
    expect(functionsGranted('states:StartExecution', 'RepOnboarding')).toEqual(['StartRuns']);
    expect(functionsGranted('states:StartExecution', 'CustomerRetention')).toEqual(['StartRuns']);
    // A customer event that starts the next run stops the old one, and erasure stops an erased customer's run.
    expect(functionsGranted('states:StopExecution', 'CustomerRetention')).toEqual(['CreateCustomer', 'CustomerFeedback', 'EraseClosedLeads', 'EraseLead', 'IngestEvent', 'NpsLink', 'PrivacyErasure']);
    expect(functionsGranted('states:StopExecution')).toEqual(['CreateCustomer', 'CustomerFeedback', 'EraseClosedLeads', 'EraseLead', 'IngestEvent', 'NpsLink', 'PrivacyErasure', ...repChangers].sort());
    // POST /customers wins a known lead, which ends its funnel run, as a purchase on POST /events does.
    for (const winner of ['CreateCustomer', 'IngestEvent']) expect(functionsGranted('states:StopExecution', 'LeadFunnel')).toContain(winner);
    // Erasing a rep stops their onboarding run too: the erasers may stop (never start) RepOnboarding runs.
    for (const eraser of ['EraseClosedLeads', 'EraseLead', 'PrivacyErasure']) expect(functionsGranted('states:StopExecution', 'RepOnboarding')).toContain(eraser);
  });

  it('runs StartRuns every minute (the run outbox sweeper) and EraseClosedLeads once a day from EventBridge rules', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules.map((r) => [r.ScheduleExpression, r.Targets.map((t: any) => t.Arn['Fn::GetAtt'][0])])).toEqual([
      ['rate(1 minute)', ['StartRuns']],
      ['rate(1 day)', ['EraseClosedLeads']],
    ]);
    expect(functions.EraseClosedLeads.Properties.Environment.Variables.CLOSED_LEAD_RETENTION_MONTHS).toBe('24');
  });

  it('feeds StartRuns from the table stream, filtered to pending runs, retrying failed records from the first', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    expect(mappings.map((m) => m.FunctionName.Ref).sort()).toEqual(['ProjectReports', 'SendConfirmations', 'StartRuns']);
    const mapping = mappings.find((m) => m.FunctionName.Ref === 'StartRuns');
    expect(mapping.EventSourceArn).toEqual({ 'Fn::GetAtt': ['Table', 'StreamArn'] });
    expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping.BisectBatchOnFunctionError).toBe(true);
    expect(mapping.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(mapping.FilterCriteria.Filters.map((f: any) => JSON.parse(f.Pattern))).toEqual([{ dynamodb: { NewImage: { gsi4pk: { S: [{ prefix: 'RUNPENDING#' }] } } } }]);
  });

  it('feeds ProjectReports from the table stream, filtered to the profiles and the lead timeline entries the reports count', () => {
    const mapping = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties).find((m) => m.FunctionName.Ref === 'ProjectReports');
    expect(mapping.EventSourceArn).toEqual({ 'Fn::GetAtt': ['Table', 'StreamArn'] });
    expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping.StartingPosition).toBe('TRIM_HORIZON');
    const filters = mapping.FilterCriteria.Filters.map((f: any) => JSON.parse(f.Pattern));
    // Lambda allows five filters on a mapping.
    expect(filters).toHaveLength(5);
    expect(filters).toContainEqual({ dynamodb: { Keys: { pk: { S: [{ prefix: 'LEAD#' }] }, sk: { S: ['PROFILE'] } } } });
    expect(filters).toContainEqual({
      eventName: ['INSERT'],
      dynamodb: { Keys: { pk: { S: [{ prefix: 'LEAD#' }] }, sk: { S: [{ prefix: 'TL#' }] } }, NewImage: { type: { S: ['email_sent', 'email_skipped', 'email_deferred', 'event', 'split_arm'] } } },
    });
  });

  it('feeds SendConfirmations from the table stream, filtered to consent requests not yet mailed of items not awaiting their intake', () => {
    const mapping = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties).find((m) => m.FunctionName.Ref === 'SendConfirmations');
    expect(mapping.EventSourceArn).toEqual({ 'Fn::GetAtt': ['Table', 'StreamArn'] });
    expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping.FilterCriteria.Filters.map((f: any) => JSON.parse(f.Pattern))).toEqual([
      { dynamodb: { NewImage: { consentRequest: { M: { requestId: { S: [{ exists: true }] }, mailedAt: [{ exists: false }] } }, intake: [{ exists: false }] } } },
    ]);
  });

  it('serves the routes with public capture, unsubscribe and consent confirmation, and the API key on everything else', () => {
    const auth = Object.fromEntries(routes.map((r) => [r.RouteKey, r.AuthorizationType]));
    expect(auth).toEqual({
      'POST /leads': 'NONE',
      'GET /unsubscribe': 'NONE',
      'POST /unsubscribe': 'NONE',
      'GET /consent/confirm': 'NONE',
      'POST /consent/confirm': 'NONE',
      'GET /nps': 'NONE',
      'POST /nps': 'NONE',
      'GET /dashboard': 'NONE',
      'GET /dashboard/{asset}': 'NONE',
      'POST /events': 'CUSTOM',
      'GET /leads/{leadId}': 'CUSTOM',
      'GET /leads': 'CUSTOM',
      'DELETE /leads/{leadId}': 'CUSTOM',
      'POST /privacy/erasure': 'CUSTOM',
      'GET /privacy/export': 'CUSTOM',
      'POST /reps': 'CUSTOM',
      'GET /reps': 'CUSTOM',
      'GET /reps/{repId}': 'CUSTOM',
      'POST /reps/{repId}/modules/{moduleId}/completions': 'CUSTOM',
      'POST /reps/{repId}/modules/{moduleId}/reset': 'CUSTOM',
      'POST /reps/{repId}/signoff': 'CUSTOM',
      'POST /reps/{repId}/status': 'CUSTOM',
      'GET /customers': 'CUSTOM',
      'POST /customers': 'CUSTOM',
      'GET /customers/{customerId}': 'CUSTOM',
      'POST /customers/{customerId}/feedback': 'CUSTOM',
      'GET /reports/funnel': 'CUSTOM',
      'GET /reports/onboarding': 'CUSTOM',
      'GET /reports/retention': 'CUSTOM',
    });
    const target = (key: string) => {
      const route = routes.find((r) => r.RouteKey === key);
      const integrationId = route.Target['Fn::Join'][1][1].Ref;
      return integrations[integrationId].Properties.IntegrationUri['Fn::GetAtt'][0];
    };
    expect(target('POST /leads')).toBe('CaptureLead');
    expect(target('GET /leads')).toBe('ListLeads');
    expect(target('GET /leads/{leadId}')).toBe('GetLead');
    expect(target('POST /events')).toBe('IngestEvent');
    expect(target('POST /unsubscribe')).toBe('Unsubscribe');
    expect(target('POST /consent/confirm')).toBe('ConfirmConsent');
    expect(target('GET /dashboard')).toBe('Dashboard');
    expect(target('GET /dashboard/{asset}')).toBe('Dashboard');
    expect(target('GET /customers/{customerId}')).toBe('GetCustomer');
    expect(target('POST /nps')).toBe('NpsLink');
    expect(target('GET /customers')).toBe('ListCustomers');
    expect(target('POST /customers')).toBe('CreateCustomer');
    expect(target('POST /customers/{customerId}/feedback')).toBe('CustomerFeedback');
    expect(target('GET /reports/funnel')).toBe('ReportFunnel');
    expect(target('GET /reports/onboarding')).toBe('ReportOnboarding');
    expect(target('GET /reports/retention')).toBe('ReportRetention');
  });

  it('checks the API key with a REQUEST authorizer, payload 2.0, simple responses, answers cached per key for 5 minutes', () => {
    const [[, authorizer]] = ofType('AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 300,
    });
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain('Authorizer');
  });

  it('allows CORS from the configured form origins and throttles and logs the default stage', () => {
    const [[, api]] = ofType('AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration.AllowOrigins).toEqual(formOrigins);
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage');
    expect(stage.Properties.StageName).toBe('$default');
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    expect(Object.keys(JSON.parse(stage.Properties.AccessLogSettings.Format))).toContain('requestId');
  });

  it('keeps the secrets and an event bus named sales-flow', () => {
    for (const [, secret] of ofType('AWS::SecretsManager::Secret')) {
      expect(secret.DeletionPolicy).toBe('Retain');
      expect(secret.Properties.GenerateSecretString.GenerateStringKey).toBeUndefined();
    }
    expect(ofType('AWS::Events::EventBus')[0]![1].Properties.Name).toBe('sales-flow');
    expect(ofType('AWS::SES::ConfigurationSet')).toHaveLength(1);
  });

  it('alarms on failed funnel runs and on Lambda errors', () => {
    const metrics = ofType('AWS::CloudWatch::Alarm').map(([, a]) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);
    expect(metrics).toContain('AWS/States/ExecutionsFailed');
    expect(metrics.filter((m) => m === 'AWS/Lambda/Errors')).toHaveLength(Object.keys(functions).length);
  });

  it('outputs what a deployer needs', () => {
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining(['ApiUrl', 'TableName', 'LeadFunnelArn', 'EventBusName', 'ApiKeySecretArn', 'SigningKeySecretArn']),
    );
  });

  it('has no cdk-nag finding left unacknowledged', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: any) => r.violations ?? [])).toEqual([]);
    const direct = new AwsSolutionsChecks().validateScope(app);
    expect(direct.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
    expect(direct.success).toBe(true);
  });
});

describe('the funnel diagram in README.md', () => {
  it('is the one the synthesized LeadFunnel draws (run `npx tsx scripts/funnel-diagram.ts` when this fails)', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const diagram = funnelDiagram(stateMachineDefinition(template) as any);
    expect(withDiagram(readme, diagram)).toBe(readme);
  });

  it('draws stages, their branches and the shared error path', () => {
    const diagram = funnelDiagram(stateMachineDefinition(template) as any);
    expect(diagram.startsWith('flowchart TD\n')).toBe(true);
    expect(diagram).toMatch(/s\d+\{"Rep contacted\?"\}/);
    expect(diagram).toMatch(/-->\|yes\| s\d+/);
    expect(diagram).toMatch(/anyTask -\.->\|States\.ALL\| s\d+/);
  });

  it('replaces only the text between the markers', () => {
    const readme = `# Title\n\nintro\n${START_MARKER}\nold\n${END_MARKER}\n\nrest\n`;
    const updated = withDiagram(readme, 'flowchart TD\n  a --> b');
    expect(updated.startsWith('# Title\n\nintro\n' + START_MARKER)).toBe(true);
    expect(updated.endsWith(`${END_MARKER}\n\nrest\n`)).toBe(true);
    expect(updated).toContain('a --> b');
    expect(updated).not.toContain('old');
  });
});
