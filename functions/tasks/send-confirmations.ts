/**
 * SendConfirmations — the confirmation outbox: emails the double opt-in link of every consent request a
 * form post stored, from the table's stream (an event source mapping filtered to lead and Contact items
 * whose `consentRequest` has no `mailedAt`). The form post itself only stores the request and answers; it
 * never waits on SES or the send ceiling, and a throttled email is not dropped:
 *
 *   - the email goes through the one send chokepoint (suppression, the send ceiling, exactly once per
 *     request by its ledger key `consent-confirm#<requestId>`), then the request is marked mailed;
 *   - a send over the ceiling or throttled by SES waits here with full jitter while the invocation has
 *     time, and is otherwise answered as a batch item failure: the stream retries from that record;
 *   - a request that is no longer pending (confirmed, withdrawn, superseded) or a person who is suppressed
 *     sends nothing, and is marked so it leaves the filter.
 * Any later write of the item that still carries the request unmarked is another try (the ledger makes it a
 * duplicate when the email went out), so a record that ran out of retries is picked up again.
 */
import type { Context } from 'aws-lambda';
import { DynamoConsentRequests, type RequestHolder } from '../adapters/dynamodb/consent-requests.js';
import { requestConsentConfirmation } from '../core/consent-confirmation.js';
import { documentClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { leadStore } from '../shared/lead-store.js';
import { logger } from '../shared/logger.js';
import { withMetrics } from '../shared/metrics.js';
import { retryWhileThrottled } from '../shared/pacing.js';
import { sendDepsFactory } from '../shared/send-deps.js';

const config = loadConfig('table', 'mail', 'signing');
const sendDeps = sendDepsFactory(config);
const leads = leadStore(config);
const requests = new DynamoConsentRequests(documentClient(), config.tableName);
const MARGIN_MS = 5_000;

interface StreamRecord {
  dynamodb?: { SequenceNumber?: string; NewImage?: Record<string, any> };
}

/** The request a record carries, and whose item holds it; undefined for anything else. */
export function pendingRequestOf(record: StreamRecord): { holder: RequestHolder; requestId: string } | undefined {
  const image = record.dynamodb?.NewImage;
  const request = image?.consentRequest?.M;
  const requestId = request?.requestId?.S;
  if (!requestId || request?.mailedAt) return undefined;
  const pk = String(image?.pk?.S ?? '');
  if (pk.startsWith('LEAD#') && image?.leadId?.S) return { holder: { kind: 'lead', leadId: image.leadId.S }, requestId };
  if (pk.startsWith('CONTACT#') && image?.email?.S) return { holder: { kind: 'contact', email: image.email.S }, requestId };
  return undefined;
}

async function confirm(holder: RequestHolder, requestId: string, deadline: number): Promise<'done' | 'retry'> {
  const lead = holder.kind === 'lead' ? await leads.get(holder.leadId) : await leads.findByEmail(holder.email);
  if (lead) {
    const sent = await retryWhileThrottled(async () => requestConsentConfirmation(await sendDeps(), lead), { deadline, baseMs: 250, capMs: 5_000 });
    if (!sent.done) return 'retry';
    logger.info('consent confirmation', { leadId: lead.leadId, requestId, outcome: sent.value?.outcome ?? 'no pending request' });
  }
  await requests.markMailed(holder, requestId, config.clock.now().toISOString());
  return 'done';
}

export const handler = withMetrics(async (event: { Records?: StreamRecord[] }, context?: Context) => {
  if (context) logger.addContext(context);
  const deadline = Date.now() + Math.max(1_000, (context?.getRemainingTimeInMillis?.() ?? 60_000) - MARGIN_MS);
  for (const record of event.Records ?? []) {
    const pending = pendingRequestOf(record);
    if (!pending) continue;
    let outcome: 'done' | 'retry';
    try {
      outcome = await confirm(pending.holder, pending.requestId, deadline);
    } catch (err) {
      logger.error('Could not send a consent confirmation (retried from this record)', { requestId: pending.requestId, error: err as Error });
      outcome = 'retry';
    }
    // In order: the stream retries from the first record not done (those after it are retried too, harmlessly).
    if (outcome === 'retry') return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
  }
  return { batchItemFailures: [] };
});
