/**
 * Rep onboarding and training, the requests (POST /reps and the progress routes):
 *   1. read the rep and decide, from its learning path (programme data), what the request changes;
 *   2. save the rep, its timeline and (for progress) the next run number in ONE conditional write,
 *      retrying from a fresh read on a concurrent change; a repeated attemptId changes nothing;
 *   3. start the next RepOnboarding run (the old one is stopped; its tasks are superseded anyway), so
 *      progress moves the workflow within seconds — nothing polls;
 *   4. send what the request itself says (a failed attempt's "what remains", a lock to the manager,
 *      the certification) through the one send chokepoint, and publish the domain events.
 */
import { isTimeZone, localDate } from './business-hours.js';
import { DAY_MS } from './clock.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import { reassignOpenLeads } from './funnel-runs.js';
import {
  allPassed,
  currentPath,
  freshProgress,
  judgeAttempt,
  maxAttemptsOf,
  missingPrerequisites,
  moduleOf,
  timeZoneOf,
  type TrainingModule,
} from './learning.js';
import type { DomainEvent, ModuleProgress, Rep, RepRole, SubjectTimelineEntry } from './model.js';
import { normalizeEmail } from './normalize.js';
import type { EventPublisher, LeadStore, WorkflowRuns, WorkflowStarter } from './ports.js';
import { planItems } from './onboarding-plan.js';
import { deliverRepEmail, repEntry, type RepSendDeps } from './rep-send.js';
import { withOptimisticRetry } from './retry.js';
import { supersedeRun } from './runs.js';
import { RUN_POLICIES } from './run-outbox.js';

export interface OnboardingDeps extends RepSendDeps {
  runs: WorkflowRuns;
  publisher: EventPublisher;
  /** The programme version runs started now record. */
  programmeVersion: number;
  /** A rep who leaves or lapses hands their open leads back to the funnel's assignment. */
  leads: LeadStore;
  funnel: WorkflowStarter;
}

export interface NewRep {
  email: string;
  firstName: string;
  lastName: string;
  role: RepRole;
  managerEmail: string;
  startDate?: string;
  timeZone?: string;
}

const WORKFLOW = 'RepOnboarding' as const;

/** POST /reps: a new hire starts the learning path of their role; a known email answers the same rep. */
export async function registerRep(deps: OnboardingDeps, input: NewRep): Promise<{ rep: Rep; created: boolean }> {
  const email = normalizeEmail(input.email);
  // Bad input is a 400 whoever the email belongs to: validate before looking the person up.
  const timeZone = input.timeZone ?? deps.programme.defaultTimeZone;
  if (!isTimeZone(timeZone)) throw new ValidationError('Unknown time zone', [{ path: 'timeZone', message: 'must be an IANA time zone like Europe/Berlin' }]);
  const known = await deps.reps.findByEmail(email);
  if (known) return { rep: known, created: false };
  const now = deps.clock.now();
  const at = now.toISOString();
  const startDate = input.startDate ?? localDate(now, timeZone);
  const path = deps.programme.paths[input.role];
  const rep: Rep = {
    repId: deps.ids.next('rep_'),
    name: `${input.firstName} ${input.lastName}`.trim(),
    email,
    status: 'onboarding',
    createdAt: at,
    updatedAt: at,
    firstName: input.firstName,
    lastName: input.lastName,
    role: input.role,
    managerEmail: normalizeEmail(input.managerEmail),
    startDate,
    timeZone,
    track: 'onboarding',
    modules: freshProgress(path, startDate, timeZone),
    run: 1,
    programmeVersion: deps.programmeVersion,
    version: 1,
  };
  try {
    await deps.reps.create(rep, [
      repEntry(deps.ids, now, 'rep_registered', `Started onboarding as ${input.role.toUpperCase()}: ${path.title} (${path.modules.length} modules)`, { role: input.role, startDate, timeZone }),
    ]);
  } catch (err) {
    if ((err as Error)?.name !== 'EmailTakenError') throw err;
    const winner = await deps.reps.findByEmail(email);
    if (winner) return { rep: winner, created: false };
    throw err;
  }
  await startRun(deps, rep);
  await deps.publisher.publish([{ type: 'RepOnboardingStarted', id: `${rep.repId}:RepOnboardingStarted:1`, at, detail: { repId: rep.repId, role: rep.role, startDate } }]);
  return { rep, created: true };
}

async function startRun(deps: OnboardingDeps, rep: Rep, previousRun?: number, reason = 'progress'): Promise<void> {
  if (rep.status === 'inactive' || !rep.run) {
    if (previousRun) await deps.runs.stopRun(WORKFLOW, rep.repId, previousRun, reason);
    return;
  }
  const outcome = await supersedeRun(deps.runs, WORKFLOW, rep.repId, previousRun, { repId: rep.repId, run: rep.run }, reason);
  // Queued (the run outbox): StartRuns records the start. A starter that starts at once records it here.
  if (outcome === 'started') await deps.reps.appendTimeline(rep.repId, [RUN_POLICIES.RepOnboarding.startedEntry(deps.ids, rep, deps.clock.now(), deps.programmeVersion, 0) as SubjectTimelineEntry]);
}

async function loadRep(deps: Pick<OnboardingDeps, 'reps'>, repId: string): Promise<Rep> {
  const rep = await deps.reps.get(repId);
  if (!rep) throw new NotFoundError(`Rep ${repId} not found`);
  return rep;
}

/** Saves a change that moves the workflow: the next run, saved with the change, then started. */
async function saveProgress(deps: OnboardingDeps, before: Rep, after: Rep, entries: SubjectTimelineEntry[], reason: string): Promise<Rep> {
  const next: Rep = { ...after, run: (before.run ?? 0) + 1, programmeVersion: deps.programmeVersion, updatedAt: deps.clock.now().toISOString() };
  const saved = await deps.reps.save(next, before.version ?? 0, entries);
  await startRun(deps, saved, before.run, reason);
  return saved;
}

/** Starts a new certification cycle's clock: certified now (or from the old expiry, when recertified in time). */
function certify(rep: Rep, deps: Pick<OnboardingDeps, 'programme'>, now: Date): Rep {
  const validMs = deps.programme.certification.validDays * DAY_MS;
  const from = rep.certification && Date.parse(rep.certification.expiresAt) > now.getTime() ? Date.parse(rep.certification.expiresAt) : now.getTime();
  return {
    ...rep,
    status: 'active',
    track: 'none',
    certification: { certifiedAt: now.toISOString(), expiresAt: new Date(from + validMs).toISOString(), cycle: (rep.certification?.cycle ?? 0) + 1 },
    certRemindersSent: [],
    overdueReminders: 0,
    escalatedAt: undefined,
  };
}

export type CompletionOutcome = 'passed' | 'failed' | 'locked' | 'duplicate' | 'already-passed';
export interface CompletionResult {
  outcome: CompletionOutcome;
  rep: Rep;
  module: ModuleProgress;
  /** Modules of the path not passed yet. */
  remaining: string[];
  certified?: boolean;
}

const onPath = (rep: Rep) => rep.track === 'onboarding' || rep.track === 'recertification';

/** POST /reps/{repId}/modules/{moduleId}/completions */
export async function recordCompletion(
  deps: OnboardingDeps,
  repId: string,
  moduleId: string,
  attempt: { attemptId: string; score?: number; completedAt?: string },
): Promise<CompletionResult> {
  let emails: Array<() => Promise<unknown>> = [];
  let events: DomainEvent[] = [];
  const result = await withOptimisticRetry(async (): Promise<CompletionResult> => {
    emails = [];
    events = [];
    const rep = await loadRep(deps, repId);
    const path = currentPath(rep, deps.programme);
    const module = moduleOf(path ?? deps.programme.paths[rep.role ?? 'sdr'], moduleId);
    if (!module) throw new NotFoundError(`Module ${moduleId} is not on ${rep.name}'s learning path`);
    if (!onPath(rep) || rep.status === 'inactive' || !path) throw new ConflictError(`Rep ${repId} is not onboarding (status ${rep.status})`);
    const modules = rep.modules ?? [];
    const progress = modules.find((m) => m.moduleId === moduleId)!;
    const remaining = () => modules.filter((m) => m.status !== 'passed').map((m) => m.moduleId);
    if (progress.attemptIds.includes(attempt.attemptId)) return { outcome: 'duplicate', rep, module: progress, remaining: remaining() };
    if (progress.status === 'passed') return { outcome: 'already-passed', rep, module: progress, remaining: remaining() };
    if (progress.status === 'locked') throw new ConflictError(`Module ${moduleId} is locked after ${progress.attempts} failed attempts; a manager must reset it`);
    const missing = missingPrerequisites(module, modules);
    if (missing.length) throw new ConflictError(`Module ${moduleId} needs ${missing.join(', ')} passed first (missing prerequisite: ${missing[0]})`);

    const now = deps.clock.now();
    const at = attempt.completedAt && Date.parse(attempt.completedAt) <= now.getTime() ? new Date(attempt.completedAt).toISOString() : now.toISOString();
    const judged = judgeAttempt(module, attempt.score);
    const attempts = progress.attempts + 1;
    const bestScore = attempt.score === undefined ? progress.bestScore : Math.max(progress.bestScore ?? 0, attempt.score);
    const locked = !judged.passed && attempts >= maxAttemptsOf(module);
    const updatedModule: ModuleProgress = {
      ...progress,
      attempts,
      attemptIds: [...progress.attemptIds, attempt.attemptId],
      ...(bestScore !== undefined ? { bestScore } : {}),
      status: judged.passed ? 'passed' : locked ? 'locked' : 'open',
      ...(judged.passed ? { passedAt: at } : {}),
    };
    let next: Rep = { ...rep, modules: modules.map((m) => (m.moduleId === moduleId ? updatedModule : m)) };
    // Progress starts the reminder ladder afresh.
    if (judged.passed) next = { ...next, overdueReminders: 0, escalatedAt: undefined };
    const entries: SubjectTimelineEntry[] = [
      repEntry(deps.ids, now, judged.passed ? 'module_passed' : locked ? 'module_locked' : 'module_failed',
        judged.passed ? `Passed ${module.title}${attempt.score !== undefined ? ` (${attempt.score})` : ''}` : `${locked ? 'Locked' : 'Failed'} ${module.title}: ${judged.reason} (attempt ${attempts})`,
        { moduleId, attemptId: attempt.attemptId, score: attempt.score, attempts, completedAt: at }),
    ];
    let certified = false;
    if (rep.track === 'recertification' && allPassed(next.modules)) {
      // Recertification needs no manager sign-off: passing the path renews the certification.
      next = certify(next, deps, now);
      certified = true;
      entries.push(repEntry(deps.ids, now, 'certified', `Recertified until ${next.certification!.expiresAt.slice(0, 10)}`, { ...next.certification }));
      events.push({ type: 'RepCertified', id: `${repId}:RepCertified:${next.certification!.cycle}`, at: now.toISOString(), detail: { repId, cycle: next.certification!.cycle, expiresAt: next.certification!.expiresAt } });
    }
    const saved = await saveProgress(deps, rep, next, entries, `module ${moduleId} ${updatedModule.status}`);
    const stillOpen = (saved.modules ?? []).filter((m) => m.status !== 'passed').map((m) => m.moduleId);
    if (!judged.passed) {
      const item = planItems(saved, deps.programme, now, [moduleId])[0]!;
      emails.push(() =>
        deliverRepEmail(deps, {
          repId, to: 'rep', step: `attempt#${moduleId}#${attempt.attemptId}`, what: 'failed attempt',
          compose: (r) => ({ message: deps.messages.attemptFailed(r, item, attempt.score, module.passMark ?? 80, planItems(r, deps.programme, deps.clock.now(), stillOpen)) }),
        }),
      );
      if (locked)
        emails.push(() =>
          deliverRepEmail(deps, {
            repId, to: 'manager', step: `locked#${moduleId}#${progress.resets ?? 0}`, what: 'module locked',
            compose: (r) => ({ message: deps.messages.moduleLocked(r, item, attempts) }),
          }),
        );
    }
    if (certified) emails.push(() => sendCertified(deps, saved));
    return { outcome: judged.passed ? 'passed' : locked ? 'locked' : 'failed', rep: saved, module: updatedModule, remaining: stillOpen, certified };
  });
  for (const send of emails) await send();
  if (events.length) await deps.publisher.publish(events);
  return result;
}

function sendCertified(deps: OnboardingDeps, rep: Rep) {
  const cert = rep.certification!;
  const zone = timeZoneOf(rep, deps.programme);
  return deliverRepEmail(deps, {
    repId: rep.repId, to: 'rep', step: `certified#${cert.cycle}`, what: 'certification',
    compose: (r) => ({ message: deps.messages.certified(r, new Date(cert.expiresAt).toLocaleDateString('en-GB', { timeZone: zone, day: 'numeric', month: 'short', year: 'numeric' }), cert.cycle) }),
  });
}

/** POST /reps/{repId}/modules/{moduleId}/reset: a locked module opens again with fresh attempts. */
export async function resetModule(deps: OnboardingDeps, repId: string, moduleId: string): Promise<{ rep: Rep; module: ModuleProgress }> {
  return withOptimisticRetry(async () => {
    const rep = await loadRep(deps, repId);
    const progress = rep.modules?.find((m) => m.moduleId === moduleId);
    const module = moduleOf(currentPath(rep, deps.programme), moduleId);
    if (!progress || !module) throw new NotFoundError(`Module ${moduleId} is not on ${rep.name}'s learning path`);
    if (progress.status === 'passed') throw new ConflictError(`Module ${moduleId} is passed already; there is nothing to reset`);
    const now = deps.clock.now();
    const reset: ModuleProgress = { ...progress, status: 'open', attempts: 0, resets: (progress.resets ?? 0) + 1 };
    const next: Rep = { ...rep, modules: rep.modules!.map((m) => (m.moduleId === moduleId ? reset : m)) };
    const saved = await saveProgress(deps, rep, next, [repEntry(deps.ids, now, 'module_reset', `${module.title} reset: ${maxAttemptsOf(module)} fresh attempts`, { moduleId, resets: reset.resets })], `module ${moduleId} reset`);
    return { rep: saved, module: reset };
  });
}

export interface SignOffRequest {
  decision: 'approve' | 'reject';
  by: string;
  notes?: string;
  reopen?: string[];
}

/** POST /reps/{repId}/signoff: approve → certified and active; reject → the named modules reopen. */
export async function signOff(deps: OnboardingDeps, repId: string, req: SignOffRequest): Promise<Rep> {
  let after: () => Promise<unknown> = async () => undefined;
  const saved = await withOptimisticRetry(async () => {
    const rep = await loadRep(deps, repId);
    if (rep.track !== 'onboarding' || rep.status !== 'onboarding') throw new ConflictError(`Rep ${repId} is not waiting for a sign-off (status ${rep.status})`);
    const path = currentPath(rep, deps.programme)!;
    const now = deps.clock.now();
    const at = now.toISOString();
    const signOffRecord = { decision: req.decision, by: req.by, at, ...(req.notes ? { notes: req.notes } : {}) };
    if (req.decision === 'approve') {
      const unfinished = (rep.modules ?? []).filter((m) => m.status !== 'passed').map((m) => m.moduleId);
      if (unfinished.length) throw new ConflictError(`Rep ${repId} has modules to pass before a sign-off: ${unfinished.join(', ')}`);
      const next = { ...certify(rep, deps, now), signOff: signOffRecord };
      const saved = await saveProgress(deps, rep, next, [
        repEntry(deps.ids, now, 'signoff_given', `Signed off by ${req.by}${req.notes ? `: ${req.notes}` : ''}`, { by: req.by }),
        repEntry(deps.ids, now, 'certified', `Certified until ${next.certification!.expiresAt.slice(0, 10)}`, { ...next.certification }),
      ], 'signed off');
      after = async () => {
        await sendCertified(deps, saved);
        await deps.publisher.publish([{ type: 'RepCertified', id: `${repId}:RepCertified:${saved.certification!.cycle}`, at, detail: { repId, cycle: saved.certification!.cycle, expiresAt: saved.certification!.expiresAt, by: req.by } }]);
      };
      return saved;
    }
    const reopen = [...new Set(req.reopen ?? [])];
    const unknown = reopen.filter((id) => !moduleOf(path, id));
    if (unknown.length) throw new ValidationError(`Unknown module(s) to reopen: ${unknown.join(', ')}`, unknown.map(() => ({ path: 'reopen', message: `names no module of the path: ${unknown.join(', ')}` })));
    const zone = timeZoneOf(rep, deps.programme);
    const due = freshProgress({ title: path.title, modules: path.modules.map((m) => ({ ...m, dueDays: deps.programme.reminders.reopenDueDays })) }, localDate(now, zone), zone);
    const modules = (rep.modules ?? []).map((m) => (reopen.includes(m.moduleId) ? { ...due.find((d) => d.moduleId === m.moduleId)!, attemptIds: m.attemptIds, resets: (m.resets ?? 0) + 1 } : m));
    const next: Rep = { ...rep, modules, signOff: { ...signOffRecord, reopened: reopen }, signOffRequestedAt: reopen.length ? undefined : rep.signOffRequestedAt, overdueReminders: 0, escalatedAt: undefined };
    const saved = await saveProgress(deps, rep, next, [
      repEntry(deps.ids, now, 'signoff_rejected', `Sign-off refused by ${req.by}${reopen.length ? `; reopened ${reopen.join(', ')}` : ''}${req.notes ? `: ${req.notes}` : ''}`, { by: req.by, reopen }),
    ], 'sign-off refused');
    after = () =>
      deliverRepEmail(deps, {
        repId, to: 'rep', step: `signoff-rejected#${saved.run}`, what: 'sign-off refused',
        compose: (r) => ({ message: deps.messages.signOffRejected(r, planItems(r, deps.programme, deps.clock.now(), reopen), req.notes, req.by) }),
      });
    return saved;
  });
  await after();
  return saved;
}

/** POST /reps/{repId}/status {status: inactive}: onboarding stops, the rep's open leads go to others. */
export async function deactivateRep(deps: OnboardingDeps, repId: string): Promise<{ rep: Rep; leadsReassigned: number; changed: boolean }> {
  const { rep, changed } = await withOptimisticRetry(async () => {
    const rep = await loadRep(deps, repId);
    if (rep.status === 'inactive') return { rep, changed: false };
    const now = deps.clock.now();
    const next: Rep = { ...rep, status: 'inactive', track: 'none', updatedAt: now.toISOString(), run: (rep.run ?? 0) + 1 };
    const saved = await deps.reps.save(next, rep.version ?? 0, [repEntry(deps.ids, now, 'status_changed', `Status ${rep.status} → inactive`, { from: rep.status, to: 'inactive' })]);
    if (rep.run) await deps.runs.stopRun(WORKFLOW, repId, rep.run, 'rep inactive');
    return { rep: saved, changed: true };
  });
  const leadsReassigned = await reassignOpenLeads({ store: deps.leads, starter: deps.funnel, clock: deps.clock, ids: deps.ids }, repId, `${rep.name} is inactive`);
  if (changed && leadsReassigned)
    await deps.reps.appendTimeline(repId, [repEntry(deps.ids, deps.clock.now(), 'leads_reassigned', `${leadsReassigned} open lead(s) handed to other reps`, { count: leadsReassigned })]);
  return { rep, leadsReassigned, changed };
}

export type { TrainingModule };
