/**
 * Every Lambda of the app, as data: entry, table access and the environment variables it reads.
 * Values come from one map, so a variable has the same value in every function that has it (the
 * local runtime merges them into one process environment and refuses conflicts).
 */
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SalesFunction, type TableAccess } from './constructs/sales-function.js';

export type EnvName =
  | 'FUNNEL_STATE_MACHINE_ARN'
  | 'REP_ONBOARDING_STATE_MACHINE_ARN'
  | 'ONBOARDING_PROGRAMME_VERSION'
  | 'RETENTION_STATE_MACHINE_ARN'
  | 'EVENT_BUS_NAME'
  | 'API_KEY_SECRET_ID'
  | 'SIGNING_SECRET_ID'
  | 'SES_CONFIGURATION_SET'
  | 'SENDER_ADDRESS'
  | 'POSTAL_ADDRESS'
  | 'MANAGER_EMAIL'
  | 'PUBLIC_BASE_URL'
  | 'FORM_ORIGINS'
  | 'CONSENT_POLICY'
  | 'CONSENT_TEXT_VERSION'
  | 'DOUBLE_OPT_IN'
  | 'FREQUENCY_CAP'
  | 'BUSINESS_HOURS'
  | 'DEFAULT_TIME_ZONE'
  | 'CLOSED_LEAD_RETENTION_MONTHS'
  | 'SEND_RATE_CEILING'
  | 'START_RATE'
  | 'LOG_LEVEL';

interface FunctionSpec {
  entry: string;
  description: string;
  table: TableAccess;
  env: EnvName[];
  timeout?: Duration;
}

/** What functions/shared/config.ts's capabilities need; TIME_SCALE/TIME_ORIGIN stay unset on AWS (1, now). */
const SENDER: EnvName[] = ['SES_CONFIGURATION_SET', 'SENDER_ADDRESS', 'SEND_RATE_CEILING'];
/** Rep routes and tasks: both workflows' ARNs, the programme version runs record, mail to reps and managers, domain events. */
const ONBOARDING: EnvName[] = ['REP_ONBOARDING_STATE_MACHINE_ARN', 'ONBOARDING_PROGRAMME_VERSION', 'FUNNEL_STATE_MACHINE_ARN', 'EVENT_BUS_NAME', ...SENDER, 'MANAGER_EMAIL', 'LOG_LEVEL'];

/** Logical ids are the names in docs/internals.md; the local runtime and tests address functions by them. */
export const FUNCTION_SPECS = {
  CaptureLead: {
    entry: 'functions/http/capture-lead.ts',
    description: 'POST /leads: capture a web-form lead (its run and its double opt-in email follow from the stored write)',
    table: 'read-write',
    // The API key tells integrations from browsers; the signing key checks an address against erasures.
    // It sends nothing: the run outbox starts the run, the confirmation outbox mails the opt-in link.
    env: ['FUNNEL_STATE_MACHINE_ARN', 'EVENT_BUS_NAME', 'FORM_ORIGINS', 'CONSENT_POLICY', 'CONSENT_TEXT_VERSION', 'DOUBLE_OPT_IN', 'API_KEY_SECRET_ID', 'SIGNING_SECRET_ID', 'LOG_LEVEL'],
  },
  IngestEvent: {
    entry: 'functions/http/ingest-event.ts',
    description: 'POST /events: score engagement, move stages, close or win leads; customers\' usage, tickets, NPS, renewals and cancellations',
    table: 'read-write',
    // The signing key: an event may meet a new lead before its intake, which checks the address against erasures.
    env: ['FUNNEL_STATE_MACHINE_ARN', 'RETENTION_STATE_MACHINE_ARN', 'EVENT_BUS_NAME', 'SIGNING_SECRET_ID', 'LOG_LEVEL'],
  },
  GetLead: { entry: 'functions/http/get-lead.ts', description: 'GET /leads/{leadId}', table: 'read', env: ['LOG_LEVEL'] },
  ListLeads: { entry: 'functions/http/list-leads.ts', description: 'GET /leads', table: 'read', env: ['LOG_LEVEL'] },
  Unsubscribe: {
    entry: 'functions/http/unsubscribe.ts',
    description: 'GET|POST /unsubscribe: one-click unsubscribe from a signed token',
    table: 'read-write',
    env: ['SIGNING_SECRET_ID', 'LOG_LEVEL'],
  },
  ConfirmConsent: {
    entry: 'functions/http/confirm-consent.ts',
    description: 'GET|POST /consent/confirm: the double opt-in link (GET shows a page, POST confirms)',
    table: 'read-write',
    env: ['SIGNING_SECRET_ID', 'LOG_LEVEL'],
  },
  Authorizer: {
    entry: 'functions/http/authorizer.ts',
    description: 'HTTP API authorizer: checks the API key',
    table: 'none',
    env: ['API_KEY_SECRET_ID', 'LOG_LEVEL'],
    timeout: Duration.seconds(5),
  },
  SendEmail: {
    entry: 'functions/tasks/send-email.ts',
    description: 'LeadFunnel: the one send chokepoint (consent, suppression, cap, send windows, exactly-once)',
    table: 'read-write',
    env: [...SENDER, 'POSTAL_ADDRESS', 'SIGNING_SECRET_ID', 'PUBLIC_BASE_URL', 'CONSENT_POLICY', 'FREQUENCY_CAP', 'BUSINESS_HOURS', 'DEFAULT_TIME_ZONE', 'LOG_LEVEL'],
    timeout: Duration.seconds(30),
  },
  AssignRep: {
    entry: 'functions/tasks/assign-rep.ts',
    description: 'LeadFunnel: assign a rep round-robin, reassign after an SLA miss',
    table: 'read-write',
    env: [...SENDER, 'MANAGER_EMAIL', 'EVENT_BUS_NAME', 'LOG_LEVEL'],
    timeout: Duration.seconds(30),
  },
  CheckRepContact: {
    entry: 'functions/tasks/check-rep-contact.ts',
    description: 'LeadFunnel: did the rep log contact within the SLA?',
    table: 'read',
    env: ['LOG_LEVEL'],
    timeout: Duration.seconds(30),
  },
  SetLeadStatus: {
    entry: 'functions/tasks/set-lead-status.ts',
    description: 'LeadFunnel: mark a lead recycled or dormant',
    table: 'read-write',
    env: ['EVENT_BUS_NAME', 'LOG_LEVEL'],
    timeout: Duration.seconds(30),
  },
  ChooseArm: {
    entry: 'functions/tasks/choose-arm.ts',
    description: 'Workflow split step: pick an A/B arm from the subject and split ids, record it on the timeline',
    table: 'read-write',
    env: ['LOG_LEVEL'],
    timeout: Duration.seconds(30),
  },
  RecordFailure: {
    entry: 'functions/tasks/record-failure.ts',
    description: 'LeadFunnel: record a failed run on the lead timeline',
    table: 'read-write',
    env: ['LOG_LEVEL'],
    timeout: Duration.seconds(30),
  },
  EraseLead: {
    entry: 'functions/http/erase-lead.ts',
    description: 'DELETE /leads/{leadId}: erase a lead (GDPR Art. 17), stop its funnel, keep a suppression hash',
    table: 'read-write',
    // Erasure stops the person's running executions: their funnel run, their onboarding if they are a rep, their retention if a customer.
    env: ['FUNNEL_STATE_MACHINE_ARN', 'REP_ONBOARDING_STATE_MACHINE_ARN', 'RETENTION_STATE_MACHINE_ARN', 'SIGNING_SECRET_ID', 'LOG_LEVEL'],
    timeout: Duration.seconds(30),
  },
  PrivacyErasure: {
    entry: 'functions/http/privacy-erasure.ts',
    description: 'POST /privacy/erasure: erase everything held under an email (GDPR Art. 17)',
    table: 'read-write',
    // Erasure stops the person's running executions: their funnel run, their onboarding if they are a rep, their retention if a customer.
    env: ['FUNNEL_STATE_MACHINE_ARN', 'REP_ONBOARDING_STATE_MACHINE_ARN', 'RETENTION_STATE_MACHINE_ARN', 'SIGNING_SECRET_ID', 'LOG_LEVEL'],
    timeout: Duration.seconds(30),
  },
  PrivacyExport: {
    entry: 'functions/http/privacy-export.ts',
    description: 'GET /privacy/export: everything held about a person (GDPR Art. 15)',
    table: 'read',
    env: ['LOG_LEVEL'],
  },
  // Rep onboarding and training: the routes that change a rep start its next RepOnboarding run, and
  // (inactive) hand its open leads back to the funnel, so they may start and stop both workflows.
  CreateRep: {
    entry: 'functions/http/create-rep.ts',
    description: 'POST /reps: a new hire starts onboarding on their role\'s learning path',
    table: 'read-write',
    env: ONBOARDING,
  },
  ListReps: { entry: 'functions/http/list-reps.ts', description: 'GET /reps', table: 'read', env: ['LOG_LEVEL'] },
  GetRep: { entry: 'functions/http/get-rep.ts', description: 'GET /reps/{repId}', table: 'read', env: ['LOG_LEVEL'] },
  NpsLink: {
    entry: 'functions/http/nps-link.ts',
    description: 'GET|POST /nps: the NPS survey links (GET shows the page, POST records one answer per survey)',
    table: 'read-write',
    // An answer asks the customer's retention run for the closed loop: it stops the old run, queues the next.
    env: ['SIGNING_SECRET_ID', 'RETENTION_STATE_MACHINE_ARN', 'EVENT_BUS_NAME', 'LOG_LEVEL'],
  },
  CustomerFeedback: {
    entry: 'functions/http/customer-feedback.ts',
    description: 'POST /customers/{customerId}/feedback: an NPS answer from an integration (the closed loop, idempotent by responseId)',
    table: 'read-write',
    // An answer asks the customer's retention run for the closed loop: it stops the old run, queues the next.
    env: ['RETENTION_STATE_MACHINE_ARN', 'EVENT_BUS_NAME', 'LOG_LEVEL'],
  },
  ListCustomers: { entry: 'functions/http/list-customers.ts', description: 'GET /customers', table: 'read', env: ['LOG_LEVEL'] },
  CreateCustomer: {
    entry: 'functions/http/create-customer.ts',
    description: 'POST /customers: a customer won outside the funnel (its lead found by email or captured, then bought; idempotent by email)',
    table: 'read-write',
    // Winning a known lead stops its funnel run; a referred lead's purchase stops the referrer's retention run.
    // The signing key checks a new address against erasures; the run outbox starts the new runs.
    env: ['FUNNEL_STATE_MACHINE_ARN', 'RETENTION_STATE_MACHINE_ARN', 'EVENT_BUS_NAME', 'SIGNING_SECRET_ID', 'LOG_LEVEL'],
  },
  GetCustomer: { entry: 'functions/http/get-customer.ts', description: 'GET /customers/{customerId}', table: 'read', env: ['LOG_LEVEL'] },
  Dashboard: {
    entry: 'functions/http/dashboard.ts',
    description: 'GET /dashboard and its scripts: the dashboard page (public, no data; the browser reads the reports with the API key)',
    table: 'none',
    env: ['LOG_LEVEL'],
  },
  RecordCompletion: {
    entry: 'functions/http/record-completion.ts',
    description: 'POST /reps/{repId}/modules/{moduleId}/completions: a module attempt (idempotent by attemptId)',
    table: 'read-write',
    env: ONBOARDING,
  },
  ResetModule: {
    entry: 'functions/http/reset-module.ts',
    description: 'POST /reps/{repId}/modules/{moduleId}/reset: unlock a module with fresh attempts',
    table: 'read-write',
    env: ONBOARDING,
  },
  SignOffRep: {
    entry: 'functions/http/sign-off-rep.ts',
    description: 'POST /reps/{repId}/signoff: the manager certifies a rep or reopens modules',
    table: 'read-write',
    env: ONBOARDING,
  },
  SetRepStatus: {
    entry: 'functions/http/set-rep-status.ts',
    description: 'POST /reps/{repId}/status: stop a rep\'s onboarding and reassign their open leads',
    table: 'read-write',
    env: ONBOARDING,
    timeout: Duration.seconds(30),
  },
  OnboardingStep: {
    entry: 'functions/tasks/onboarding-step.ts',
    description: 'RepOnboarding: plan the next step, and do what is due (digests, escalation, sign-off, certification)',
    table: 'read-write',
    // Not the RepOnboarding ARN: its own state machine invokes it (a cycle); the run passes $$.StateMachine.Id.
    env: ONBOARDING.filter((e) => e !== 'REP_ONBOARDING_STATE_MACHINE_ARN'),
    timeout: Duration.seconds(30),
  },
  RecordRepFailure: {
    entry: 'functions/tasks/record-rep-failure.ts',
    description: 'RepOnboarding and CustomerRetention: record a failed run on the rep or customer timeline',
    table: 'read-write',
    env: ['LOG_LEVEL'],
    timeout: Duration.seconds(30),
  },
  RetentionStep: {
    entry: 'functions/tasks/retention-step.ts',
    description: 'CustomerRetention: plan the next step, and do what is due (check-ins, NPS, owner emails, renewals, follow-ups, the next term)',
    table: 'read-write',
    // Not the CustomerRetention ARN: its own state machine invokes it (a cycle); the run passes $$.StateMachine.Id.
    env: ['EVENT_BUS_NAME', ...SENDER, 'POSTAL_ADDRESS', 'SIGNING_SECRET_ID', 'PUBLIC_BASE_URL', 'FORM_ORIGINS', 'CONSENT_POLICY', 'FREQUENCY_CAP', 'BUSINESS_HOURS', 'DEFAULT_TIME_ZONE', 'MANAGER_EMAIL', 'LOG_LEVEL'],
    timeout: Duration.seconds(30),
  },
  EraseClosedLeads: {
    entry: 'functions/tasks/erase-closed-leads.ts',
    description: 'Daily: erase closed leads whose last activity is older than the retention period',
    table: 'read-write',
    env: ['FUNNEL_STATE_MACHINE_ARN', 'REP_ONBOARDING_STATE_MACHINE_ARN', 'RETENTION_STATE_MACHINE_ARN', 'SIGNING_SECRET_ID', 'CLOSED_LEAD_RETENTION_MONTHS', 'LOG_LEVEL'],
    timeout: Duration.minutes(5),
  },
  SendConfirmations: {
    entry: 'functions/tasks/send-confirmations.ts',
    description: 'The confirmation outbox: emails the double opt-in link of each stored consent request (table stream), through the send chokepoint',
    table: 'read-write',
    env: [...SENDER, 'POSTAL_ADDRESS', 'SIGNING_SECRET_ID', 'PUBLIC_BASE_URL', 'CONSENT_POLICY', 'FREQUENCY_CAP', 'BUSINESS_HOURS', 'DEFAULT_TIME_ZONE', 'LOG_LEVEL'],
    timeout: Duration.seconds(60),
  },
  ReportFunnel: { entry: 'functions/http/report-funnel.ts', description: 'GET /reports/funnel: funnel, reps, templates, splits and cohorts over a day range, from the report aggregates', table: 'read', env: ['LOG_LEVEL'] },
  ReportOnboarding: { entry: 'functions/http/report-onboarding.ts', description: 'GET /reports/onboarding: reps by status, certification and ramp times, quizzes, overdue modules, expiring certifications', table: 'read', env: ['LOG_LEVEL'] },
  ReportRetention: { entry: 'functions/http/report-retention.ts', description: 'GET /reports/retention: NPS, health, at-risk customers, renewals due, cohort retention, referrals', table: 'read', env: ['LOG_LEVEL'] },
  ProjectReports: {
    entry: 'functions/tasks/project-reports.ts',
    description: 'The report aggregates: turns lead, rep and customer writes and lead timeline entries (table stream) into counters, exactly once',
    table: 'read-write',
    env: ['LOG_LEVEL'],
    timeout: Duration.seconds(60),
  },
  StartRuns: {
    entry: 'functions/tasks/start-runs.ts',
    description: 'The run and submission outboxes: takes in new leads\' submissions and starts every pending run (table stream, and a sweep every minute), paced to START_RATE',
    table: 'read-write',
    // The only caller of StartExecution, for every workflow of the registry; before a new lead's run, its
    // submission's intake (the signing key checks the address against erasures; a referral is a domain event).
    env: ['FUNNEL_STATE_MACHINE_ARN', 'REP_ONBOARDING_STATE_MACHINE_ARN', 'RETENTION_STATE_MACHINE_ARN', 'START_RATE', 'EVENT_BUS_NAME', 'SIGNING_SECRET_ID', 'LOG_LEVEL'],
    timeout: Duration.seconds(60),
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTION_SPECS;
export type SalesFunctions = Record<FunctionName, SalesFunction>;

/**
 * Creates every function. Values that depend on resources made later (the state machine ARN, the
 * API URL) are added afterwards with `addEnvironment` through {@link setLateEnvironment}.
 */
export function createFunctions(
  scope: Construct,
  table: ITable,
  values: Partial<Record<EnvName, string>>,
  logRetention: RetentionDays,
): SalesFunctions {
  const entries = Object.entries(FUNCTION_SPECS) as [FunctionName, FunctionSpec][];
  return Object.fromEntries(
    entries.map(([name, spec]) => {
      const environment: Record<string, string> = {};
      for (const key of spec.env) if (values[key] !== undefined) environment[key] = values[key]!;
      const fn = new SalesFunction(scope, name, {
        entry: spec.entry,
        description: spec.description,
        table,
        tableAccess: spec.table,
        environment,
        timeout: spec.timeout,
        logRetention,
        logicalId: name,
      });
      return [name, fn];
    }),
  ) as SalesFunctions;
}

/** Adds a value to exactly the functions that declare they read it. */
export function setLateEnvironment(functions: SalesFunctions, key: EnvName, value: string) {
  for (const [name, spec] of Object.entries(FUNCTION_SPECS) as [FunctionName, FunctionSpec][]) {
    if (spec.env.includes(key)) functions[name].fn.addEnvironment(key, value);
  }
}

export const functionsReading = (key: EnvName): FunctionName[] =>
  (Object.entries(FUNCTION_SPECS) as [FunctionName, FunctionSpec][]).filter(([, s]) => s.env.includes(key)).map(([n]) => n);
