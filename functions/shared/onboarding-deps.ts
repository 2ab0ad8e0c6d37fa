/**
 * The real-world OnboardingDeps the rep routes and the RepOnboarding tasks pass to the core, built once
 * at module scope: the rep store, the lead store and the funnel's starter (a rep who leaves or lapses
 * hands back their leads), one starter for both workflows, SES, EventBridge, the programme and its words.
 */
import { DynamoRepStore } from '../adapters/dynamodb/rep-store.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import { QueuedStarts, StepFunctionsStarter } from '../adapters/sfn-starter.js';
import { randomIds } from '../core/ids.js';
import type { OnboardingDeps } from '../core/onboarding.js';
import { documentClient, sesClient, sfnClient } from './clients.js';
import type { Config } from './config.js';
import { eventPublisher } from './event-publisher.js';
import { contactStore, leadStore, sendRateCeiling } from './lead-store.js';
import { countSend } from './metrics.js';
import { currentOnboardingProgramme } from './programmes.js';
import { onboardingMessages } from '../../workflows/templates/onboarding.js';

/** Needs the 'table' capability (reads only); 'onboarding', 'funnel', 'events', 'sender' and 'manager' to change anything. */
export function onboardingDeps(config: Config): OnboardingDeps {
  // Starts are queued in the run outbox (StartRuns starts them); stops happen at once.
  const starter = new QueuedStarts(new StepFunctionsStarter(sfnClient(), {
    ...(config.funnelStateMachineArn ? { LeadFunnel: config.funnelStateMachineArn } : {}),
    ...(config.repOnboardingStateMachineArn ? { RepOnboarding: config.repOnboardingStateMachineArn } : {}),
  }));
  return {
    reps: repStore(config),
    leads: leadStore(config),
    contacts: contactStore(config),
    rate: sendRateCeiling(config),
    observe: countSend,
    funnel: starter,
    runs: starter,
    mailer: new SesMailer(sesClient(), { from: config.senderAddress, configurationSetName: config.sesConfigurationSet }),
    publisher: eventPublisher(config),
    clock: config.clock,
    ids: randomIds,
    messages: onboardingMessages,
    programme: currentOnboardingProgramme(),
    programmeVersion: config.onboardingProgrammeVersion,
    settings: { managerEmail: config.managerEmail },
  };
}

export const repStore = (config: Config) => new DynamoRepStore(documentClient(), config.tableName, () => config.clock.now());
