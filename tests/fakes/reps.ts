/**
 * In-memory RepStore and WorkflowRuns with the semantics of the adapters (atomic saves, optimistic
 * locking, email uniqueness, exactly-once ledger claims). For unit tests of the core only.
 */
import { DuplicateSendError, EmailTakenError, VersionConflictError } from '../../functions/core/errors.js';
import type { LedgerEntry, Rep, RepStatus, SubjectRef, SubjectTimelineEntry, WorkflowName } from '../../functions/core/model.js';
import type { Page, RepStore, StartOutcome, TimelineStore, WorkflowInputs, WorkflowRuns } from '../../functions/core/ports.js';
import { fixedClock } from '../../functions/core/clock.js';
import type { OnboardingProgramme } from '../../functions/core/learning.js';
import type { OnboardingDeps } from '../../functions/core/onboarding.js';
import { actOnboarding, planOnboarding } from '../../functions/core/onboarding-run.js';
import { onboardingProgramme } from '../../workflows/programmes/onboarding.js';
import { onboardingMessages } from '../../workflows/templates/onboarding.js';
import { InMemoryLeadStore, InMemoryRoster, RecordingMailer, RecordingPublisher, RecordingStarter, sequentialIds } from './index.js';

const clone = <T>(v: T): T => structuredClone(v);

export class InMemoryRepStore extends InMemoryRoster implements RepStore {
  emails = new Map<string, string>();
  entries = new Map<string, SubjectTimelineEntry[]>();
  ledgerEntries = new Map<string, LedgerEntry>();

  override async put(rep: Rep) {
    await super.put(rep);
    this.emails.set(rep.email, rep.repId);
  }
  async findByEmail(email: string) {
    const id = this.emails.get(email);
    return id ? this.get(id) : undefined;
  }
  async create(rep: Rep, timeline: SubjectTimelineEntry[]) {
    if (this.emails.has(rep.email)) throw new EmailTakenError(rep.email);
    this.emails.set(rep.email, rep.repId);
    this.reps.set(rep.repId, clone(rep));
    await this.appendTimeline(rep.repId, timeline);
  }
  async save(rep: Rep, expectedVersion: number, timeline: SubjectTimelineEntry[], extras: { ledgerKey?: string } = {}) {
    const stored = this.reps.get(rep.repId);
    if (!stored || (stored.version ?? 0) !== expectedVersion) throw new VersionConflictError(rep.repId);
    const ledgerId = extras.ledgerKey && `${rep.repId}/${extras.ledgerKey}`;
    if (ledgerId && this.ledgerEntries.has(ledgerId)) throw new DuplicateSendError(extras.ledgerKey!);
    const saved = { ...clone(rep), version: expectedVersion + 1 };
    this.reps.set(rep.repId, saved);
    await this.appendTimeline(rep.repId, timeline);
    if (ledgerId) this.ledgerEntries.set(ledgerId, { ledgerKey: extras.ledgerKey!, status: 'claimed' });
    return clone(saved);
  }
  async list(status: RepStatus, { limit, cursor }: { limit: number; cursor?: string }): Promise<Page<Rep>> {
    const all = [...this.reps.values()].filter((r) => r.status === status).sort((a, b) => (a.repId < b.repId ? -1 : 1));
    const start = cursor ? Number(cursor) : 0;
    const items = all.slice(start, start + limit).map(clone);
    return start + limit < all.length ? { items, cursor: String(start + limit) } : { items };
  }
  async appendTimeline(repId: string, entries: SubjectTimelineEntry[]) {
    this.entries.set(repId, [...(this.entries.get(repId) ?? []), ...clone(entries)]);
  }
  async timeline(repId: string) {
    return [...(this.entries.get(repId) ?? [])].sort((a, b) => (a.at + a.entryId < b.at + b.entryId ? -1 : 1)).map(clone);
  }
  async markSent(repId: string, ledgerKey: string, messageId: string) {
    this.ledgerEntries.set(`${repId}/${ledgerKey}`, { ledgerKey, status: 'sent', messageId });
  }
  async releaseClaim(repId: string, ledgerKey: string, timeline: SubjectTimelineEntry[], withdrawn: SubjectTimelineEntry[] = []) {
    const id = `${repId}/${ledgerKey}`;
    if (this.ledgerEntries.get(id)?.status !== 'claimed') return;
    this.ledgerEntries.delete(id);
    const gone = new Set(withdrawn.map((e) => e.entryId));
    this.entries.set(repId, (this.entries.get(repId) ?? []).filter((e) => !gone.has(e.entryId)));
    await this.appendTimeline(repId, timeline);
  }
  async ledger(repId: string) {
    return [...this.ledgerEntries.entries()].filter(([id]) => id.startsWith(`${repId}/`)).map(([, e]) => clone(e));
  }
  /** Timeline entry types of a rep, in order. */
  async types(repId: string) {
    return (await this.timeline(repId)).map((e) => e.type);
  }
}

export class InMemoryTimelineStore implements TimelineStore {
  entries = new Map<string, SubjectTimelineEntry[]>();
  async append(subject: SubjectRef, entries: SubjectTimelineEntry[]) {
    const key = `${subject.kind}#${subject.id}`;
    this.entries.set(key, [...(this.entries.get(key) ?? []), ...clone(entries)]);
  }
  async list(subject: SubjectRef) {
    return [...(this.entries.get(`${subject.kind}#${subject.id}`) ?? [])].map(clone);
  }
}

/** Records the runs started and stopped, refusing a second start of one (workflow, subject, run). */
export class RecordingRuns implements WorkflowRuns {
  started: Array<{ workflow: WorkflowName; subjectId: string; input: unknown }> = [];
  stopped: Array<{ workflow: WorkflowName; subjectId: string; run: number; reason: string }> = [];
  async startRun<W extends WorkflowName>(workflow: W, subjectId: string, input: WorkflowInputs[W]): Promise<StartOutcome> {
    const run = (input as { run: number }).run;
    if (this.started.some((s) => s.workflow === workflow && s.subjectId === subjectId && (s.input as { run: number }).run === run)) return 'already-exists';
    this.started.push({ workflow, subjectId, input: clone(input) });
    return 'started';
  }
  async stopRun(workflow: WorkflowName, subjectId: string, run: number, reason: string) {
    this.stopped.push({ workflow, subjectId, run, reason });
  }
  runsOf(subjectId: string) {
    return this.started.filter((s) => s.subjectId === subjectId).map((s) => (s.input as { run: number }).run);
  }
}

/**
 * The onboarding core's world in memory: reps, leads, runs, mail and events, on a fixed clock.
 * `drive` plays the RepOnboarding state machine (plan → wait until the planned time → act → plan)
 * on that clock, following the rep into each new run, so the agenda's schedule can be read off the
 * mails it sends.
 */
export function onboardingWorld(start = '2026-03-02T08:00:00.000Z', programme: OnboardingProgramme = onboardingProgramme) {
  const clock = fixedClock(start);
  const reps = new InMemoryRepStore();
  const leads = new InMemoryLeadStore();
  const runs = new RecordingRuns();
  const funnel = new RecordingStarter();
  const mailer = new RecordingMailer();
  const publisher = new RecordingPublisher();
  const ids = sequentialIds();
  const deps: OnboardingDeps = {
    reps, leads, runs, funnel, mailer, publisher, clock, ids, programme,
    messages: onboardingMessages,
    programmeVersion: 1,
    settings: { managerEmail: 'fallback-manager@example.com' },
  };
  /** Runs the rep's current run until it ends, or until `until` on the virtual clock; answers the wake-ups. */
  async function drive(repId: string, until: Date | string, maxSteps = 2000) {
    const stop = new Date(until).getTime();
    const wakeUps: Date[] = [];
    for (let i = 0; i < maxSteps; i++) {
      const rep = (await reps.get(repId))!;
      const run = rep.run ?? 0;
      let plan;
      try {
        plan = await planOnboarding(deps, { repId, run });
      } catch (err) {
        if ((err as Error).name === 'SupersededError') continue;
        throw err;
      }
      if (plan.action === 'end') return wakeUps;
      const at = Math.max(clock.now().getTime(), Date.parse(plan.at));
      if (at > stop) {
        clock.set(new Date(stop));
        return wakeUps;
      }
      clock.set(new Date(at));
      wakeUps.push(new Date(at));
      try {
        await actOnboarding(deps, { repId, run });
      } catch (err) {
        if ((err as Error).name !== 'SupersededError') throw err;
      }
    }
    throw new Error(`rep ${repId}: more than ${maxSteps} wake-ups before ${new Date(until).toISOString()} (the run spins)`);
  }
  const mailTo = (address: string) => mailer.sent.filter((m) => m.to === address);
  return { deps, clock, reps, leads, runs, funnel, mailer, publisher, drive, mailTo };
}
