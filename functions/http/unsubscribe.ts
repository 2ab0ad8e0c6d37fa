/**
 * GET|POST /unsubscribe?token=… (public). POST unsubscribes: RFC 8058 one-click from the mail client
 * (body `List-Unsubscribe=One-Click`, answered 200 JSON) or the button of the confirmation page
 * (answered with a page). GET only shows that page: mail scanners and link prefetchers follow links,
 * and must not unsubscribe anyone. An invalid token changes nothing.
 */
import { ValidationError } from '../core/errors.js';
import { randomIds } from '../core/ids.js';
import { unsubscribeLead } from '../core/unsubscribe.js';
import { verifyUnsubscribeToken } from '../core/unsubscribe-token.js';
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
  const leadId = token ? verifyUnsubscribeToken(token, await readSecret(config.signingSecretId)) : undefined;
  if (!leadId) throw new ValidationError('The unsubscribe link is invalid', [{ path: 'token', message: 'missing or invalid' }]);
  if (event.requestContext?.http?.method !== 'POST') {
    return html(200, confirmPage('Unsubscribe?', 'Press the button to stop all marketing email from us to this address.', 'Unsubscribe'));
  }
  await unsubscribeLead({ store, contacts, clock: config.clock, ids: randomIds }, leadId);
  if (wantsHtml(event)) return html(200, page('You are unsubscribed', 'You will receive no more marketing email from us.'));
  return json(200, { status: 'unsubscribed' });
});
