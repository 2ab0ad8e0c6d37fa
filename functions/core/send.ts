/**
 * THE send chokepoint: every email of every workflow goes through `deliver` — lead-facing emails of
 * the funnel (`sendLeadEmail`), and the emails to reps and their managers of RepOnboarding
 * (`deliverRepEmail`, core/rep-send.ts). Each kind of recipient plugs in its policy; the steps are one.
 *
 * Steps, all decided at send time (not when the workflow scheduled the email):
 * 1. Load the subject; a task of an older run throws SupersededError (the state machine ends quietly).
 * 2. Read the recipient's Contact (core/contact.ts: the person, whatever kinds of recipient they are):
 *    suppressed (unsubscribed, bounced, complained, erased) → skip, any kind of email to any kind of
 *    recipient; promotional without consent under opt-in → skip. Then the subject's own policy may skip:
 *    a rep erased or no longer on the programme.
 * 3. The policy says later → deferred, never dropped, with the time it may go (`until`): a promotional
 *    email over the Contact's frequency cap (one cap per person across every workflow) until the cap
 *    frees; a step marked `window: 'business-hours'` or a rep's reminder outside business hours in the
 *    recipient's time zone (core/send-window.ts) until the next opening; a second digest the same day.
 * 4. Take a slot of the system's send-rate ceiling (shared by every sender), waiting in place a moment
 *    for the next second's when this one's are gone (a burst mostly fits); still none → MailThrottledError
 *    before anything is claimed or counted. A second the sender already knows is full (it took the last
 *    slot or was refused one) is waited out before step 1, with no call at all: in a burst most sends
 *    meet a full ceiling, and reading their subject and Contact first would be for nothing.
 * 5. Claim the exactly-once ledger key (subject + workflow step), save what the send changes (the
 *    Contact's `recentMarketingSends`, the rep's reminder count) and write the timeline entry in ONE
 *    conditional write — one unit of work; a claim that exists already → duplicate, send nothing.
 * 6. Send through the Mailer, then mark the ledger entry sent with the provider's message id.
 *
 * Never twice: the claim is written before the SES call. When SES answers that it refused the
 * message (MailRejectedError) or that it is over its sending rate (MailThrottledError), nothing went
 * out, so the claim is given back — the ledger key, the claim's "sent" entry and the cap slot it
 * counted — and the task fails for Step Functions to retry (a throttled send for hours, with backoff
 * and jitter: error name SendThrottled). A refusal is noted on the timeline; a throttle is not (it may
 * repeat many times before the email goes). When the outcome is unknown (a crash or timeout between
 * claim and answer), the claim stays and a retry answers `duplicate`: an unsent email (a ledger entry
 * without a message id) is preferred to a double send.
 */
import type { Clock } from './clock.js';
import { isPromotional, sendPermission, type ConsentPolicy } from './consent.js';
import { DuplicateSendError, MailRejectedError, MailThrottledError, NotFoundError, SupersededError } from './errors.js';
import { blankContact, contactOf, updateContact } from './contact.js';
import { checkFrequencyCap, type FrequencyCap } from './frequency-cap.js';
import type { Contact, Lead, Stage, TimelineEntry, TimelineEntryType } from './model.js';
import type { ContactStore, IdGenerator, LeadStore, Mailer, OutgoingEmail, SendRateCeiling, UnitOfWork } from './ports.js';
import { renderLeadEmail, unsubscribeUrl, type LinkFields } from './render.js';
import { backoffMs, defaultSleep, withOptimisticRetry, type RetryPolicy } from './retry.js';
import { seenRunning } from './run-outbox.js';
import { DEFAULT_SEND_WINDOW, outsideBusinessHours, type SendWindow, type SendWindowSettings } from './send-window.js';
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
  /** Business hours and the default time zone of windowed steps (default: DEFAULT_SEND_WINDOW). */
  sendWindow?: SendWindowSettings;
}

export interface SendDeps {
  leads: LeadStore;
  contacts: ContactStore;
  mailer: Mailer;
  clock: Clock;
  ids: IdGenerator;
  templates: Readonly<Record<string, LeadTemplate>>;
  settings: SendSettings;
  /** The system-wide send-rate ceiling; absent: only the mail service's own limit applies. */
  rate?: SendRateCeiling;
  /** How long a send waits in place for a slot of the ceiling (default CEILING_WAIT). */
  rateWait?: RetryPolicy;
  /** Told every decision the chokepoint answers (metrics); it must not throw. */
  observe?: SendObserver;
}

/** Sees each delivery's answer: sent, skipped or deferred with its reason, or a duplicate. */
export type SendObserver = (result: SendResult) => void;

/**
 * Slots free every second, so a send over the ceiling tries again within about a second before it
 * fails to the engine's longer retries: an HTTP route that sends (a rep route, capture's confirmation)
 * rides out a short burst instead of failing it. Four tries, waits drawn below 250 ms, 500 ms, 1 s.
 */
export const CEILING_WAIT: RetryPolicy = { attempts: 4, baseMs: 250, capMs: 1_000 };

export interface SendRequest {
  leadId: string;
  run: number;
  /** The stage whose programme holds the step (recycle steps: the lead's stage or 'recycle'). */
  stage: Stage | 'recycle';
  stepId: string;
  template: string;
  category: SendCategory;
  /** The programme version of the run the step belongs to (from the definition): recorded on the send's timeline entry. */
  version?: number;
  /** The step may go only inside this window in the recipient's time zone. */
  window?: SendWindow;
}

export type SendOutcome = 'sent' | 'skipped' | 'deferred' | 'duplicate';
export interface SendResult {
  outcome: SendOutcome;
  reason?: string;
  /** A deferral that knows when the send may go (the next opening of business hours). */
  until?: string;
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
  const step = { stage: req.stage, stepId: req.stepId, template: req.template, category: req.category, run: req.run, ...(req.version !== undefined ? { version: req.version } : {}) };
  return deliverLeadEmail(deps, { leadId: req.leadId, run: req.run, template: req.template, category: req.category, ledgerKey: sendLedgerKey(req), step, ...(req.window ? { window: req.window } : {}) });
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
  /** Only inside this window in the lead's time zone (leads carry none yet: the deployment's default zone). */
  window?: SendWindow;
}

/** The chokepoint itself, for a funnel step or a one-off email (the consent confirmation). */
export async function deliverLeadEmail(deps: SendDeps, req: Delivery): Promise<SendResult> {
  const { leads, ids, settings } = deps;
  const template = deps.templates[req.template];
  if (!template) throw new NotFoundError(`template ${req.template} does not exist`);
  const entry = (now: Date, type: TimelineEntryType, summary: string, data: Record<string, unknown>) => timelineEntry(ids, req.leadId, now, type, summary, data);
  const subject: SendSubject<Lead, TimelineEntry> = {
    what: req.template,
    load: () => leads.get(req.leadId),
    missing: `lead ${req.leadId} does not exist`,
    check: (lead) => {
      if (req.run !== undefined && lead.run !== req.run) throw new SupersededError(`lead ${lead.leadId} is on run ${lead.run}, not ${req.run}`);
    },
    // A lead written before contacts stands in for its Contact until the first write creates that.
    recipient: (lead) => ({ email: lead.email, legacy: lead, guard: true }),
    promotional: isPromotional(req.category),
    category: req.category,
    decide: (lead, now) => {
      const window = req.window && (settings.sendWindow ?? DEFAULT_SEND_WINDOW);
      const outside = window && outsideBusinessHours(now, window.defaultTimeZone, window.businessHours);
      if (outside) return outside;
      // Rendered before the claim, so a broken template fails the task without burning the step.
      const email = composeLeadEmail(lead, template, settings, { leadId: lead.leadId, template: req.template, category: req.category }, req.links);
      // This task runs in run req.run: the claim also records that run as started (core/run-outbox.ts).
      return { kind: 'send', email, updated: { ...lead, updatedAt: now.toISOString(), ...seenRunning(lead, req.run) }, entries: [] };
    },
    entry,
    note: (entries) => leads.appendTimeline(entries),
    claim: async (updated, lead, entries, ledgerKey, work) => void (await leads.save(updated, lead.version, entries, { ledgerKey, work })),
    markSent: (ledgerKey, messageId) => leads.markSent(req.leadId, ledgerKey, messageId),
    release: (ledgerKey, entries, withdrawn) => leads.releaseClaim(req.leadId, ledgerKey, entries, withdrawn),
  };
  return deliver({ ...deps, policy: settings }, subject, { ledgerKey: req.ledgerKey, step: req.step });
}

/**
 * One kind of recipient's side of the chokepoint (a lead; a rep or their manager): how to load the
 * subject, what its policy says at send time, and how its timeline and ledger are written. The steps
 * and their order are `deliver`'s alone, so every kind gets the same guarantees.
 */
export interface SendSubject<S, E> {
  /** What is being sent, for the timeline ("awareness-welcome", "reminder digest"). */
  what: string;
  load(): Promise<S | undefined>;
  missing: string;
  /**
   * Who receives it, by email: their Contact decides suppression, consent and the cap. `legacy` stands
   * in for a Contact not stored yet (a lead written before contacts); `guard` makes the claim hold only
   * if the Contact is still as read (a concurrent unsubscribe wins), which needs a claim that stages in
   * the unit of work.
   */
  recipient?(subject: S): { email: string; legacy?: Lead; guard?: boolean } | undefined;
  /** Marketing or nurture: needs consent under opt-in and counts against the recipient's frequency cap. */
  promotional?: boolean;
  category?: string;
  /** Throws SupersededError when the task's run is no longer the subject's. */
  check(subject: S): void;
  /** The policy at `now`: skip, defer (never drop), or the email and the subject as the claim saves it. */
  decide(subject: S, now: Date): SendDecision<S, E>;
  entry(now: Date, type: 'email_sent' | 'email_skipped' | 'email_deferred' | 'email_failed', summary: string, data: Record<string, unknown>): E;
  note(entries: E[]): Promise<void>;
  /**
   * ONE conditional write: the updated subject (at the version read), its timeline and the ledger
   * claim, staged in `work` when given (deliver commits it with the Contact's save).
   */
  claim(updated: S, read: S, entries: E[], ledgerKey: string, work?: UnitOfWork): Promise<void>;
  markSent(ledgerKey: string, messageId: string): Promise<void>;
  /** Gives the claim back with `entries`, taking the `withdrawn` ones (the claim's own) off the timeline. */
  release(ledgerKey: string, entries: E[], withdrawn: E[]): Promise<void>;
}

export type SendDecision<S, E> =
  | { kind: 'skip'; reason: string }
  | { kind: 'defer'; reason: string; summary: string; until?: string; data?: Record<string, unknown> }
  | { kind: 'send'; email: OutgoingEmail; updated: S; entries: E[] };

type DeliverDeps = Pick<SendDeps, 'mailer' | 'clock' | 'rate' | 'rateWait' | 'observe'> & {
  /** Absent: no Contact is read (a caller from before contacts); suppression then is the subject's alone. */
  contacts?: ContactStore;
  policy?: Pick<SendSettings, 'consentPolicy' | 'frequencyCap'>;
};
type DeliverRequest = { ledgerKey: string; step: Record<string, unknown> };

/** Steps 1–6 of the doc block, for any kind of subject; the answer is also told to `deps.observe`. */
export async function deliver<S, E>(deps: DeliverDeps, subject: SendSubject<S, E>, req: DeliverRequest): Promise<SendResult> {
  const result = await decideAndSend(deps, subject, req);
  deps.observe?.(result);
  return result;
}

async function decideAndSend<S, E>(deps: DeliverDeps, subject: SendSubject<S, E>, req: DeliverRequest): Promise<SendResult> {
  const { clock } = deps;
  const { ledgerKey, step } = req;

  const ceiling = deps.rate && new CeilingWait(deps.rate, clock, deps.rateWait ?? CEILING_WAIT);
  // A second this sender already knows is full is waited out before anything is read: under a burst most
  // sends find the ceiling full, and each would otherwise read its subject and Contact for nothing.
  await ceiling?.open();
  const claimed = await withOptimisticRetry(async (): Promise<{ result: SendResult } | Claimed<E>> => {
    const current = await subject.load();
    if (!current) throw new NotFoundError(subject.missing);
    subject.check(current);
    const now = clock.now();
    const to = deps.contacts && subject.recipient?.(current);
    const contact = to ? await contactOf(deps.contacts!, to.email, to.legacy) : undefined;
    const verdict = contactVerdict(contact, subject, deps.policy, now);
    const decision: SendDecision<S, E> = verdict.kind === 'send' ? subject.decide(current, now) : verdict;
    if (decision.kind === 'skip') {
      await subject.note([subject.entry(now, 'email_skipped', `Skipped ${subject.what}: ${decision.reason}`, { ...step, reason: decision.reason })]);
      return { result: { outcome: 'skipped', reason: decision.reason } };
    }
    if (decision.kind === 'defer') {
      await subject.note([
        subject.entry(now, 'email_deferred', `Deferred ${subject.what}: ${decision.summary}`, { ...step, reason: decision.reason, ...decision.data, ...(decision.until ? { until: decision.until } : {}) }),
      ]);
      return { result: { outcome: 'deferred', reason: decision.reason, ...(decision.until ? { until: decision.until } : {}) } };
    }
    // Before the claim: over the ceiling nothing is claimed or counted, so there is nothing to give back.
    await ceiling?.take();
    const sent = subject.entry(now, 'email_sent', `Sent "${decision.email.subject}"`, { ...step, ledgerKey });
    let slot: Claimed<E>['slot'];
    try {
      const work = deps.contacts?.begin();
      // The cap's new send, or (guard) the Contact unchanged, so the claim fails if it changed since read.
      const counted = subject.promotional && verdict.kind === 'send' ? verdict.counted : undefined;
      if (work && to && (counted || (to.guard && contact))) {
        const read = contact ?? blankContact(to.email, now.toISOString());
        await deps.contacts!.save({ ...read, ...(counted ? { recentMarketingSends: counted, updatedAt: now.toISOString() } : {}) }, read.version, work);
        if (counted) slot = { email: to.email, at: now.toISOString() };
      }
      await subject.claim(decision.updated, current, [sent, ...decision.entries], ledgerKey, work);
      await work?.commit();
    } catch (err) {
      if (err instanceof DuplicateSendError) return { result: { outcome: 'duplicate' } };
      throw err;
    }
    return { email: decision.email, sent, ...(slot ? { slot } : {}) };
  });
  if ('result' in claimed) return claimed.result;

  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send(claimed.email));
  } catch (err) {
    if (err instanceof MailRejectedError || err instanceof MailThrottledError) {
      // Nothing went out: the ledger key, the "sent" entry and the cap slot go back, so the retry sends it.
      // A throttle leaves no entry: it may repeat many times before the email goes (the task's history has them).
      const failed = err instanceof MailRejectedError ? [subject.entry(clock.now(), 'email_failed', `Not sent, will retry: ${err.message}`, { ...step, ledgerKey })] : [];
      await subject.release(ledgerKey, failed, [claimed.sent]);
      if (claimed.slot && deps.contacts) await returnCapSlot(deps.contacts, claimed.slot, clock.now());
    }
    throw err;
  }
  await subject.markSent(ledgerKey, messageId);
  return { outcome: 'sent' };
}

/**
 * One delivery's wait for a slot of the send-rate ceiling: `policy.attempts` refusals in all, with
 * full-jitter waits between them, whether the sender already knew the second was full (no call made)
 * or the ceiling refused the slot; then MailThrottledError.
 */
class CeilingWait {
  private refusals = 0;
  private taken = false;
  constructor(
    private readonly rate: SendRateCeiling,
    private readonly clock: Clock,
    private readonly policy: RetryPolicy,
  ) {}

  /** Until the sender no longer knows the current second to be full (asks nothing). */
  open(): Promise<void> {
    return this.until(async () => !this.rate.knownFull?.(this.clock.now()));
  }

  /** Until a slot is taken; at once after that: one slot per delivery, however often a version conflict makes the claim read again. */
  async take(): Promise<void> {
    if (this.taken) return;
    await this.until(() => this.rate.tryAcquire(this.clock.now()));
    this.taken = true;
  }

  private async until(granted: () => Promise<boolean>): Promise<void> {
    const sleep = this.policy.sleep ?? defaultSleep;
    while (!(await granted())) {
      this.refusals += 1;
      if (this.refusals >= this.policy.attempts) throw new MailThrottledError('the send-rate ceiling is reached');
      await sleep(backoffMs(this.refusals, this.policy));
    }
  }
}

/** What a claim wrote that a send the mail service did not take gives back. */
interface Claimed<E> {
  email: OutgoingEmail;
  /** The claim's own timeline entry ("Sent …"). */
  sent: E;
  /** The send the claim counted against the recipient's frequency cap. */
  slot?: { email: string; at: string };
}

/**
 * Takes a counted send off the person's frequency cap again (its email never went). Best effort: a
 * slot left counted only makes the cap stricter for a while, never sends twice, so a failure here must
 * not replace the mail service's answer (the error name the engine retries on).
 */
async function returnCapSlot(contacts: ContactStore, slot: { email: string; at: string }, now: Date): Promise<void> {
  await updateContact(contacts, slot.email, undefined, now.toISOString(), (contact) => {
    const sends = contact.recentMarketingSends ?? [];
    const i = sends.indexOf(slot.at);
    return i < 0 ? undefined : { ...contact, recentMarketingSends: sends.filter((_, j) => j !== i) };
  }).catch(() => undefined);
}

type ContactVerdict = { kind: 'skip'; reason: string } | { kind: 'defer'; reason: string; summary: string; until?: string; data: Record<string, unknown> } | { kind: 'send'; counted?: string[] };

/** Steps 2–3 for the person: suppression, consent and the frequency cap, all from their Contact. */
function contactVerdict(contact: Contact | undefined, subject: Pick<SendSubject<unknown, unknown>, 'promotional' | 'category'>, policy: Pick<SendSettings, 'consentPolicy' | 'frequencyCap'> | undefined, now: Date): ContactVerdict {
  if (!contact) {
    // A stranger to the contact list: nothing to suppress, no consent recorded, nothing counted yet.
    if (subject.promotional && policy?.consentPolicy === 'opt-in') return { kind: 'skip', reason: 'no-consent' };
    return { kind: 'send', ...(subject.promotional ? { counted: [now.toISOString()] } : {}) };
  }
  const permission = sendPermission(contact, (subject.category ?? 'transactional') as SendCategory, policy?.consentPolicy ?? 'opt-in');
  if (!permission.allowed) return { kind: 'skip', reason: permission.reason };
  if (!subject.promotional || !policy) return { kind: 'send' };
  const cap = checkFrequencyCap(contact.recentMarketingSends, now, policy.frequencyCap);
  // Tried again the moment the oldest counted send leaves the window, not at a guess.
  if (!cap.allowed) return { kind: 'defer', reason: 'frequency-cap', summary: 'frequency cap reached', until: cap.freesAt, data: { capFreesAt: cap.freesAt } };
  return { kind: 'send', counted: [...cap.recent, now.toISOString()] };
}
