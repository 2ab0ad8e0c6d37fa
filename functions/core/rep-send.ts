/**
 * The rep and manager side of the send chokepoint (core/send.ts `deliver`): the same claim → send →
 * mark-sent path and exactly-once ledger, keyed by (rep, workflow, step), with the policy of
 * transactional training mail — no marketing consent needed, but
 * - reminders go out only inside business hours in the rep's time zone (else deferred to the next
 *   opening, never dropped), and
 * - at most one reminder digest a rep per local day (a second one is deferred to tomorrow's opening).
 * What the email says is composed from the rep as read at send time, and what the send changes (the
 * reminder count, the day of the last digest) is saved in the same conditional write as the claim.
 */
import { localDate, nextOpening, startOfNextLocalDay } from './business-hours.js';
import type { Clock } from './clock.js';
import { timeZoneOf, type OnboardingProgramme } from './learning.js';
import type { Rep, SubjectTimelineEntry } from './model.js';
import type { ContactStore, IdGenerator, Mailer, RepStore, SendRateCeiling } from './ports.js';
import { composeRepEmail, type RepMessage, type RepMessages } from './rep-emails.js';
import { assertCurrentRun } from './runs.js';
import { deliver, type SendObserver, type SendResult, type SendSubject } from './send.js';
import { outsideBusinessHours } from './send-window.js';

export const ONBOARDING_WORKFLOW = 'RepOnboarding';

export interface RepSendDeps {
  reps: RepStore;
  mailer: Mailer;
  clock: Clock;
  ids: IdGenerator;
  messages: RepMessages;
  programme: OnboardingProgramme;
  /** The manager of a rep who named none. */
  settings: { managerEmail: string };
  /** People's Contacts: a rep or manager who unsubscribed (as a lead, say) or was erased gets nothing. */
  contacts?: ContactStore;
  /** The system-wide send-rate ceiling (core/send.ts step 4). */
  rate?: SendRateCeiling;
  /** Told each send decision (metrics). */
  observe?: SendObserver;
}

export interface RepDelivery {
  repId: string;
  /** When given, a task of another run is superseded. */
  run?: number;
  to: 'rep' | 'manager';
  /** The workflow step; the ledger key is `RepOnboarding#<step>` in the rep's partition. */
  step: string;
  what: string;
  /** A reminder: inside business hours only, and at most one a rep per local day. */
  reminder?: boolean;
  /** The message from the rep as read now, and the rep as this send leaves it; undefined = nothing to send. */
  compose(rep: Rep, now: Date): { message: RepMessage; rep?: Rep; entries?: SubjectTimelineEntry[] } | undefined;
}

export const repEntry = (ids: IdGenerator, at: Date | string, type: SubjectTimelineEntry['type'], summary: string, data?: Record<string, unknown>): SubjectTimelineEntry => ({
  entryId: ids.next(),
  at: typeof at === 'string' ? at : at.toISOString(),
  type,
  summary,
  ...(data ? { data } : {}),
});

export const repLedgerKey = (step: string) => `${ONBOARDING_WORKFLOW}#${step}`;

export function deliverRepEmail(deps: RepSendDeps, req: RepDelivery): Promise<SendResult> {
  const { reps, ids, programme } = deps;
  const subject: SendSubject<Rep, SubjectTimelineEntry> = {
    what: req.what,
    load: () => reps.get(req.repId),
    missing: `rep ${req.repId} does not exist`,
    recipient: (rep) => (rep.email ? { email: req.to === 'rep' ? rep.email : (rep.managerEmail ?? deps.settings.managerEmail) } : undefined),
    check: (rep) => {
      if (req.run !== undefined) assertCurrentRun(ONBOARDING_WORKFLOW as 'RepOnboarding', rep.repId, rep.run, req.run);
    },
    decide: (rep, now) => {
      if (!rep.email) return { kind: 'skip', reason: 'erased' };
      const zone = timeZoneOf(rep, programme);
      if (req.reminder) {
        if (rep.lastReminderOn === localDate(now, zone)) {
          const until = nextOpening(startOfNextLocalDay(now, zone), zone, programme.businessHours).toISOString();
          return { kind: 'defer', reason: 'daily-digest', summary: 'one reminder a day, sent already today', until };
        }
        const outside = outsideBusinessHours(now, zone, programme.businessHours);
        if (outside) return outside;
      }
      const composed = req.compose(rep, now);
      if (!composed) return { kind: 'skip', reason: 'nothing due' };
      const to = req.to === 'rep' ? rep.email : (rep.managerEmail ?? deps.settings.managerEmail);
      const email = { to, ...composeRepEmail(composed.message, deps.messages.signature), tags: { repId: rep.repId, template: req.step.split('#')[0]! } };
      const updated: Rep = {
        ...(composed.rep ?? rep),
        ...(req.reminder ? { lastReminderOn: localDate(now, zone) } : {}),
        updatedAt: now.toISOString(),
      };
      return { kind: 'send', email, updated, entries: composed.entries ?? [] };
    },
    entry: (now, type, summary, data) => repEntry(ids, now, type, summary, { ...data, to: req.to }),
    note: (entries) => reps.appendTimeline(req.repId, entries),
    claim: async (updated, read, entries, ledgerKey) => void (await reps.save(updated, read.version ?? 0, entries, { ledgerKey })),
    markSent: (ledgerKey, messageId) => reps.markSent(req.repId, ledgerKey, messageId),
    release: (ledgerKey, entries, withdrawn) => reps.releaseClaim(req.repId, ledgerKey, entries, withdrawn),
  };
  return deliver(deps, subject, { ledgerKey: repLedgerKey(req.step), step: { workflow: ONBOARDING_WORKFLOW, step: req.step, run: req.run } });
}
