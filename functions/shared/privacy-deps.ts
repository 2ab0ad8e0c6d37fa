/** The real-world PrivacyDeps the privacy handlers pass to the core (built once, at module scope). */
import { DynamoPrivacyStore } from '../adapters/dynamodb/privacy-store.js';
import { secretReader } from '../adapters/secrets.js';
import { StepFunctionsStarter } from '../adapters/sfn-starter.js';
import type { PrivacyDeps } from '../core/privacy.js';
import { documentClient, secretsClient, sfnClient } from './clients.js';
import type { Config } from './config.js';
import { contactStore } from './lead-store.js';

/** Needs the 'table', 'funnel' and 'signing' capabilities of the config. */
export function privacyDeps(config: Config): PrivacyDeps {
  const readSecret = secretReader(secretsClient());
  const starter = new StepFunctionsStarter(sfnClient(), {
    LeadFunnel: config.funnelStateMachineArn,
    ...(config.repOnboardingStateMachineArn ? { RepOnboarding: config.repOnboardingStateMachineArn } : {}),
    ...(config.retentionStateMachineArn ? { CustomerRetention: config.retentionStateMachineArn } : {}),
  });
  return {
    privacy: privacyStore(config),
    starter,
    runs: starter,
    stopsRetention: Boolean(config.retentionStateMachineArn),
    contacts: contactStore(config),
    clock: config.clock,
    suppressionKey: () => readSecret(config.signingSecretId),
  };
}

/**
 * Needs the 'table' capability. Capture checks an address against erasures with
 * `privacyStore(config).isSuppressedHash(suppressionHash(normalizedEmail, signingKey))`.
 */
export const privacyStore = (config: Config) => new DynamoPrivacyStore(documentClient(), config.tableName);
