/**
 * GET|POST /unsubscribe?token=… (public). GET is the link a person clicks (answers a page); POST is
 * RFC 8058 one-click from the mail client (body `List-Unsubscribe=One-Click`, answered 200). Both
 * suppress the lead at once; an invalid token changes nothing.
 */
import { ValidationError } from '../core/errors.js';
import { randomIds } from '../core/ids.js';
import { unsubscribeLead } from '../core/unsubscribe.js';
import { verifyUnsubscribeToken } from '../core/unsubscribe-token.js';
import { secretReader } from '../adapters/secrets.js';
import { secretsClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { leadStore } from '../shared/lead-store.js';
import { page } from '../shared/html.js';
import { html, httpRoute, json } from '../shared/http.js';

const config = loadConfig('table', 'signing');
const store = leadStore(config);
const readSecret = secretReader(secretsClient());

export const handler = httpRoute(async (event) => {
  const token = event.queryStringParameters?.token;
  const leadId = token ? verifyUnsubscribeToken(token, await readSecret(config.signingSecretId)) : undefined;
  if (!leadId) throw new ValidationError('The unsubscribe link is invalid', [{ path: 'token', message: 'missing or invalid' }]);
  await unsubscribeLead({ store, clock: config.clock, ids: randomIds }, leadId);
  if (event.requestContext?.http?.method === 'POST') return json(200, { status: 'unsubscribed' });
  return html(200, page('You are unsubscribed', 'You will receive no more marketing email from us.'));
});
