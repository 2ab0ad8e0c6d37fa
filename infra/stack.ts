/**
 * Sales Flow in one stack: the table, the Lambdas, the workflows of workflows/registry.ts, the HTTP API,
 * secrets, SES, the domain-event bus and alarms. Env-agnostic (no account/region), so `cdk synth` works offline.
 */
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, EmailIdentity, Identity, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { FilterCriteria, FilterRule, StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, type DynamoEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { WorkflowName } from '../functions/core/model.js';
import type { FunnelProgramme } from '../workflows/programmes/types.js';
import type { LeadFunnel } from '../workflows/lead-funnel.js';
import type { RepOnboarding } from '../workflows/rep-onboarding.js';
import { WORKFLOW_REGISTRY, type BuiltWorkflow } from '../workflows/registry.js';
import { readDeploymentConfig, senderEmail, type DeploymentConfig } from './config.js';
import { SalesAlarms } from './constructs/alarms.js';
import { SalesMonitoring, streamConsumersOf } from './constructs/monitoring.js';
import { DataTable } from './constructs/data-table.js';
import { SalesHttpApi } from './constructs/http-api.js';
import { createFunctions, functionsReading, setLateEnvironment, type EnvName, type FunctionName, type SalesFunctions } from './functions.js';
import { acknowledgeFindings } from './nag-acknowledgements.js';
import { COUNTED_ENTRY_TYPES } from '../functions/core/reports/timeline-projection.js';

export interface SalesFlowStackProps extends StackProps {
  /** The nurture programme the LeadFunnel is generated from (validated by its module). */
  readonly programme: FunnelProgramme;
  /**
   * The other workflows' programmes, instead of the shipped ones (the simulator's what-if): validated at synth
   * like them; their versions reach the functions' environment. The handlers take the programme itself from
   * functions/shared/programmes.ts, where the local runtime installs the same variant.
   */
  readonly programmes?: Partial<Record<Exclude<WorkflowName, 'LeadFunnel'>, unknown>>;
}

export class SalesFlowStack extends Stack {
  readonly config: DeploymentConfig;
  readonly table: DataTable['table'];
  readonly functions: SalesFunctions;
  /** Every workflow of the registry, built, by name. */
  readonly workflows: Record<WorkflowName, BuiltWorkflow>;
  readonly funnel: LeadFunnel;
  readonly onboarding: RepOnboarding;
  readonly httpApi: SalesHttpApi;
  readonly bus: EventBus;
  readonly apiKeySecret: Secret;
  readonly signingKeySecret: Secret;

  constructor(scope: Construct, id: string, props: SalesFlowStackProps) {
    super(scope, id, props);
    const config = (this.config = readDeploymentConfig(this.node));
    const dataRemoval = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.table = new DataTable(this, 'Data', { removalPolicy: dataRemoval }).table;
    (this.table.node.defaultChild as unknown as { overrideLogicalId(id: string): void }).overrideLogicalId('Table');

    this.apiKeySecret = new Secret(this, 'ApiKeySecret', {
      description: 'Sales Flow admin/webhook API key (the SecretString is the key itself)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: dataRemoval,
    });
    this.signingKeySecret = new Secret(this, 'SigningKeySecret', {
      description: 'Sales Flow HMAC key for unsubscribe tokens (rotating it invalidates sent links)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: dataRemoval,
    });

    const configurationSet = new ConfigurationSet(this, 'EmailConfigurationSet', {
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const senderDomain = senderEmail(config).split('@')[1] ?? senderEmail(config);
    if (config.createEmailIdentity) {
      new EmailIdentity(this, 'SenderIdentity', { identity: Identity.domain(senderDomain), configurationSet });
    }

    this.bus = new EventBus(this, 'DomainEvents', { eventBusName: config.eventBusName });

    this.functions = createFunctions(
      this,
      this.table,
      {
        EVENT_BUS_NAME: this.bus.eventBusName,
        API_KEY_SECRET_ID: this.apiKeySecret.secretArn,
        SIGNING_SECRET_ID: this.signingKeySecret.secretArn,
        SES_CONFIGURATION_SET: configurationSet.configurationSetName,
        SENDER_ADDRESS: config.senderAddress,
        POSTAL_ADDRESS: config.postalAddress,
        MANAGER_EMAIL: config.managerEmail,
        FORM_ORIGINS: config.formOrigins.join(','),
        CONSENT_POLICY: config.consentPolicy,
        CONSENT_TEXT_VERSION: config.consentTextVersion,
        DOUBLE_OPT_IN: String(config.doubleOptIn),
        FREQUENCY_CAP: config.frequencyCap,
        BUSINESS_HOURS: config.businessHours,
        DEFAULT_TIME_ZONE: config.defaultTimeZone,
        CLOSED_LEAD_RETENTION_MONTHS: String(config.closedLeadRetentionMonths),
        SEND_RATE_CEILING: String(config.sendRateCeiling),
        START_RATE: String(config.startRate),
        LOG_LEVEL: config.logLevel,
      },
      config.logRetentionDays,
    );
    const fns = this.functions;

    // Every workflow of the registry: its machine, its ARN for the functions that declare they read it,
    // and its programme version for every function that starts its runs (the starter adds it to each
    // run's input, so every run records the version it started on).
    const programmes: Partial<Record<WorkflowName, unknown>> = { ...props.programmes, LeadFunnel: withSlaOverride(props.programme, config.slaHours) };
    this.workflows = {} as Record<WorkflowName, BuiltWorkflow>;
    for (const workflow of WORKFLOW_REGISTRY) {
      const functions = Object.fromEntries(Object.entries(workflow.tasks).map(([task, name]) => [task, fns[name as FunctionName].fn])) as Record<string, IFunction>;
      const built = workflow.build(this, { functions, logRetention: config.logRetentionDays, programme: programmes[workflow.name] });
      this.workflows[workflow.name] = built;
      setLateEnvironment(fns, workflow.env.arn as EnvName, built.stateMachine.stateMachineArn);
      const starters = new Set([...functionsReading(workflow.env.arn as EnvName), ...functionsReading(workflow.env.version as EnvName)]);
      for (const name of starters) fns[name].fn.addEnvironment(workflow.env.version, String(built.version));
      new CfnOutput(this, `${workflow.name}Arn`, { value: built.stateMachine.stateMachineArn, description: workflow.description });
    }
    this.funnel = this.workflows.LeadFunnel as LeadFunnel;
    this.onboarding = this.workflows.RepOnboarding as RepOnboarding;
    const stateMachine = this.funnel.stateMachine;
    const onboarding = this.onboarding.stateMachine;
    // StartRuns is the only caller of StartExecution (the run outbox): requests and tasks queue runs by
    // writing their subject, and stop superseded runs themselves. Progress stops a rep's old run; a rep
    // who leaves or lapses hands their leads back, which stops the leads' old funnel runs. Granted on
    // these machines' executions only. The erasers only ever stop a run (the person's, on either machine).
    stateMachine.grantStartExecution(fns.StartRuns.fn);
    onboarding.grantStartExecution(fns.StartRuns.fn);
    const retention = this.workflows.CustomerRetention.stateMachine;
    retention.grantStartExecution(fns.StartRuns.fn);
    // A customer event that asks for a new run (a renewal, a cancellation, an NPS answer) stops the old one.
    for (const name of functionsReading('RETENTION_STATE_MACHINE_ARN').filter((n) => n !== 'StartRuns')) retention.grantExecution(fns[name].fn, 'states:StopExecution');
    const erasers = new Set<FunctionName>(['EraseLead', 'PrivacyErasure', 'EraseClosedLeads']);
    const stopsOnboarding = functionsReading('REP_ONBOARDING_STATE_MACHINE_ARN').filter((name) => name !== 'StartRuns');
    for (const name of stopsOnboarding) onboarding.grantExecution(fns[name].fn, 'states:StopExecution');
    for (const name of [...stopsOnboarding.filter((name) => !erasers.has(name)), 'OnboardingStep' as const]) stateMachine.grantExecution(fns[name].fn, 'states:StopExecution');
    // OnboardingStep stops the superseded run of its own machine (a recertification cycle). A policy of
    // its own, not the role's default policy: the function waits for that one, and the machine waits for
    // the function, so granting there would be a dependency cycle.
    new Policy(this, 'OnboardingStepRunsPolicy', {
      roles: [fns.OnboardingStep.role],
      statements: [
        new PolicyStatement({
          actions: ['states:StopExecution'],
          resources: [this.formatArn({ service: 'states', resource: 'execution', resourceName: `${onboarding.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
      ],
    });
    // A stage change stops the old run: StopExecution is granted on this machine's executions only.
    stateMachine.grantExecution(fns.IngestEvent.fn, 'states:StopExecution', 'states:DescribeExecution');
    // POST /customers wins a known lead: its funnel run ends the same way.
    stateMachine.grantExecution(fns.CreateCustomer.fn, 'states:StopExecution');
    // Erasure stops the person's running execution so no task mails or writes after it.
    for (const fn of [fns.EraseLead.fn, fns.PrivacyErasure.fn, fns.EraseClosedLeads.fn]) stateMachine.grantExecution(fn, 'states:StopExecution');

    // The run outbox: every write that asks for a run (a new lead, a stage change, a rep's progress) is on
    // the table's stream; StartRuns starts those runs within a second, and every minute sweeps the pending
    // index for anything the stream path could not start (core/run-outbox.ts, docs/internals.md).
    fns.StartRuns.fn.addEventSource(
      fromTableStream(this.table, {
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        retryAttempts: 10,
        filters: [FilterCriteria.filter({ dynamodb: { NewImage: { gsi4pk: { S: FilterRule.beginsWith('RUNPENDING#') } } } })],
      }),
    );
    // The confirmation outbox: a stored consent request not yet mailed (on a lead or a Contact) is on the
    // stream; SendConfirmations mails its link through the send chokepoint, waiting out the send ceiling.
    fns.SendConfirmations.fn.addEventSource(
      fromTableStream(this.table, {
        batchSize: 25,
        retryAttempts: 100,
        // A new lead's request waits for its intake (an erased address is then suppressed): the intake's save mails it.
        filters: [FilterCriteria.filter({ dynamodb: { NewImage: { consentRequest: { M: { requestId: { S: FilterRule.exists() }, mailedAt: FilterRule.notExists() } }, intake: FilterRule.notExists() } } })],
      }),
    );
    // The report aggregates: lead, rep and customer profiles (written or deleted) and the lead timeline
    // entries that count are on the stream; ProjectReports turns each into counters exactly once (its report
    // state or a marker is written in the same transaction), so a retried batch adds nothing twice.
    const profile = (prefix: string) => FilterCriteria.filter({ dynamodb: { Keys: { pk: { S: FilterRule.beginsWith(prefix) }, sk: { S: FilterRule.isEqual('PROFILE') } } } });
    fns.ProjectReports.fn.addEventSource(
      fromTableStream(this.table, {
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        retryAttempts: 100,
        filters: [
          profile('LEAD#'),
          profile('REP#'),
          profile('CUSTOMER#'),
          FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { Keys: { pk: { S: FilterRule.beginsWith('LEAD#') }, sk: { S: FilterRule.beginsWith('TL#') } }, NewImage: { type: { S: [...COUNTED_ENTRY_TYPES] } } } }),
          // A "sent" entry taken back (the mail service did not take it) subtracts what it added.
          FilterCriteria.filter({ eventName: FilterRule.isEqual('REMOVE'), dynamodb: { Keys: { pk: { S: FilterRule.beginsWith('LEAD#') }, sk: { S: FilterRule.beginsWith('TL#') } } } }),
        ],
      }),
    );
    new Rule(this, 'StartRunsSweep', {
      description: 'Every minute: start the runs still pending after a minute (the run outbox backstop)',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(fns.StartRuns.fn, { retryAttempts: 2 })],
    });

    // Retention: once a day, closed leads past closedLeadRetentionMonths are erased.
    new Rule(this, 'EraseClosedLeadsSchedule', {
      description: 'Daily: erase closed leads past the retention period (GDPR storage limitation)',
      schedule: Schedule.rate(Duration.days(1)),
      targets: [new LambdaFunction(fns.EraseClosedLeads.fn, { retryAttempts: 2 })],
    });

    this.httpApi = new SalesHttpApi(this, 'Http', {
      handlers: {
        captureLead: fns.CaptureLead.fn,
        ingestEvent: fns.IngestEvent.fn,
        getLead: fns.GetLead.fn,
        listLeads: fns.ListLeads.fn,
        unsubscribe: fns.Unsubscribe.fn,
        confirmConsent: fns.ConfirmConsent.fn,
        eraseLead: fns.EraseLead.fn,
        privacyErasure: fns.PrivacyErasure.fn,
        privacyExport: fns.PrivacyExport.fn,
        authorizer: fns.Authorizer.fn,
        createRep: fns.CreateRep.fn,
        listReps: fns.ListReps.fn,
        getRep: fns.GetRep.fn,
        recordCompletion: fns.RecordCompletion.fn,
        resetModule: fns.ResetModule.fn,
        signOffRep: fns.SignOffRep.fn,
        setRepStatus: fns.SetRepStatus.fn,
        getCustomer: fns.GetCustomer.fn,
        npsLink: fns.NpsLink.fn,
        customerFeedback: fns.CustomerFeedback.fn,
        createCustomer: fns.CreateCustomer.fn,
        listCustomers: fns.ListCustomers.fn,
        dashboard: fns.Dashboard.fn,
        reportFunnel: fns.ReportFunnel.fn,
        reportOnboarding: fns.ReportOnboarding.fn,
        reportRetention: fns.ReportRetention.fn,
      },
      formOrigins: config.formOrigins,
      throttle: config.throttle,
      logRetention: config.logRetentionDays,
    });
    setLateEnvironment(fns, 'PUBLIC_BASE_URL', config.publicBaseUrl?.replace(/\/$/, '') ?? this.httpApi.url);

    for (const name of functionsReading('API_KEY_SECRET_ID')) this.apiKeySecret.grantRead(fns[name].fn);
    for (const name of functionsReading('SIGNING_SECRET_ID')) this.signingKeySecret.grantRead(fns[name].fn);
    for (const name of functionsReading('EVENT_BUS_NAME')) this.bus.grantPutEventsTo(fns[name].fn);
    // Senders may send only as the configured sender (address or its domain) through our configuration set.
    const sesArn = (resource: string, resourceName: string) => this.formatArn({ service: 'ses', resource, resourceName });
    const sendEmail = new PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [
        sesArn('identity', senderEmail(config)),
        sesArn('identity', senderDomain),
        sesArn('configuration-set', configurationSet.configurationSetName),
      ],
    });
    for (const name of functionsReading('SENDER_ADDRESS')) fns[name].fn.addToRolePolicy(sendEmail);

    // After every event source: the stream consumers are found from the stack's mappings.
    const monitored = {
      stateMachines: Object.fromEntries(Object.entries(this.workflows).map(([name, w]) => [name, w.stateMachine])),
      functions: Object.fromEntries(Object.entries(fns).map(([name, f]) => [name, f.fn as IFunction])),
      api: this.httpApi.api,
      table: this.table,
    };
    const streamConsumers = streamConsumersOf(this, monitored.functions);
    const alarms = new SalesAlarms(this, 'Alarms', { ...monitored, streamConsumers });
    new SalesMonitoring(this, 'Monitoring', { ...monitored, streamConsumers, alarms: alarms.alarms, alarmEmail: config.alarmEmail });

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('ApiUrl', this.httpApi.url, 'Base URL of the HTTP API');
    output('TableName', this.table.tableName, 'The DynamoDB table');
    output('EventBusName', this.bus.eventBusName, 'Domain events (LeadStageChanged, LeadAssigned, …)');
    output('ApiKeySecretArn', this.apiKeySecret.secretArn, 'Secret holding the admin/webhook API key');
    output('SigningKeySecretArn', this.signingKeySecret.secretArn, 'Secret holding the unsubscribe-token key');

    acknowledgeFindings(this);
  }
}

/**
 * A table-stream event source as every consumer here reads it: from the oldest record kept, a failing batch
 * bisected, and retried from the record that failed (the handler answers batchItemFailures).
 */
function fromTableStream(table: DataTable['table'], props: Omit<DynamoEventSourceProps, 'startingPosition' | 'bisectBatchOnError' | 'reportBatchItemFailures'>): DynamoEventSource {
  return new DynamoEventSource(table, { startingPosition: StartingPosition.TRIM_HORIZON, bisectBatchOnError: true, reportBatchItemFailures: true, ...props });
}


function withSlaOverride(programme: FunnelProgramme, slaHours: number | undefined): FunnelProgramme {
  return slaHours === undefined ? programme : { ...programme, handoff: { ...programme.handoff, slaHours } };
}
