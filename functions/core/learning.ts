/**
 * The vocabulary of training, owned by the core: what a learning path is (workflows/programmes/onboarding.ts
 * fills it with data, validated at synth), and the pure rules over a rep's progress — due dates, what is
 * overdue, what a quiz attempt means, whether prerequisites are met.
 */
import { addDays, endOfLocalDate, type BusinessHours } from './business-hours.js';
import { DAY_MS } from './clock.js';
import type { ModuleProgress, Rep, RepRole } from './model.js';

export const MODULE_KINDS = ['reading', 'video', 'quiz', 'roleplay', 'shadowing'] as const;
export type ModuleKind = (typeof MODULE_KINDS)[number];

export interface TrainingModule {
  /** Stable id: progress, ledger keys and URLs use it. */
  id: string;
  title: string;
  kind: ModuleKind;
  url: string;
  /** Due this many days after the rep's start date (end of that day, in the rep's time zone). */
  dueDays: number;
  /** Modules that must be passed before this one may be completed. */
  prerequisites: string[];
  /** Quizzes only: the score (0–100) that passes, and how many attempts before the module locks. */
  passMark?: number;
  maxAttempts?: number;
  /** A manager watches this one (a role-play, a shadowed call); the sign-off covers it. */
  managerReview: boolean;
}

export interface LearningPath {
  title: string;
  modules: TrainingModule[];
}

export interface OnboardingProgramme {
  /** The default path of each role. */
  paths: Record<RepRole, LearningPath>;
  /** What a certified rep takes again before the certification expires (due days count from the cycle's start). */
  recertification: LearningPath;
  reminders: {
    /** The "due soon" reminder goes out this many days before a module is due. */
    daysBefore: number;
    /** Overdue digests (at most one a day) before the manager gets the escalation. */
    escalateAfterOverdueReminders: number;
    /** A module a manager reopens at sign-off is due again this many days later. */
    reopenDueDays: number;
  };
  /** Reminders go out inside these hours of the rep's time zone; outside them they wait for the next opening. */
  businessHours: BusinessHours;
  /** The time zone of a rep who gave none. */
  defaultTimeZone: string;
  certification: {
    validDays: number;
    /** Reminders this many days before expiry; the largest also starts the recertification cycle. */
    reminderDaysBefore: number[];
  };
}

export const timeZoneOf = (rep: Pick<Rep, 'timeZone'>, programme: Pick<OnboardingProgramme, 'defaultTimeZone'>) =>
  rep.timeZone ?? programme.defaultTimeZone;

/** Fresh progress for every module of a path: due dates from `startDate` in the rep's zone. */
export function freshProgress(path: LearningPath, startDate: string, timeZone: string): ModuleProgress[] {
  return path.modules.map((m) => ({
    moduleId: m.id,
    status: 'open',
    dueAt: endOfLocalDate(addDays(startDate, m.dueDays), timeZone).toISOString(),
    attempts: 0,
    attemptIds: [],
  }));
}

/** The path a rep is on now (its track's), or undefined when certified and between cycles. */
export function currentPath(rep: Pick<Rep, 'track' | 'role'>, programme: OnboardingProgramme): LearningPath | undefined {
  if (rep.track === 'recertification') return programme.recertification;
  if (rep.track === 'onboarding') return programme.paths[rep.role ?? 'sdr'];
  return undefined;
}

export const moduleOf = (path: LearningPath | undefined, moduleId: string) => path?.modules.find((m) => m.id === moduleId);

/** Whole days past due (0 when not due yet or passed), computed on read. */
export function daysOverdue(progress: ModuleProgress, now: Date): number {
  if (progress.status === 'passed') return 0;
  const late = now.getTime() - Date.parse(progress.dueAt);
  return late > 0 ? Math.ceil(late / DAY_MS) : 0;
}

export const isOpen = (p: ModuleProgress) => p.status !== 'passed';
export const allPassed = (modules: readonly ModuleProgress[] | undefined) => !!modules?.length && modules.every((m) => m.status === 'passed');

/** Prerequisites of `module` that the rep has not passed yet. */
export function missingPrerequisites(module: TrainingModule, progress: readonly ModuleProgress[]): string[] {
  return module.prerequisites.filter((id) => progress.find((p) => p.moduleId === id)?.status !== 'passed');
}

/** What one attempt means: a non-quiz completes on submission; a quiz passes at its pass mark. */
export function judgeAttempt(module: TrainingModule, score: number | undefined): { passed: boolean; reason?: string } {
  if (module.kind !== 'quiz') return { passed: true };
  if (score === undefined) return { passed: false, reason: 'a quiz attempt needs a score' };
  const passMark = module.passMark ?? 80;
  return score >= passMark ? { passed: true } : { passed: false, reason: `scored ${score}, the pass mark is ${passMark}` };
}

export const maxAttemptsOf = (module: TrainingModule) => (module.kind === 'quiz' ? (module.maxAttempts ?? 3) : Infinity);

/** Is this rep certified now, with a certification that has not expired? (Only such reps get leads.) */
export function isCertified(rep: Pick<Rep, 'certification'>, now: Date): boolean {
  return !!rep.certification && Date.parse(rep.certification.expiresAt) > now.getTime();
}

/**
 * Eligible for leads: active, holding an unexpired certification, and selling — a CSM owns customers after the
 * sale (core/retention-run.ts), so the funnel's round-robin passes them by.
 */
export const isEligibleForLeads = (rep: Pick<Rep, 'status' | 'certification' | 'role'>, now: Date) =>
  rep.status === 'active' && rep.role !== 'csm' && isCertified(rep, now);
