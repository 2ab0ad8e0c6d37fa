/**
 * The two tasks of a RepOnboarding run, which loops: plan → wait until the planned time → act → plan.
 *
 * - `planOnboarding` answers when the next thing is due (core/onboarding-agenda.ts), or that nothing
 *   is left (the run ends; progress starts a new run).
 * - `actOnboarding` does what is due now, each email through the send chokepoint with its own
 *   exactly-once key: the welcome (rep and manager), ONE digest a day of everything due soon or overdue
 *   (inside business hours), the escalation to the manager after a set number of overdue digests, the
 *   sign-off request, certification reminders, the start of a recertification cycle (a new run, so no
 *   execution meets the one-year limit) and, at expiry without recertification, the lapse: status
 *   lapsed, no more leads, open leads reassigned, `RepCertificationLapsed`.
 * A task of an older run throws SupersededError: the state machine ends quietly.
 */
import { localDate } from './business-hours.js';
import { currentPath, freshProgress, timeZoneOf } from './learning.js';
import type { DomainEvent, Rep, SubjectTimelineEntry } from './model.js';
import { dueItems, dueSoon, nextWakeUp, overdue, type AgendaItem } from './onboarding-agenda.js';
import { planItems } from './onboarding-plan.js';
import type { OnboardingDeps } from './onboarding.js';
import { reassignOpenLeads } from './funnel-runs.js';
import { NotFoundError } from './errors.js';
import { deliverRepEmail, repEntry } from './rep-send.js';
import { withOptimisticRetry } from './retry.js';
import { assertCurrentRun, supersedeRun } from './runs.js';

const WORKFLOW = 'RepOnboarding' as const;

async function currentRep(deps: Pick<OnboardingDeps, 'reps'>, repId: string, run: number): Promise<Rep> {
  const rep = await deps.reps.get(repId);
  if (!rep) throw new NotFoundError(`rep ${repId} does not exist`);
  assertCurrentRun(WORKFLOW, repId, rep.run, run);
  return rep;
}

export interface PlanResult {
  /** act: wait until `at`, then act; end: nothing is left to do in this run. */
  action: 'act' | 'end';
  at: string;
}

export async function planOnboarding(deps: OnboardingDeps, req: { repId: string; run: number }): Promise<PlanResult> {
  const rep = await currentRep(deps, req.repId, req.run);
  const now = deps.clock.now();
  const at = nextWakeUp(rep, deps.programme, now);
  return at ? { action: 'act', at: at.toISOString() } : { action: 'end', at: now.toISOString() };
}

export async function actOnboarding(deps: OnboardingDeps, req: { repId: string; run: number }): Promise<{ done: string[] }> {
  const rep = await currentRep(deps, req.repId, req.run);
  const now = deps.clock.now();
  const done: string[] = [];
  for (const item of dueItems(rep, deps.programme, now)) {
    const outcome = await act(deps, req, item);
    done.push(`${item.kind}:${outcome}`);
    // A new run took over (recertification, lapse): this one stops acting.
    if (outcome === 'new-run') break;
  }
  return { done };
}

async function act(deps: OnboardingDeps, req: { repId: string; run: number }, item: AgendaItem): Promise<string> {
  const { messages, programme } = deps;
  const base = { repId: req.repId, run: req.run };
  switch (item.kind) {
    case 'welcome': {
      const rep = await currentRep(deps, req.repId, req.run);
      const path = currentPath(rep, programme)!;
      const now = deps.clock.now();
      await deliverRepEmail(deps, { ...base, to: 'manager', step: 'welcome-manager', what: 'manager welcome', compose: (r) => ({ message: messages.welcomeManager(r, planItems(r, programme, now), path.title) }) });
      const sent = await deliverRepEmail(deps, {
        ...base, to: 'rep', step: 'welcome', what: 'welcome',
        compose: (r) => ({ message: messages.welcomeRep(r, planItems(r, programme, now), path.title), rep: { ...r, welcomedAt: now.toISOString() } }),
      });
      // Sent before (a retried task): the flag may be missing only if that attempt died after the send.
      if (sent.outcome === 'duplicate') await markRep(deps, req, (r) => (r.welcomedAt ? undefined : { ...r, welcomedAt: now.toISOString() }));
      return sent.outcome;
    }
    case 'signoff-request': {
      const sent = await deliverRepEmail(deps, {
        ...base, to: 'manager', step: `signoff-request#${req.run}`, what: 'sign-off request',
        compose: (r, now) => ({
          message: messages.signOffRequest(r, planItems(r, programme, now)),
          rep: { ...r, signOffRequestedAt: now.toISOString() },
          entries: [repEntry(deps.ids, now, 'signoff_requested', `Every module passed: sign-off asked of ${r.managerEmail ?? deps.settings.managerEmail}`)],
        }),
      });
      if (sent.outcome === 'duplicate') await markRep(deps, req, (r) => (r.signOffRequestedAt ? undefined : { ...r, signOffRequestedAt: deps.clock.now().toISOString() }));
      return sent.outcome;
    }
    case 'digest': {
      let newlyOverdue: string[] = [];
      const sent = await deliverRepEmail(deps, {
        ...base, to: 'rep', step: `digest#${localDate(deps.clock.now(), timeZoneOf(await currentRep(deps, req.repId, req.run), programme))}`, what: 'reminder digest', reminder: true,
        compose: (r, now) => {
          const soon = dueSoon(r, programme, now);
          const late = overdue(r, now);
          const left = !r.escalatedAt && (r.overdueReminders ?? 0) < programme.reminders.escalateAfterOverdueReminders;
          // Once the overdue reminders are spent the manager has them (the escalation says the rep gets
          // no more): a later digest carries only what is due soon, and is not counted.
          const listed = left ? late : [];
          if (!soon.length && !listed.length) return undefined;
          newlyOverdue = late.filter((m) => !m.overdueAt).map((m) => m.moduleId);
          const soonIds = soon.map((m) => m.moduleId);
          const modules = (r.modules ?? []).map((m) =>
            soonIds.includes(m.moduleId) ? { ...m, remindedBeforeAt: now.toISOString() } : newlyOverdue.includes(m.moduleId) ? { ...m, overdueAt: now.toISOString() } : m,
          );
          const entries: SubjectTimelineEntry[] = newlyOverdue.map((id) => repEntry(deps.ids, now, 'module_overdue', `${id} is overdue`, { moduleId: id }));
          return {
            message: messages.digest(r, planItems(r, programme, now, soonIds), planItems(r, programme, now, listed.map((m) => m.moduleId))),
            rep: { ...r, modules, overdueReminders: (r.overdueReminders ?? 0) + (listed.length ? 1 : 0) },
            entries,
          };
        },
      });
      if (sent.outcome === 'sent' && newlyOverdue.length) {
        const rep = await deps.reps.get(req.repId);
        const at = deps.clock.now().toISOString();
        await deps.publisher.publish(
          newlyOverdue.map((moduleId): DomainEvent => ({ type: 'RepModuleOverdue', id: `${req.repId}:RepModuleOverdue:${moduleId}:${rep?.certification?.cycle ?? 0}:${rep?.modules?.find((m) => m.moduleId === moduleId)?.resets ?? 0}`, at, detail: { repId: req.repId, moduleId } })),
        );
      }
      return sent.outcome;
    }
    case 'escalation': {
      const sent = await deliverRepEmail(deps, {
        ...base, to: 'manager', step: `escalation#${req.run}`, what: 'escalation',
        compose: (r, now) => {
          const late = overdue(r, now);
          if (!late.length || r.escalatedAt) return undefined;
          return { message: messages.escalation(r, planItems(r, programme, now, late.map((m) => m.moduleId)), r.overdueReminders ?? 0), rep: { ...r, escalatedAt: now.toISOString() } };
        },
      });
      if (sent.outcome === 'duplicate') await markRep(deps, req, (r) => (r.escalatedAt ? undefined : { ...r, escalatedAt: deps.clock.now().toISOString() }));
      return sent.outcome;
    }
    case 'cert-reminder': {
      const days = item.days!;
      const sent = await deliverRepEmail(deps, {
        ...base, to: 'rep', step: `cert-reminder#${(await currentRep(deps, req.repId, req.run)).certification?.cycle ?? 0}#${days}`, what: `certification reminder (${days} days)`,
        compose: (r, now) => ({
          message: messages.certificationReminder(r, days, expiryLabel(r, deps), planItems(r, programme, now, (r.modules ?? []).filter((m) => m.status !== 'passed').map((m) => m.moduleId))),
          rep: { ...r, certRemindersSent: [...(r.certRemindersSent ?? []), days] },
        }),
      });
      if (sent.outcome !== 'sent') await markRep(deps, req, (r) => (r.certRemindersSent?.includes(days) ? undefined : { ...r, certRemindersSent: [...(r.certRemindersSent ?? []), days] }));
      return sent.outcome;
    }
    case 'start-recertification':
      return startRecertification(deps, req);
    case 'lapse':
      return lapse(deps, req);
  }
}

const expiryLabel = (rep: Rep, deps: Pick<OnboardingDeps, 'programme'>) =>
  new Date(rep.certification!.expiresAt).toLocaleDateString('en-GB', { timeZone: timeZoneOf(rep, deps.programme), day: 'numeric', month: 'short', year: 'numeric' });

/** A state change the email's claim could not carry (the email went before): saved on its own. */
async function markRep(deps: OnboardingDeps, req: { repId: string; run: number }, change: (rep: Rep) => Rep | undefined) {
  await withOptimisticRetry(async () => {
    const rep = await currentRep(deps, req.repId, req.run);
    const next = change(rep);
    if (next) await deps.reps.save(next, rep.version ?? 0, []);
  });
}

/**
 * The first certification reminder opens a new cycle: the recertification path's modules, due from
 * today, in a new run (and a new execution: the certified run ends here, well inside a year).
 */
async function startRecertification(deps: OnboardingDeps, req: { repId: string; run: number }): Promise<string> {
  const saved = await withOptimisticRetry(async () => {
    const rep = await currentRep(deps, req.repId, req.run);
    if (rep.track === 'recertification') return undefined;
    const now = deps.clock.now();
    const zone = timeZoneOf(rep, deps.programme);
    const next: Rep = {
      ...rep,
      track: 'recertification',
      modules: freshProgress(deps.programme.recertification, localDate(now, zone), zone),
      certRemindersSent: [],
      overdueReminders: 0,
      escalatedAt: undefined,
      lastReminderOn: rep.lastReminderOn,
      run: (rep.run ?? 0) + 1,
      programmeVersion: deps.programmeVersion,
      updatedAt: now.toISOString(),
    };
    return deps.reps.save(next, rep.version ?? 0, [
      repEntry(deps.ids, now, 'recertification_started', `Recertification cycle ${(rep.certification?.cycle ?? 0) + 1} started: ${deps.programme.recertification.title}`, { expiresAt: rep.certification?.expiresAt }),
    ]);
  });
  if (!saved) return 'skipped';
  const days = Math.max(...deps.programme.certification.reminderDaysBefore);
  await deliverRepEmail(deps, {
    repId: req.repId, to: 'rep', step: `cert-reminder#${saved.certification?.cycle ?? 0}#${days}`, what: `certification reminder (${days} days)`,
    compose: (r, now) => ({ message: deps.messages.certificationReminder(r, days, expiryLabel(r, deps), planItems(r, deps.programme, now)), rep: { ...r, certRemindersSent: [days] } }),
  });
  const outcome = await supersedeRun(deps.runs, WORKFLOW, req.repId, undefined, { repId: req.repId, run: saved.run! }, 'recertification');
  // Queued (the run outbox) → StartRuns records the start when it happens.
  if (outcome === 'started') await deps.reps.appendTimeline(req.repId, [repEntry(deps.ids, deps.clock.now(), 'workflow_started', `Onboarding run ${saved.run} started (recertification, programme version ${saved.programmeVersion ?? deps.programmeVersion})`, { run: saved.run, version: saved.programmeVersion ?? deps.programmeVersion })]);
  return 'new-run';
}

/** Expiry without recertification: lapsed, no more leads, open leads reassigned, manager and rep told. */
async function lapse(deps: OnboardingDeps, req: { repId: string; run: number }): Promise<string> {
  const saved = await withOptimisticRetry(async () => {
    const rep = await currentRep(deps, req.repId, req.run);
    const now = deps.clock.now();
    if (rep.status !== 'active' || !rep.certification || Date.parse(rep.certification.expiresAt) > now.getTime()) return undefined;
    return deps.reps.save({ ...rep, status: 'lapsed', updatedAt: now.toISOString() }, rep.version ?? 0, [
      repEntry(deps.ids, now, 'certification_lapsed', `Certification expired on ${rep.certification.expiresAt.slice(0, 10)} without recertification: no more leads until recertified`, { cycle: rep.certification.cycle }),
    ]);
  });
  if (!saved) return 'skipped';
  const cycle = saved.certification!.cycle;
  const reassigned = await reassignOpenLeads({ store: deps.leads, starter: deps.funnel, clock: deps.clock, ids: deps.ids }, req.repId, `${saved.name}'s certification lapsed`);
  if (reassigned) await deps.reps.appendTimeline(req.repId, [repEntry(deps.ids, deps.clock.now(), 'leads_reassigned', `${reassigned} open lead(s) handed to other reps`, { count: reassigned })]);
  await deliverRepEmail(deps, { ...req, to: 'rep', step: `lapsed#${cycle}`, what: 'lapse notice', compose: (r) => ({ message: deps.messages.lapsedRep(r) }) });
  await deliverRepEmail(deps, { ...req, to: 'manager', step: `lapsed-manager#${cycle}`, what: 'lapse notice', compose: (r) => ({ message: deps.messages.lapsedManager(r, reassigned) }) });
  await deps.publisher.publish([{ type: 'RepCertificationLapsed', id: `${req.repId}:RepCertificationLapsed:${cycle}`, at: deps.clock.now().toISOString(), detail: { repId: req.repId, cycle, leadsReassigned: reassigned } }]);
  return 'lapsed';
}
