/**
 * Capturing a web-form lead (POST /leads). Who is calling decides what a submission may change:
 *
 *   - an anonymous caller (a browser form, or anyone on the internet) may create a lead and may fill
 *     a known lead's EMPTY profile fields, never overwrite them: a differing value is recorded on the
 *     timeline as a submitted change for a person to review. A marketing opt-in it gives only takes
 *     effect once the person confirms it by the emailed link (double opt-in, unless switched off);
 *     withdrawing consent takes effect at once;
 *   - an integration calling with the API key is trusted: its values update the profile and the
 *     consent it collected itself is recorded as given.
 *
 * Then, for everyone:
 *   - a filled honeypot is answered like a success and stores nothing;
 *   - a new email creates the lead in one write (the lead as the submission makes it, its email's claim,
 *     the captured and consent entries) and is answered; what needs reading is its intake, done once
 *     before its first run starts (completeIntake, by StartRuns: the submission outbox): a referral is
 *     checked, an erased address stored suppressed, and a Contact the person already has (as a rep, a
 *     customer) keeps its suppression and cap and takes the new consent;
 *   - a known email (or one that won a concurrent race) counts as a form_submitted engagement through
 *     the same code path as POST /events — never a second funnel; forms score once per lead per day;
 *   - the same submission again within a day (a retried request, a double click) changes nothing
 *     and scores nothing: its event id is derived from its content, so concurrent repeats count once.
 */
import { createHash } from 'node:crypto';
import { DAY_MS } from './clock.js';
import { EmailTakenError, VersionConflictError } from './errors.js';
import { applyEvent, type Amend } from './events.js';
import { ensureCurrentRun, type FunnelDeps } from './funnel-runs.js';
import type { Consent, ConsentRequest, Lead, LeadIntake, LeadProfileFields, Stage, TimelineEntry } from './model.js';
import { normalizeEmail } from './normalize.js';
import { isSelfReferral } from './referral.js';
import { contactOfLead, saveContact } from './contact.js';
import type { ContactStore } from './ports.js';
import { withOptimisticRetry } from './retry.js';
import { inWriteOrder, timelineEntry } from './timeline.js';

export interface CaptureInput {
  email: string;
  profile: LeadProfileFields;
  /** Marketing opt-in; undefined when the form did not ask (a known lead's consent is then kept). */
  consent?: boolean;
  consentTextVersion: string;
  formId?: string;
  ip?: string;
  /** The hidden field only bots fill in. */
  honeypot?: string;
  /** The caller presented the API key (an integration), rather than being an anonymous browser. */
  trusted: boolean;
  /** An anonymous opt-in needs the person's confirmation by email (the default; a setting). */
  doubleOptIn: boolean;
  /** The customer whose referral link the form was opened from (its code already verified). */
  referredBy?: string;
}

export interface CaptureResult {
  created: boolean;
  leadId: string;
  stage: Stage;
  /** True when the submission was a bot's (honeypot) and nothing was stored. */
  ignored?: boolean;
}

export interface CaptureDeps extends FunnelDeps {
  contacts: ContactStore;
  /**
   * Told when a new `consentRequest` was stored whose link must be mailed (at most once a day per person).
   * On AWS and locally nothing needs doing here: the stored request is itself the confirmation outbox's
   * entry, which SendConfirmations mails from the table stream (functions/tasks/send-confirmations.ts).
   */
  confirmConsent(lead: Lead): Promise<void>;
  /** Whether the address was erased on request: such a person is stored suppressed and never mailed. */
  isErased?(normalizedEmail: string): Promise<boolean>;
  /** Referrals (core/customers.ts): the referrer's email, and the referral counted on the referrer. */
  referrals?: {
    referrerEmail(customerId: string): Promise<string | undefined>;
    record(customerId: string, leadId: string): Promise<void>;
  };
}

const PROFILE_KEYS = [
  'firstName',
  'lastName',
  'company',
  'jobTitle',
  'phone',
  'message',
  'source',
  'utm_source',
  'utm_medium',
  'utm_campaign',
] as const satisfies readonly (keyof LeadProfileFields)[];

/** A new confirmation email for the same person at most this often, however often the form is posted. */
const CONFIRMATION_RESEND_MS = DAY_MS;
const REPEAT_WINDOW_MS = DAY_MS;

export async function captureLead(deps: CaptureDeps, input: CaptureInput): Promise<CaptureResult> {
  if (input.honeypot?.trim()) return { created: true, leadId: deps.ids.next(), stage: 'awareness', ignored: true };
  const email = normalizeEmail(input.email);
  const now = deps.clock.now();
  const at = now.toISOString();
  // A new email costs the request one write: the lead as the submission makes it, its email's claim and
  // its first timeline entries, in one transaction. What needs reading first is left to the intake.
  const { consent, request } = consentOnCreate(deps, input, at);
  const lead: Lead = { ...newLead(deps, input, email, at, consent), ...(request ? { consentRequest: request } : {}), intake: intakeOf(input, at) };
  const lost = await createOrMerge(deps, lead, input, [...capturedEntries(deps, lead, input, now), ...consentEntries(deps, lead.leadId, now, consent, request)]);
  if (lost) return lost;
  return { created: true, leadId: lead.leadId, stage: lead.stage };
}

function intakeOf(input: CaptureInput, receivedAt: string): LeadIntake {
  return {
    receivedAt,
    trusted: input.trusted,
    doubleOptIn: input.doubleOptIn,
    consentTextVersion: input.consentTextVersion,
    ...(input.consent !== undefined ? { consent: input.consent } : {}),
    ...(input.formId ? { formId: input.formId } : {}),
    ...(input.ip ? { ip: input.ip } : {}),
    ...(input.referredBy ? { referredBy: input.referredBy } : {}),
  };
}

/**
 * Takes in a new lead's submission (the submission outbox: see Lead.intake), once, before its run starts.
 * The request stored the lead as the submission alone makes it; the intake applies what needed reading:
 *   - a referral code's customer is checked (exists, not the person themselves) and the referral counted;
 *   - a person who already has a Contact (as a rep, a customer, a lead erased and back) keeps its
 *     suppression and cap and takes the submission's consent like a known lead (its own request, if any);
 *   - an erased address is stored suppressed (its confirmation, if asked for, is then never mailed).
 * The lead's save, conditional on its version, is the commit: it takes the lead off the intake and puts
 * it on the run outbox, and a consent request on the confirmation outbox. Run again (a retried stream
 * record, the sweeper, a request that met the lead first) it finds no intake and returns the lead.
 */
export async function completeIntake(deps: CaptureDeps, leadId: string): Promise<Lead | undefined> {
  return withOptimisticRetry(async () => {
    const lead = await deps.store.get(leadId);
    if (!lead?.intake) return lead;
    const { intake, ...rest } = lead;
    const input: CaptureInput = { email: lead.email, profile: {}, ...intake };
    const received = new Date(intake.receivedAt);
    const referredBy = await referrerOf(deps, input, lead.email);
    let next: Lead = { ...rest, ...(referredBy ? { referredBy, source: lead.source ?? 'referral' } : {}) };
    const timeline: TimelineEntry[] = referredBy
      ? [timelineEntry(deps.ids, lead.leadId, received, 'referred', 'Came by a customer\'s referral link', { referredBy })]
      : [];
    const stored = await deps.contacts.get(lead.email);
    if (stored) {
      // The person's Contact holds consent, requests and suppression: the submission's consent goes there,
      // its own conditional write, before the lead's commit (as for a known lead).
      const { consentRequest: _request, ...withoutRequest } = next;
      next = { ...withoutRequest, consent: stored.consent };
      const change = await changeContactConsent(deps, next, input, received);
      if (change.changed) timeline.push(...consentEntries(deps, lead.leadId, received, change.consent, change.request, change.change));
    } else if ((await deps.isErased?.(lead.email)) ?? false) {
      next = { ...next, suppressed: { at: intake.receivedAt, reason: 'erased' } };
    }
    if (referredBy) await deps.referrals?.record(referredBy, lead.leadId);
    // updatedAt stays: taking the submission in is not activity (the closed-lead index sorts by it), and the
    // run it requests counts as asked for when the submission arrived.
    const saved = await deps.store.save(next, lead.version, inWriteOrder(timeline));
    if (saved.consentRequest && !saved.suppressed) await deps.confirmConsent(saved);
    // Queued by the save itself on AWS and locally (a no-op starter); a direct starter starts it here.
    await ensureCurrentRun(deps, saved);
    return saved;
  });
}

/** The lead as it stands once its intake (if still pending) is done. */
async function settled(deps: CaptureDeps, lead: Lead): Promise<Lead> {
  return lead.intake ? ((await completeIntake(deps, lead.leadId)) ?? lead) : lead;
}

/**
 * The referrer of a new lead: a referral code's customer, unless it no longer exists or is the person
 * themselves (a customer cannot refer themselves). Either way the submission is answered the same.
 */
async function referrerOf(deps: CaptureDeps, input: CaptureInput, email: string): Promise<string | undefined> {
  if (!input.referredBy || !deps.referrals) return undefined;
  const referrer = await deps.referrals.referrerEmail(input.referredBy);
  if (!referrer || isSelfReferral(referrer, email)) return undefined;
  return input.referredBy;
}

async function mergeIntoKnown(deps: CaptureDeps, found: Lead, input: CaptureInput): Promise<CaptureResult> {
  // A second submission can meet a lead whose first is not yet taken in: that one goes first.
  const known = await settled(deps, found);
  const fields = nonEmpty(input.profile);
  const now = deps.clock.now();
  const print = fingerprint(known.email, input);
  const last = known.lastSubmission;
  if (last?.fingerprint === print && now.getTime() - Date.parse(last.at) < REPEAT_WINDOW_MS) {
    await ensureCurrentRun(deps, known);
    return { created: false, leadId: known.leadId, stage: known.stage };
  }
  const lastSubmission = { fingerprint: print, at: now.toISOString() };
  // The consent change is the Contact's, written first (its own conditional write); its timeline
  // entries go with the lead's form_submitted save.
  const change = await changeContactConsent(deps, known, input, now);
  const amend: Amend = (lead, when) => {
    const timeline: TimelineEntry[] = [];
    const profile = input.trusted ? { ...lead, ...fields } : fillEmpty(lead, fields, (differing) =>
      timeline.push(timelineEntry(deps.ids, lead.leadId, when, 'profile_change_submitted',
        `Form submitted different ${Object.keys(differing).join(', ')}: kept the stored values`, { submitted: differing, sourceForm: input.formId ?? 'web-form' })));
    if (change.changed) timeline.push(...consentEntries(deps, lead.leadId, when, change.consent, change.request, change.change));
    return { lead: { ...profile, lastSubmission }, timeline };
  };
  const result = await applyEvent(
    deps,
    known,
    {
      // Same content after the same previous submission → same id: concurrent repeats count once.
      eventId: `form-${known.leadId}-${print}-${last?.at ?? known.createdAt}`,
      type: 'form_submitted',
      leadId: known.leadId,
      occurredAt: now.toISOString(),
      properties: { sourceForm: input.formId ?? 'web-form', fields: Object.keys(fields) },
    },
    amend,
  );
  // A repeat submission is also how a lost first start gets repaired (a no-op when the run exists).
  if (result.lead.run === known.run) await ensureCurrentRun(deps, result.lead);
  if (change.change.sendConfirmation && result.outcome === 'applied' && change.request) await deps.confirmConsent(result.lead);
  return { created: false, leadId: result.lead.leadId, stage: result.lead.stage };
}

/** Applies a submission's consent to the known lead's Contact (creating it from the lead's own fields). */
async function changeContactConsent(deps: CaptureDeps, lead: Lead, input: CaptureInput, now: Date) {
  return withOptimisticRetry(async () => {
    const at = now.toISOString();
    const contact = await contactOfLead(deps.contacts, lead);
    const change = consentOnMerge(deps, contact, input, at);
    const next = { ...contact, updatedAt: at };
    if (change.consent) next.consent = change.consent;
    if (change.request !== undefined) next.consentRequest = change.request;
    if (change.clearRequest) delete next.consentRequest;
    const changed = Boolean(change.consent || change.request || change.clearRequest);
    const saved = changed ? await saveContact(deps.contacts, contact, next) : contact;
    return { change, changed, consent: saved.consent, request: change.request };
  });
}

/** A lead as a first submission makes it: awareness, run 1, the submitted profile. */
function newLead(deps: CaptureDeps, input: CaptureInput, email: string, at: string, consent: Consent, referredBy?: string): Lead {
  return {
    lastSubmission: { fingerprint: fingerprint(email, input), at },
    leadId: deps.ids.next(),
    email,
    // A referred lead's source says so unless the form named one.
    ...(referredBy ? { referredBy, source: 'referral' } : {}),
    ...nonEmpty(input.profile),
    stage: 'awareness',
    status: 'active',
    score: 0,
    run: 1,
    consent,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

function capturedEntries(deps: CaptureDeps, lead: Lead, input: CaptureInput, now: Date): TimelineEntry[] {
  const sourceForm = input.formId ?? 'web-form';
  return [
    timelineEntry(deps.ids, lead.leadId, now, 'lead_captured', `Lead captured from ${sourceForm}`, {
      sourceForm,
      trusted: input.trusted,
      ...(lead.source ? { source: lead.source } : {}),
      ...(lead.referredBy ? { referredBy: lead.referredBy } : {}),
    }),
  ];
}

/**
 * Creates the lead; when a concurrent first submission of the same email won the race, this one is a
 * repeat submission of the winner instead (its result returned; undefined when this one created it).
 */
async function createOrMerge(deps: CaptureDeps, lead: Lead, input: CaptureInput, timeline: TimelineEntry[]): Promise<CaptureResult | undefined> {
  return withOptimisticRetry(async () => {
    try {
      await deps.store.create(lead, inWriteOrder(timeline));
      return undefined;
    } catch (err) {
      if (!(err instanceof EmailTakenError)) throw err;
      const winner = await deps.store.findByEmail(lead.email);
      // Claimed by a concurrent first submission whose write is not yet readable: read again shortly.
      if (!winner) throw new VersionConflictError(lead.leadId);
      return mergeIntoKnown(deps, winner, input);
    }
  });
}

/** What the person submitted, independent of field order and blank fields. */
function fingerprint(email: string, input: CaptureInput): string {
  const fields = Object.entries(nonEmpty(input.profile)).sort(([a], [b]) => a.localeCompare(b));
  const content = JSON.stringify([email, fields, input.consent ?? null, input.formId ?? null, input.consentTextVersion, input.trusted]);
  return createHash('sha256').update(content).digest('base64url').slice(0, 22);
}

function baseConsent(input: CaptureInput, at: string): Omit<Consent, 'given'> {
  return { textVersion: input.consentTextVersion, at, sourceForm: input.formId ?? 'web-form', ...(input.ip ? { ip: input.ip } : {}) };
}

function newRequest(deps: Pick<FunnelDeps, 'ids'>, input: CaptureInput, at: string): ConsentRequest {
  return { requestId: deps.ids.next(), ...baseConsent(input, at) };
}

/** A new lead's consent: given at once only by a trusted caller or with double opt-in switched off. */
function consentOnCreate(deps: Pick<FunnelDeps, 'ids'>, input: CaptureInput, at: string): { consent: Consent; request?: ConsentRequest } {
  if (!input.consent) return { consent: { given: false, ...baseConsent(input, at) } };
  if (input.trusted) return { consent: { given: true, method: 'integration', ...baseConsent(input, at) } };
  if (!input.doubleOptIn) return { consent: { given: true, method: 'form', ...baseConsent(input, at) } };
  return { consent: { given: false, ...baseConsent(input, at) }, request: newRequest(deps, input, at) };
}

interface ConsentChange {
  consent?: Consent;
  request?: ConsentRequest;
  clearRequest?: boolean;
  withdrawn?: boolean;
  sendConfirmation: boolean;
}

function consentOnMerge(deps: Pick<FunnelDeps, 'ids'>, lead: Pick<Lead, 'consent' | 'consentRequest'>, input: CaptureInput, at: string): ConsentChange {
  if (input.consent === undefined) return { sendConfirmation: false };
  if (input.consent === false) {
    // Withdrawal needs no confirmation and takes effect at once (GDPR Art. 7(3)); a pending request dies with it.
    if (!lead.consent.given && !lead.consentRequest) return { sendConfirmation: false };
    const consent: Consent = { ...lead.consent, given: false, at, withdrawnAt: at };
    return { consent: lead.consent.given ? consent : undefined, clearRequest: true, withdrawn: true, sendConfirmation: false };
  }
  if (lead.consent.given && !input.trusted) return { sendConfirmation: false };
  if (input.trusted || !input.doubleOptIn) {
    return { consent: { given: true, method: input.trusted ? 'integration' : 'form', ...baseConsent(input, at) }, clearRequest: true, sendConfirmation: false };
  }
  // Anonymous opt-in for a known person: ask them. A pending request from the last day is reused, so
  // nobody can flood someone's inbox with confirmation emails by posting the form in a loop.
  const pending = lead.consentRequest;
  if (pending && Date.parse(at) - Date.parse(pending.at) < CONFIRMATION_RESEND_MS) return { sendConfirmation: false };
  return { request: newRequest(deps, input, at), sendConfirmation: true };
}

function consentEntries(
  deps: Pick<FunnelDeps, 'ids'>,
  leadId: string,
  now: Date,
  consent: Consent,
  request?: ConsentRequest,
  change?: ConsentChange,
): TimelineEntry[] {
  if (change?.withdrawn) return [timelineEntry(deps.ids, leadId, now, 'consent_withdrawn', 'Marketing consent withdrawn', { ...consent })];
  if (request) {
    return [
      timelineEntry(deps.ids, leadId, now, 'consent_requested', 'Marketing consent asked for on a form: waiting for the emailed confirmation', {
        ...request,
      }),
    ];
  }
  if (change && !change.consent) return [];
  return [
    timelineEntry(
      deps.ids,
      leadId,
      now,
      'consent_recorded',
      consent.given ? `Marketing consent given (${consent.textVersion}, ${consent.method})` : 'No marketing consent given',
      { ...consent },
    ),
  ];
}

/** Anonymous merge: empty fields are filled; a differing value is reported, never written. */
function fillEmpty(lead: Lead, fields: LeadProfileFields, report: (differing: LeadProfileFields) => void): Lead {
  const next: Lead = { ...lead };
  const differing: LeadProfileFields = {};
  for (const key of PROFILE_KEYS) {
    const value = fields[key];
    if (value === undefined) continue;
    if (!lead[key]) next[key] = value;
    else if (lead[key] !== value) differing[key] = value;
  }
  if (Object.keys(differing).length) report(differing);
  return next;
}

function nonEmpty(profile: LeadProfileFields): LeadProfileFields {
  const out: LeadProfileFields = {};
  for (const key of PROFILE_KEYS) {
    const value = profile[key]?.trim();
    if (value) out[key] = value;
  }
  return out;
}
