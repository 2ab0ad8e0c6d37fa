/**
 * What the send chokepoint needs from the world, built once at module scope by every handler that
 * sends lead-facing email (the funnel's SendEmail task, and capture for the double opt-in link).
 */
import { secretReader } from '../adapters/secrets.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import { randomIds } from '../core/ids.js';
import type { SendDeps, SendSettings } from '../core/send.js';
import { brand, leadTemplates } from '../../workflows/templates/index.js';
import { secretsClient, sesClient } from './clients.js';
import type { Config } from './config.js';
import { contactStore, leadStore, sendRateCeiling } from './lead-store.js';
import { countSend } from './metrics.js';

/** Needs the 'table', 'mail' and 'signing' capabilities; the signing key is read per call (cached). */
export function sendDepsFactory(config: Config): () => Promise<SendDeps> {
  const leads = leadStore(config);
  const contacts = contactStore(config);
  const mailer = new SesMailer(sesClient(), { from: config.senderAddress, configurationSetName: config.sesConfigurationSet });
  const readSecret = secretReader(secretsClient());
  const rate = sendRateCeiling(config);
  return async () => ({
    leads,
    contacts,
    mailer,
    rate,
    observe: countSend,
    clock: config.clock,
    ids: randomIds,
    templates: leadTemplates,
    settings: sendSettings(config, await readSecret(config.signingSecretId)),
  });
}

/** The chokepoint's policy and footer settings from the config (every sender of person-facing mail). */
export function sendSettings(config: Config, signingKey: string): SendSettings {
  return {
    consentPolicy: config.consentPolicy,
    frequencyCap: config.frequencyCap,
    sendWindow: config.sendWindow,
    publicBaseUrl: config.publicBaseUrl,
    postalAddress: config.postalAddress,
    companyName: brand.company,
    signingKey,
  };
}
