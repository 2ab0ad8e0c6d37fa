/**
 * THE send chokepoint: every lead-facing email of the funnel goes through `sendLeadEmail`.
 *
 * Steps, all decided at send time (not when the workflow scheduled the email):
 * 1. Load the lead; a task of an older run throws SupersededError (the state machine ends quietly).
 * 2. Suppressed (unsubscribed, bounced, complained) or not permitted by the consent policy → skipped.
 * 3. Promotional and over the frequency cap → deferred (the state machine waits and retries).
 * 4. Claim the exactly-once ledger key, record the send in `recentMarketingSends` and write the
 *    timeline entry in ONE conditional save; a claim that exists already → duplicate, send nothing.
 * 5. Send through the Mailer, then mark the ledger entry sent with the provider's message id.
 *
 * Never twice: the claim is written before the SES call. When SES answers that it refused the
 * message (MailRejectedError: throttled, rejected), nothing went out, so the claim is given back and
 * the task fails for Step Functions to retry. When the outcome is unknown (a crash or timeout between
 * claim and answer), the claim stays and a retry answers `duplicate`: an unsent email (a ledger
 * entry without a message id) is preferred to a double send.
 */
import type { Clock } from './clock.js';
import { isPromotional, sendPermission, type ConsentPolicy } from './consent.js';
import { DuplicateSendError, MailRejectedError, NotFoundError, SupersededError } from './errors.js';
import { checkFrequencyCap, type FrequencyCap } from './frequency-cap.js';
import type { Lead, Stage } from './model.js';
import type { IdGenerator, LeadStore, Mailer, OutgoingEmail } from './ports.js';
import { renderLeadEmail, unsubscribeUrl, type LinkFields } from './render.js';
import { withOptimisticRetry } from './retry.js';
import { timelineEntry } from './timeline.js';
import { signUnsubscribeToken } from './unsubscribe-token.js';
import type { EmailTemplate as LeadTemplate, SendCategory } from './templates.js';

export interface SendSettings {
  consentPolicy: ConsentPolicy;
  frequencyCap: FrequencyCap;
  publicBaseUrl: string;
  postalAddress: string;
  companyName: string;
  /** HMAC key of unsubscribe tokens. */
  signingKey: string;
}

export interface SendDeps {
  leads: LeadStore;
  mailer: Mailer;
  clock: Clock;
  ids: IdGenerator;
  templates: Readonly<Record<string, LeadTemplate>>;
  settings: SendSettings;
}

export interface SendRequest {
  leadId: string;
  run: number;
  /** The stage whose programme holds the step (recycle steps: the lead's stage or 'recycle'). */
  stage: Stage | 'recycle';
  stepId: string;
  template: string;
  category: SendCategory;
}

export type SendOutcome = 'sent' | 'skipped' | 'deferred' | 'duplicate';
export interface SendResult {
  outcome: SendOutcome;
  reason?: string;
}

/**
 * A programme email goes to a lead once, ever — even when a wake-up restarts the stage in a new run.
 * Recycle emails repeat per recycle period, so their key includes the run.
 */
export function sendLedgerKey(req: Pick<SendRequest, 'run' | 'stage' | 'stepId' | 'category'>): string {
  return req.category === 'recycle' ? `recycle#${req.run}#${req.stepId}` : `${req.stage}#${req.stepId}`;
}

/** A lead-facing email: footer + one-click unsubscribe headers (RFC 8058) on every one of them. */
export function composeLeadEmail(
  lead: Lead,
  template: LeadTemplate,
  settings: SendSettings,
  tags: Record<string, string>,
  links: LinkFields = {},
): OutgoingEmail {
  const url = unsubscribeUrl(settings.publicBaseUrl, signUnsubscribeToken(lead.leadId, settings.signingKey));
  const rendered = renderLeadEmail(template, { ...lead, ...links }, { companyName: settings.companyName, postalAddress: settings.postalAddress, unsubscribeUrl: url });
  return {
    to: lead.email,
    ...rendered,
    headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    tags,
  };
}

/** A funnel step: the lead's run must still be the current one. */
export async function sendLeadEmail(deps: SendDeps, req: SendRequest): Promise<SendResult> {
  const step = { stage: req.stage, stepId: req.stepId, template: req.template, category: req.category, run: req.run };
  return deliverLeadEmail(deps, { leadId: req.leadId, run: req.run, template: req.template, category: req.category, ledgerKey: sendLedgerKey(req), step });
}

export interface Delivery {
  leadId: string;
  /** When given, a task of another run is superseded (workflow steps); absent for one-off emails. */
  run?: number;
  template: string;
  category: SendCategory;
  /** The exactly-once key: a second delivery with it sends nothing. */
  ledgerKey: string;
  /** What the timeline entries record about the step. */
  step: Record<string, unknown>;
  /** Extra placeholders (e.g. `confirmUrl`), filled like profile fields. */
  links?: LinkFields;
}

/** The chokepoint itself, for a funnel step or a one-off email (the consent confirmation). */
export async function deliverLeadEmail(deps: SendDeps, req: Delivery): Promise<SendResult> {
  const { leads, clock, ids, settings } = deps;
  const template = deps.templates[req.template];
  if (!template) throw new NotFoundError(`template ${req.template} does not exist`);
  const { ledgerKey, step } = req;

  const claimed = await withOptimisticRetry(async (): Promise<{ result: SendResult } | { email: OutgoingEmail; lead: Lead }> => {
    const lead = await leads.get(req.leadId);
    if (!lead) throw new NotFoundError(`lead ${req.leadId} does not exist`);
    if (req.run !== undefined && lead.run !== req.run) throw new SupersededError(`lead ${lead.leadId} is on run ${lead.run}, not ${req.run}`);
    const now = clock.now();

    const permission = sendPermission(lead, req.category, settings.consentPolicy);
    if (!permission.allowed) {
      await leads.appendTimeline([
        timelineEntry(ids, lead.leadId, now, 'email_skipped', `Skipped ${req.template}: ${permission.reason}`, { ...step, reason: permission.reason }),
      ]);
      return { result: { outcome: 'skipped', reason: permission.reason } };
    }

    const promotional = isPromotional(req.category);
    const cap = checkFrequencyCap(lead.recentMarketingSends, now, settings.frequencyCap);
    if (promotional && !cap.allowed) {
      await leads.appendTimeline([
        timelineEntry(ids, lead.leadId, now, 'email_deferred', `Deferred ${req.template}: frequency cap reached`, { ...step, reason: 'frequency-cap', capFreesAt: cap.freesAt }),
      ]);
      return { result: { outcome: 'deferred', reason: 'frequency-cap' } };
    }

    // Rendered before the claim, so a broken template fails the task without burning the step.
    const email = composeLeadEmail(lead, template, settings, { leadId: lead.leadId, template: req.template, category: req.category }, req.links);
    const updated: Lead = {
      ...lead,
      ...(promotional ? { recentMarketingSends: [...cap.recent, now.toISOString()] } : {}),
      updatedAt: now.toISOString(),
    };
    const entry = timelineEntry(ids, lead.leadId, now, 'email_sent', `Sent "${email.subject}"`, { ...step, ledgerKey });
    try {
      await leads.save(updated, lead.version, [entry], { ledgerKey });
    } catch (err) {
      if (err instanceof DuplicateSendError) return { result: { outcome: 'duplicate' } };
      throw err;
    }
    return { email, lead };
  });
  if ('result' in claimed) return claimed.result;

  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send(claimed.email));
  } catch (err) {
    if (err instanceof MailRejectedError) {
      const failed = timelineEntry(ids, req.leadId, clock.now(), 'email_failed', `Not sent, will retry: ${err.message}`, { ...step, ledgerKey });
      await leads.releaseClaim(req.leadId, ledgerKey, [failed]);
    }
    throw err;
  }
  await leads.markSent(req.leadId, ledgerKey, messageId);
  return { outcome: 'sent' };
}
