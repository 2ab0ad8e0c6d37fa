/**
 * The real-world dependencies of retention, built once at module scope: the customer store, the send
 * chokepoint's parts (Contacts, SES, the send-rate ceiling, the templates and the owner emails), the
 * roster (CSM owners), EventBridge, the programme and the health model. Customer events (POST /events,
 * the NPS routes) need only the store, the runs, the publisher and the health model.
 */
import { DynamoCustomerStore } from '../adapters/dynamodb/customer-store.js';
import { secretReader } from '../adapters/secrets.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import { QueuedStarts, StepFunctionsStarter, type WorkflowArns } from '../adapters/sfn-starter.js';
import type { CustomerEventDeps } from '../core/customers.js';
import { randomIds } from '../core/ids.js';
import type { RetentionDeps } from '../core/retention-run.js';
import { healthModel } from '../../workflows/programmes/health.js';
import { ownerMessages } from '../../workflows/templates/owner.js';
import { leadTemplates } from '../../workflows/templates/index.js';
import { sendSettings } from './send-deps.js';
import { documentClient, secretsClient, sesClient, sfnClient } from './clients.js';
import type { Config } from './config.js';
import { eventPublisher } from './event-publisher.js';
import { contactStore, sendRateCeiling } from './lead-store.js';
import { countSend } from './metrics.js';
import { currentRetentionProgramme } from './programmes.js';
import { repStore } from './onboarding-deps.js';

export const customerStore = (config: Config) => new DynamoCustomerStore(documentClient(), config.tableName, () => config.clock.now());

/** Needs 'table', 'customers' and 'events'. Starts are queued in the run outbox; stops happen at once. */
export function customerEventDeps(config: Config, arns: WorkflowArns = { CustomerRetention: config.retentionStateMachineArn }): CustomerEventDeps {
  return {
    customers: customerStore(config),
    runs: new QueuedStarts(new StepFunctionsStarter(sfnClient(), arns)),
    publisher: eventPublisher(config),
    clock: config.clock,
    ids: randomIds,
    healthModel,
    detractorQuietDays: currentRetentionProgramme().survey.detractorQuietDays,
    defaultTermMonths: currentRetentionProgramme().defaultTermMonths,
  };
}

/** Needs 'table', 'events', 'mail', 'signing' and 'manager'; the signing key is read per call (cached). */
export function retentionDepsFactory(config: Config): (stateMachineArn: string) => Promise<RetentionDeps> {
  const readSecret = secretReader(secretsClient());
  const reps = repStore(config);
  const base = {
    customers: customerStore(config),
    contacts: contactStore(config),
    reps,
    roster: reps,
    mailer: new SesMailer(sesClient(), { from: config.senderAddress, configurationSetName: config.sesConfigurationSet }),
    rate: sendRateCeiling(config),
    observe: countSend,
    publisher: eventPublisher(config),
    clock: config.clock,
    ids: randomIds,
    templates: leadTemplates,
    ownerMessages,
    programme: currentRetentionProgramme(),
    healthModel,
    formUrl: `${config.formOrigins[0] ?? config.publicBaseUrl}/`,
  };
  return async (stateMachineArn) => ({
    ...base,
    // The run's own machine ($$.StateMachine.Id): the next term's run is queued in the run outbox.
    runs: new QueuedStarts(new StepFunctionsStarter(sfnClient(), { CustomerRetention: stateMachineArn })),
    settings: { ...sendSettings(config, await readSecret(config.signingSecretId)), managerEmail: config.managerEmail },
  });
}
