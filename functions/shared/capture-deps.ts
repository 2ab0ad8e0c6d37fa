/**
 * The CaptureDeps of the routes that make leads (POST /leads, POST /customers), built once at module scope.
 * Needs the 'table', 'funnel', 'events' and 'signing' capabilities of the config.
 */
import type { CaptureDeps } from '../core/capture.js';
import { recordReferral, type CustomerEventDeps } from '../core/customers.js';
import { suppressionHash } from '../core/privacy.js';
import type { Config } from './config.js';
import { funnelDeps } from './funnel-deps.js';
import { contactStore } from './lead-store.js';
import { privacyStore } from './privacy-deps.js';

export function captureDeps(config: Config, customers: CustomerEventDeps, readSecret: (secretId: string) => Promise<string>): CaptureDeps {
  const privacy = privacyStore(config);
  return {
    ...funnelDeps(config),
    contacts: contactStore(config),
    // The request stored with the lead (or its Contact) is what asks for the email: SendConfirmations mails it
    // from the table's stream (the confirmation outbox), so a form post never waits on SES or the send ceiling.
    confirmConsent: async () => {},
    isErased: async (email) => privacy.isSuppressedHash(suppressionHash(email, await readSecret(config.signingSecretId))),
    // A referral link's lead is counted on the referring customer (ReferralReceived).
    referrals: {
      referrerEmail: async (customerId) => (await customers.customers.get(customerId))?.email || undefined,
      record: (customerId, leadId) => recordReferral(customers, customerId, leadId),
    },
  };
}
