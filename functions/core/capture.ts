/**
 * Capturing a web-form lead (POST /leads):
 *   - a filled honeypot is answered like a success and stores nothing;
 *   - a new email creates the lead (with its consent record) and starts funnel run 1;
 *   - a known email (or one that won a concurrent race) merges the submission and counts it as a
 *     form_submitted engagement through the same code path as POST /events — never a second funnel;
 *   - the same submission again within a day (a retried request, a double click) changes nothing
 *     and scores nothing: its event id is derived from its content, so concurrent repeats count once.
 */
import { createHash } from 'node:crypto';
import { DAY_MS } from './clock.js';
import { EmailTakenError } from './errors.js';
import { applyEvent, type Amend } from './events.js';
import { ensureCurrentRun, type FunnelDeps } from './funnel-runs.js';
import type { Consent, Lead, LeadProfileFields, Stage } from './model.js';
import { normalizeEmail } from './normalize.js';
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
}

export interface CaptureResult {
  created: boolean;
  leadId: string;
  stage: Stage;
  /** True when the submission was a bot's (honeypot) and nothing was stored. */
  ignored?: boolean;
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

export async function captureLead(deps: FunnelDeps, input: CaptureInput): Promise<CaptureResult> {
  if (input.honeypot?.trim()) return { created: true, leadId: deps.ids.next(), stage: 'awareness', ignored: true };
  const email = normalizeEmail(input.email);
  const known = await deps.store.findByEmail(email);
  if (known) return mergeIntoKnown(deps, known, input);

  const now = deps.clock.now();
  const at = now.toISOString();
  const consent = consentRecord(input, at);
  const lead: Lead = {
    lastSubmission: { fingerprint: fingerprint(email, input), at },
    leadId: deps.ids.next(),
    email,
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
  try {
    await deps.store.create(lead, inWriteOrder([
      timelineEntry(deps.ids, lead.leadId, now, 'lead_captured', `Lead captured from ${consent.sourceForm}`, {
        sourceForm: consent.sourceForm,
        ...(lead.source ? { source: lead.source } : {}),
      }),
      consentEntry(deps, lead.leadId, now, consent),
    ]));
  } catch (err) {
    if (!(err instanceof EmailTakenError)) throw err;
    // A concurrent first submission of the same email won: this one is a repeat submission.
    const winner = await deps.store.findByEmail(email);
    if (!winner) throw err;
    return mergeIntoKnown(deps, winner, input);
  }
  await ensureCurrentRun(deps, lead);
  return { created: true, leadId: lead.leadId, stage: lead.stage };
}

async function mergeIntoKnown(deps: FunnelDeps, known: Lead, input: CaptureInput): Promise<CaptureResult> {
  const fields = nonEmpty(input.profile);
  const now = deps.clock.now();
  const print = fingerprint(known.email, input);
  const last = known.lastSubmission;
  if (last?.fingerprint === print && now.getTime() - Date.parse(last.at) < REPEAT_WINDOW_MS) {
    await ensureCurrentRun(deps, known);
    return { created: false, leadId: known.leadId, stage: known.stage };
  }
  const lastSubmission = { fingerprint: print, at: now.toISOString() };
  const amend: Amend = (lead, at) => {
    if (input.consent === undefined) return { lead: { ...lead, ...fields, lastSubmission }, timeline: [] };
    const consent = consentRecord(input, at.toISOString());
    return { lead: { ...lead, ...fields, consent, lastSubmission }, timeline: [consentEntry(deps, lead.leadId, at, consent)] };
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
  return { created: false, leadId: result.lead.leadId, stage: result.lead.stage };
}

const REPEAT_WINDOW_MS = DAY_MS;

/** What the person submitted, independent of field order and blank fields. */
function fingerprint(email: string, input: CaptureInput): string {
  const fields = Object.entries(nonEmpty(input.profile)).sort(([a], [b]) => a.localeCompare(b));
  const content = JSON.stringify([email, fields, input.consent ?? null, input.formId ?? null, input.consentTextVersion]);
  return createHash('sha256').update(content).digest('base64url').slice(0, 22);
}

function consentRecord(input: CaptureInput, at: string): Consent {
  return {
    given: input.consent ?? false,
    textVersion: input.consentTextVersion,
    at,
    sourceForm: input.formId ?? 'web-form',
    ...(input.ip ? { ip: input.ip } : {}),
  };
}

function consentEntry(deps: FunnelDeps, leadId: string, now: Date, consent: Consent) {
  return timelineEntry(
    deps.ids,
    leadId,
    now,
    'consent_recorded',
    consent.given ? `Marketing consent given (${consent.textVersion})` : 'No marketing consent given',
    { ...consent },
  );
}

function nonEmpty(profile: LeadProfileFields): LeadProfileFields {
  const out: LeadProfileFields = {};
  for (const key of PROFILE_KEYS) {
    const value = profile[key]?.trim();
    if (value) out[key] = value;
  }
  return out;
}
