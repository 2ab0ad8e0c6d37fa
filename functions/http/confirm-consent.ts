/**
 * GET|POST /consent/confirm?token=… (public): the second step of double opt-in. GET shows a page
 * whose button POSTs (a link prefetcher must not give consent on anyone's behalf); POST records it.
 */
import { randomIds } from '../core/ids.js';
import { confirmConsent, readConsentToken } from '../core/consent-confirmation.js';
import { secretReader } from '../adapters/secrets.js';
import { secretsClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { contactStore, leadStore } from '../shared/lead-store.js';
import { confirmPage, page } from '../shared/html.js';
import { html, httpRoute, json, wantsHtml } from '../shared/http.js';

const config = loadConfig('table', 'signing');
const store = leadStore(config);
const contacts = contactStore(config);
const readSecret = secretReader(secretsClient());

export const handler = httpRoute(async (event) => {
  const token = event.queryStringParameters?.token;
  const key = await readSecret(config.signingSecretId);
  if (event.requestContext?.http?.method !== 'POST') {
    readConsentToken(token, key);
    return html(200, confirmPage('Confirm your subscription', 'Press the button to confirm that you want our emails at this address.', 'Yes, send me your emails'));
  }
  await confirmConsent({ store, contacts, clock: config.clock, ids: randomIds }, token, key, event.requestContext?.http?.sourceIp);
  if (wantsHtml(event)) return html(200, page('Thank you', 'Your subscription is confirmed. You can unsubscribe with the link in any of our emails.'));
  return json(200, { status: 'confirmed' });
});
