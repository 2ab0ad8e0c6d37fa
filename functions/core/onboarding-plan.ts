/** A rep's modules as the emails and GET /reps/{repId} show them: title, due date in their zone, lateness, attempts. */
import { displayDate } from './business-hours.js';
import { currentPath, daysOverdue, maxAttemptsOf, timeZoneOf, type OnboardingProgramme } from './learning.js';
import type { Rep } from './model.js';
import type { PlanItem } from './rep-emails.js';

/** The rep's modules (only `moduleIds`, in that order, when given) with their due dates in the rep's zone. */
export function planItems(rep: Rep, programme: OnboardingProgramme, now: Date, moduleIds?: readonly string[]): PlanItem[] {
  const path = currentPath(rep, programme);
  const zone = timeZoneOf(rep, programme);
  const progress = rep.modules ?? [];
  const ids = moduleIds ?? progress.map((p) => p.moduleId);
  return ids.flatMap((id) => {
    const module = path?.modules.find((m) => m.id === id);
    const p = progress.find((x) => x.moduleId === id);
    if (!module || !p) return [];
    const max = maxAttemptsOf(module);
    return [{
      module,
      due: displayDate(new Date(p.dueAt), zone),
      daysOverdue: daysOverdue(p, now),
      ...(Number.isFinite(max) ? { attemptsLeft: Math.max(0, max - p.attempts) } : {}),
    }];
  });
}
