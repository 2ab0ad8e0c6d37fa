/**
 * Double opt-in, the second step (GET|POST /consent/confirm?token=…). A marketing opt-in given on a
 * public form is only a request until the person proves they own the address by following the link
 * we emailed to it; then the consent record shows both steps, each with its time.
 *
 *   1. `requestConsentConfirmation` emails the link through the one send chokepoint (suppression
 *      respected, exactly once per request via the ledger key `consent-confirm#<requestId>`);
 *   2. `confirmConsent` verifies the signed token, checks it names the CURRENT request of the lead's
 *      Contact (a
 *      withdrawn or superseded request cannot be confirmed) and that it is not older than 30 days,
 *      and records consent as given. Idempotent: confirming twice changes nothing.
 */
import { DAY_MS, type Clock } from './clock.js';
import { signConsentToken, verifyConsentToken } from './consent-token.js';
import { NotFoundError, ValidationError } from './errors.js';
import type { Consent, Lead } from './model.js';
import { contactOfLead, saveContact } from './contact.js';
import type { ContactStore, IdGenerator, LeadStore } from './ports.js';
import { withOptimisticRetry } from './retry.js';
import { deliverLeadEmail, type SendDeps, type SendResult } from './send.js';
import { timelineEntry } from './timeline.js';

export const CONFIRMATION_TEMPLATE = 'consent-confirm';
const LINK_VALID_MS = 30 * DAY_MS;

export function consentConfirmUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/consent/confirm?token=${encodeURIComponent(token)}`;
}

export async function requestConsentConfirmation(deps: SendDeps, lead: Lead): Promise<SendResult | undefined> {
  const request = (await contactOfLead(deps.contacts, lead)).consentRequest;
  if (!request) return undefined;
  const token = signConsentToken(lead.leadId, request.requestId, deps.settings.signingKey);
  return deliverLeadEmail(deps, {
    leadId: lead.leadId,
    template: CONFIRMATION_TEMPLATE,
    category: 'transactional',
    ledgerKey: `consent-confirm#${request.requestId}`,
    step: { template: CONFIRMATION_TEMPLATE, category: 'transactional', requestId: request.requestId },
    links: { confirmUrl: consentConfirmUrl(deps.settings.publicBaseUrl, token) },
  });
}

const invalidLink = (why: string) => new ValidationError(`The confirmation link is ${why}`, [{ path: 'token', message: why }]);

/** Which lead a token is for, when it is genuine (for the confirmation page, before anything changes). */
export function readConsentToken(token: string | undefined, signingKey: string) {
  const ids = token ? verifyConsentToken(token, signingKey) : undefined;
  if (!ids) throw invalidLink('missing or invalid');
  return ids;
}

export async function confirmConsent(
  deps: { store: LeadStore; contacts: ContactStore; clock: Clock; ids: IdGenerator },
  token: string | undefined,
  signingKey: string,
  confirmedFrom?: string,
): Promise<{ leadId: string; alreadyConfirmed: boolean }> {
  const { leadId, requestId } = readConsentToken(token, signingKey);
  return withOptimisticRetry(async () => {
    const lead = await deps.store.get(leadId);
    if (!lead) throw new NotFoundError('The confirmation link names nobody we know');
    const contact = await contactOfLead(deps.contacts, lead);
    if (contact.consent.given && contact.consent.method === 'double-opt-in' && contact.consent.requestId === requestId) return { leadId, alreadyConfirmed: true };
    const request = contact.consentRequest;
    if (!request || request.requestId !== requestId) throw invalidLink('no longer valid (a newer request was made, or consent was withdrawn)');
    const now = deps.clock.now();
    if (now.getTime() - Date.parse(request.at) > LINK_VALID_MS) throw invalidLink('older than 30 days: please fill in the form again');
    const at = now.toISOString();
    const consent: Consent = {
      given: true,
      method: 'double-opt-in',
      textVersion: request.textVersion,
      sourceForm: request.sourceForm,
      ...(request.ip ? { ip: request.ip } : {}),
      requestedAt: request.at,
      requestId,
      confirmedAt: at,
      ...(confirmedFrom ? { confirmedIp: confirmedFrom } : {}),
      at,
    };
    const { consentRequest: _done, ...rest } = contact;
    // The Contact's consent and the lead's timeline entry: one unit of work.
    const work = deps.contacts.begin();
    await saveContact(deps.contacts, contact, { ...rest, consent, updatedAt: at }, work);
    await deps.store.save({ ...lead, updatedAt: at }, lead.version, [
      timelineEntry(deps.ids, leadId, now, 'consent_confirmed', `Marketing consent confirmed by email (${request.textVersion})`, { ...consent }),
    ], { work });
    await work.commit();
    return { leadId, alreadyConfirmed: false };
  });
}
