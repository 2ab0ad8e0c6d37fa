/**
 * Reading reps (GET /reps/{repId}, GET /reps): the profile, every module with its status, due date,
 * attempts, best score and days overdue (computed on read), the certification, ramp time and timeline.
 */
import { DAY_MS, type Clock } from './clock.js';
import { NotFoundError } from './errors.js';
import { currentPath, daysOverdue, maxAttemptsOf, type OnboardingProgramme } from './learning.js';
import type { Rep, RepStatus, SubjectTimelineEntry } from './model.js';
import type { LeadStore, Page, RepStore } from './ports.js';

export interface RepReadDeps {
  reps: RepStore;
  leads: Pick<LeadStore, 'listByOwner'>;
  programme: OnboardingProgramme;
  clock: Clock;
}

export interface ModuleView {
  moduleId: string;
  title: string;
  kind: string;
  status: string;
  dueAt: string;
  attempts: number;
  maxAttempts?: number;
  bestScore?: number;
  passedAt?: string;
  daysOverdue: number;
  prerequisites: string[];
}

/** The rep without its storage-only fields (optimistic-locking version, reminder bookkeeping). */
export function publicRep(rep: Rep) {
  const { version: _v, lastReminderOn: _l, certRemindersSent: _c, welcomedAt: _w, modules: _m, ...rest } = rep;
  return rest;
}

export function moduleViews(rep: Rep, programme: OnboardingProgramme, now: Date): ModuleView[] {
  const path = currentPath(rep, programme);
  return (rep.modules ?? []).map((p) => {
    const m = path?.modules.find((x) => x.id === p.moduleId);
    const max = m ? maxAttemptsOf(m) : Infinity;
    return {
      moduleId: p.moduleId,
      title: m?.title ?? p.moduleId,
      kind: m?.kind ?? 'reading',
      status: p.status,
      dueAt: p.dueAt,
      attempts: p.attempts,
      ...(Number.isFinite(max) ? { maxAttempts: max } : {}),
      ...(p.bestScore !== undefined ? { bestScore: p.bestScore } : {}),
      ...(p.passedAt ? { passedAt: p.passedAt } : {}),
      daysOverdue: daysOverdue(p, now),
      prerequisites: m?.prerequisites ?? [],
    };
  });
}

const daysBetween = (from: string | undefined, to: string | undefined) =>
  from && to ? Math.max(0, Math.round((Date.parse(to) - Date.parse(`${from.slice(0, 10)}T00:00:00.000Z`)) / DAY_MS)) : null;

export async function getRepProfile(deps: RepReadDeps, repId: string) {
  const rep = await deps.reps.get(repId);
  if (!rep) throw new NotFoundError(`Rep ${repId} not found`);
  const timeline = await deps.reps.timeline(repId);
  const now = deps.clock.now();
  // Recorded on the rep when they happened (core/ramp.ts), not derived from the leads they own now.
  const { firstLeadAt, firstWonAt } = rep.ramp ?? {};
  const start = rep.startDate ?? rep.createdAt;
  const firstCertifiedAt = timeline.find((e) => e.type === 'certified')?.at ?? rep.certification?.certifiedAt;
  return {
    ...publicRep(rep),
    modules: moduleViews(rep, deps.programme, now),
    ramp: {
      firstLeadAt: firstLeadAt ?? null,
      firstWonAt: firstWonAt ?? null,
      daysToCertification: daysBetween(start, firstCertifiedAt),
      daysToFirstLead: daysBetween(start, firstLeadAt),
      daysToFirstWonDeal: daysBetween(start, firstWonAt),
    },
    timeline: timeline as SubjectTimelineEntry[],
  };
}

export async function listReps(deps: Pick<RepReadDeps, 'reps' | 'programme' | 'clock'>, query: { status: RepStatus; limit: number; cursor?: string }): Promise<Page<ReturnType<typeof publicRep> & { modules: ModuleView[] }>> {
  const page = await deps.reps.list(query.status, { limit: query.limit, cursor: query.cursor });
  const now = deps.clock.now();
  const items = page.items.map((rep) => ({ ...publicRep(rep), modules: moduleViews(rep, deps.programme, now) }));
  return page.cursor ? { items, cursor: page.cursor } : { items };
}
