/**
 * Privacy by default (GDPR): erasure (Art. 17), export (Art. 15) and the retention of closed leads.
 *
 * Erasing a lead, in this order (each step is idempotent, so a retry after a crash finishes the job):
 *   1. read the lead and everything held with it (profile, timeline, ledger, the customer with its
 *      timeline and ledger, pending events);
 *      no lead but a tombstone → "already erased" (a sweep still removes anything written late);
 *   2. record the suppression hash of the email FIRST, so a crash later never leaves the address mailable;
 *   3. stop the lead's running funnel execution, so no task writes or mails after the erasure;
 *   4. drop the pending domain events that name the person, and anonymize a rep with the same email
 *      (stopping its RepOnboarding run, so no reminder goes to an erased person);
 *   5. one transaction: delete the profile (at the version read in 1, else start again from 1), the
 *      email index item and the customer, and write the tombstone — the lead is gone or untouched;
 *   6. sweep the lead's partition: every timeline and ledger entry (and anything a stopped task wrote late),
 *      then the customer's partition `CUSTOMER#<id>` whole: its timeline and ledger (summaries and
 *      subjects name the person), and a profile a late task wrote back — on a repeat too, by the id
 *      derived from the lead's, so a retry or a second erasure removes whatever is left;
 *   7. remove the person's Contact (consent, suppression, cap): the suppression hash now stands for it.
 * What is kept: the suppression hash (forever), the tombstone (no personal data), processed-event
 * markers without personal data until their TTL (a year): a marker holds only the lead's or customer's
 * id (adapters/dynamodb/processed-events.ts), and pending events naming the person are dropped in 4.
 */
import { createHmac } from 'node:crypto';
import type { Clock } from './clock.js';
import { NotFoundError } from './errors.js';
import { contactOf } from './contact.js';
import type { Contact, Customer, DomainEvent, ErasureCounts, ErasureReason, Lead, LedgerEntry, Rep, SubjectTimelineEntry, TimelineEntry } from './model.js';
import { customerIdFor, normalizeEmail } from './normalize.js';
import type { ContactStore, PrivacyStore, WorkflowRuns, WorkflowStarter } from './ports.js';
import { withOptimisticRetry } from './retry.js';

export interface PrivacyDeps {
  privacy: PrivacyStore;
  starter: WorkflowStarter;
  contacts: ContactStore;
  /** Stops an erased rep's RepOnboarding run (absent where no rep workflow is deployed), and a customer's retention run. */
  runs?: Pick<WorkflowRuns, 'stopRun'>;
  /** The retention workflow is deployed where this runs: a customer's run is stopped on erasure. */
  stopsRetention?: boolean;
  clock: Clock;
  /** The HMAC key of suppression hashes (the signing secret). Read lazily: not every path needs it. */
  suppressionKey: () => Promise<string>;
}

/**
 * The salted hash an erased address is remembered by: HMAC-SHA256(key, normalized email), hex. Without
 * the key nobody can test a list of addresses against the suppression records.
 */
export const suppressionHash = (normalizedEmail: string, key: string): string =>
  createHmac('sha256', key).update(normalizedEmail, 'utf8').digest('hex');

/** Statuses with a LeadFunnel execution that may still be running (recycled leads nurture monthly). */
const RUNNING: readonly Lead['status'][] = ['active', 'recycled', 'won'];
/** The statuses the retention job erases. */
export const CLOSED: readonly Lead['status'][] = ['lost', 'disqualified', 'dormant'];

const PERSONAL_FIELDS = ['email', 'firstName', 'lastName', 'company', 'jobTitle', 'phone', 'message'] as const;

/** Does this value mention any of the lead's personal attributes? (Pending events carry ids, and sometimes more.) */
export function mentionsPerson(value: unknown, lead: Lead): boolean {
  const text = JSON.stringify(value ?? null).toLowerCase();
  return PERSONAL_FIELDS.some((f) => {
    const v = lead[f];
    return typeof v === 'string' && v.trim().length > 0 && text.includes(JSON.stringify(v.trim().toLowerCase()).slice(1, -1));
  });
}

export type ErasureStatus = 'erased' | 'already-erased' | 'nothing-held';
export type SuppressionOutcome = 'recorded' | 'already-recorded' | 'not-kept';

export interface ErasureResult {
  status: ErasureStatus;
  leadId?: string;
  erased: ErasureCounts;
  executionsStopped: number;
  suppression: SuppressionOutcome;
}

const noCounts = (): ErasureCounts => ({ profile: 0, emailIndex: 0, timeline: 0, ledger: 0, customer: 0, customerTimeline: 0, customerLedger: 0, pendingEvents: 0, reps: 0 });

/** DELETE /leads/{leadId}: erase one lead; 404 if it never existed, "already-erased" if it was erased. */
export async function eraseLead(deps: PrivacyDeps, leadId: string): Promise<ErasureResult> {
  const result = await eraseRecords(deps, leadId, 'request', { suppress: true });
  if (!result || result === 'not-due') throw new NotFoundError(`Lead ${leadId} not found`);
  return result;
}

/**
 * POST /privacy/erasure: erase whatever is held under an email. The suppression hash is recorded even
 * when nobody holds the address, so a later form post by it is never mailed.
 */
export async function eraseByEmail(deps: PrivacyDeps, email: string): Promise<ErasureResult> {
  const normalized = normalizeEmail(email);
  const at = deps.clock.now().toISOString();
  const fresh = await deps.privacy.recordSuppression(suppressionHash(normalized, await deps.suppressionKey()), at, 'request');
  const suppression: SuppressionOutcome = fresh ? 'recorded' : 'already-recorded';
  const leadId = await deps.privacy.leadIdByEmail(normalized);
  const erasure = leadId ? await eraseRecords(deps, leadId, 'request', { suppress: false }) : undefined;
  const result = erasure === 'not-due' ? undefined : erasure;
  const reps = await anonymizeReps(deps, normalized);
  await deps.contacts.remove(normalized);
  if (result) return { ...result, erased: { ...result.erased, reps: result.erased.reps + reps }, suppression };
  const status: ErasureStatus = reps > 0 ? 'erased' : fresh ? 'nothing-held' : 'already-erased';
  return { status, erased: { ...noCounts(), reps }, executionsStopped: 0, suppression };
}

/** Steps 1–6 of the doc block. Undefined when there is neither a lead nor a tombstone under the id. */
async function eraseRecords(
  deps: PrivacyDeps,
  leadId: string,
  reason: ErasureReason,
  options: { suppress: boolean | ((contact: Contact) => boolean); onlyIf?: (lead: Lead) => boolean },
): Promise<ErasureResult | undefined | 'not-due'> {
  const erased = noCounts();
  let executionsStopped = 0;
  let suppression: SuppressionOutcome = 'not-kept';
  // Customer ids derive from lead ids; a read lead's own reference wins (and a repeat has only the id).
  let customerId = customerIdFor(leadId);
  const outcome = await withOptimisticRetry(async (): Promise<'erased' | 'absent' | 'not-due'> => {
    const records = await deps.privacy.records(leadId);
    if (!records) return 'absent';
    const { lead } = records;
    customerId = records.customer?.customerId ?? lead.customerId ?? customerId;
    // Checked on every attempt: a conflicting write may have re-opened the lead.
    if (options.onlyIf && !options.onlyIf(lead)) return 'not-due';
    const at = deps.clock.now().toISOString();
    const suppress = typeof options.suppress === 'function' ? options.suppress((await contactOf(deps.contacts, lead.email, lead))!) : options.suppress;
    if (suppress && suppression === 'not-kept') {
      const hash = suppressionHash(lead.email, await deps.suppressionKey());
      suppression = (await deps.privacy.recordSuppression(hash, at, reason)) ? 'recorded' : 'already-recorded';
    }
    if (RUNNING.includes(lead.status) && executionsStopped === 0) {
      await deps.starter.stop(leadId, lead.run, `personal data erased (${reason})`);
      executionsStopped = 1;
    }
    // A customer's retention run is stopped too, so no check-in goes to an erased person (its next task would
    // find no customer and end anyway).
    if (records.customer?.run && deps.stopsRetention) await deps.runs?.stopRun('CustomerRetention', records.customer.customerId, records.customer.run, `personal data erased (${reason})`);
    for (const pending of records.pendingEvents) {
      if (!mentionsPerson(pending.events, lead)) continue;
      await deps.privacy.dropPendingEvents(pending.eventId);
      erased.pendingEvents++;
    }
    erased.reps += await anonymizeReps(deps, lead.email);
    await deps.privacy.eraseLead({ lead, tombstone: { leadId, erasedAt: at, reason }, customerId: records.customer?.customerId });
    erased.profile = 1;
    erased.emailIndex = 1;
    erased.customer = records.customer ? 1 : 0;
    await deps.contacts.remove(lead.email);
    return 'erased';
  });
  if (outcome === 'not-due') return outcome;
  const found = outcome === 'erased';
  if (!found && !(await deps.privacy.tombstone(leadId))) return undefined;
  const swept = await deps.privacy.sweepPartition(leadId);
  erased.timeline = swept.timeline;
  erased.ledger = swept.ledger;
  const sweptCustomer = await deps.privacy.sweepCustomerPartition(customerId);
  // A profile found by the sweep was written back after the transaction (or before a crash): still one customer.
  erased.customer = Math.max(erased.customer, sweptCustomer.customer);
  erased.customerTimeline = sweptCustomer.customerTimeline;
  erased.customerLedger = sweptCustomer.customerLedger;
  if (!found) {
    const changed = Object.values(erased).some((n) => n > 0);
    return { status: changed ? 'erased' : 'already-erased', leadId, erased, executionsStopped, suppression: 'not-kept' };
  }
  return { status: 'erased', leadId, erased, executionsStopped, suppression };
}

async function anonymizeReps(deps: PrivacyDeps, normalizedEmail: string): Promise<number> {
  const reps = await deps.privacy.repsByEmail(normalizedEmail);
  for (const rep of reps) {
    if (rep.run !== undefined) await deps.runs?.stopRun('RepOnboarding', rep.repId, rep.run, 'personal data erased');
    await deps.privacy.anonymizeRep(rep.repId);
  }
  return reps.length;
}

export interface PersonalDataExport {
  email: string;
  exportedAt: string;
  lead?: Omit<Lead, 'version'>;
  timeline: TimelineEntry[];
  ledger: LedgerEntry[];
  customer?: Customer;
  /** The customer's own timeline and send ledger (partition `CUSTOMER#<id>`); empty when not a customer. */
  customerTimeline: SubjectTimelineEntry[];
  customerLedger: LedgerEntry[];
  /** Domain events about the person not yet published. */
  pendingEvents: DomainEvent[];
  /** Each rep with the email, with its timeline. */
  reps: Array<Rep & { timeline: SubjectTimelineEntry[] }>;
  /** The person's consent, pending request, suppression and recent marketing sends. */
  contact?: Omit<Contact, 'version'>;
  suppression: {
    /** Unsubscribed, bounced, complained or suppressed by hand: no marketing or nurture email. */
    suppressed: boolean;
    reason?: string;
    at?: string;
  };
}

/** GET /privacy/export: everything held about the person with this email; 404 if nothing is. */
export async function exportPersonalData(deps: Pick<PrivacyDeps, 'privacy' | 'clock' | 'contacts'>, email: string): Promise<PersonalDataExport> {
  const normalized = normalizeEmail(email);
  const leadId = await deps.privacy.leadIdByEmail(normalized);
  const [records, reps] = await Promise.all([leadId ? deps.privacy.records(leadId) : undefined, deps.privacy.repsByEmail(normalized)]);
  const stored = await contactOf(deps.contacts, normalized, records?.lead);
  if (!records && reps.length === 0 && !stored) throw new NotFoundError('No personal data is held for this email');
  const { version: _version, ...lead } = records?.lead ?? ({} as Lead);
  const { version: _contactVersion, ...contact } = stored ?? ({} as Contact);
  const repTimelines = await Promise.all(reps.map((rep) => deps.privacy.repTimeline(rep.repId)));
  return {
    email: normalized,
    exportedAt: deps.clock.now().toISOString(),
    ...(records ? { lead } : {}),
    timeline: records?.timeline ?? [],
    ledger: records?.ledger ?? [],
    ...(records?.customer ? { customer: records.customer } : {}),
    customerTimeline: records?.customerTimeline ?? [],
    customerLedger: records?.customerLedger ?? [],
    pendingEvents: records?.pendingEvents.flatMap((p) => p.events) ?? [],
    reps: reps.map((rep, i) => ({ ...rep, timeline: repTimelines[i] ?? [] })),
    ...(stored ? { contact } : {}),
    suppression: stored?.suppressed ? { suppressed: true, reason: stored.suppressed.reason, at: stored.suppressed.at } : { suppressed: false },
  };
}

export interface RetentionRun {
  /** Leads whose last activity is before this were due. */
  cutoff: string;
  erased: string[];
  /** Listed by the index but no longer closed, or active again since: left alone. */
  skipped: number;
}

/** `now` minus whole calendar months (UTC). */
export function retentionCutoff(now: Date, months: number): Date {
  const cutoff = new Date(now.getTime());
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
  return cutoff;
}

/**
 * The retention job: erases closed leads (lost, disqualified, dormant) whose last activity is older
 * than the retention period. Each candidate from the closed-lead index is re-read and checked before it
 * is erased (the index is eventually consistent, and a woken lead is no longer due). A suppression hash
 * is kept only for a lead that had been suppressed (unsubscribed, bounced…), so it stays unmailed.
 */
export async function eraseClosedLeads(
  deps: PrivacyDeps,
  options: { retentionMonths: number; now?: Date; pageSize?: number },
): Promise<RetentionRun> {
  const cutoff = retentionCutoff(options.now ?? deps.clock.now(), options.retentionMonths).toISOString();
  const run: RetentionRun = { cutoff, erased: [], skipped: 0 };
  let cursor: string | undefined;
  do {
    const page = await deps.privacy.closedBefore(cutoff, { limit: options.pageSize ?? 50, cursor });
    for (const { leadId } of page.items) {
      const result = await eraseRecords(deps, leadId, 'retention', {
        suppress: (contact) => Boolean(contact.suppressed),
        onlyIf: (lead) => CLOSED.includes(lead.status) && lead.updatedAt < cutoff,
      });
      if (typeof result === 'object' && result.status === 'erased') run.erased.push(leadId);
      else run.skipped++;
    }
    cursor = page.cursor;
  } while (cursor);
  return run;
}
