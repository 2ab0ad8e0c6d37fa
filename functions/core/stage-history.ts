/**
 * When a lead entered and left each stage. A stay starts when the lead enters a stage, or is re-opened in
 * it (a dormant or lost lead that comes back); it ends when the lead moves to another stage or closes (won,
 * lost, disqualified, dormant). Ended stays add to `timeInStage`, so the total per stage survives re-entry
 * and the (bounded) list of stays may drop its oldest entries without losing it.
 */
import type { Lead, LeadStatus, Stage, StageStay } from './model.js';

/** Open leads are in a stage's programme (active) or its slow nurture (recycled); the others are closed. */
export const isOpenStatus = (status: LeadStatus) => status === 'active' || status === 'recycled';

/** Stays kept on the lead; older ones are dropped (their time is in timeInStage). */
export const MAX_STAYS = 20;

/** The lead's stays: its history, or — before any change recorded one — a stay in its stage since capture. */
export function staysOf(lead: Pick<Lead, 'stage' | 'status' | 'createdAt' | 'updatedAt' | 'stageHistory'>): StageStay[] {
  if (lead.stageHistory) return lead.stageHistory;
  return [{ stage: lead.stage, enteredAt: lead.createdAt, ...(isOpenStatus(lead.status) ? {} : { leftAt: lead.updatedAt }) }];
}

/**
 * The history fields of `next` after a change from `before` at `at` (ISO): merge them into the lead that is
 * saved. Nothing changes when the stage and openness stay the same (a score change, a recycle).
 */
export function trackStage(before: Lead, next: Pick<Lead, 'stage' | 'status'>, at: string): Pick<Lead, 'stageHistory' | 'timeInStage'> {
  const wasOpen = isOpenStatus(before.status);
  const isOpen = isOpenStatus(next.status);
  const unchanged = { ...(before.stageHistory ? { stageHistory: before.stageHistory } : {}), ...(before.timeInStage ? { timeInStage: before.timeInStage } : {}) };
  if (before.stage === next.stage && wasOpen === isOpen) return unchanged;

  const stays = staysOf(before).map((s) => ({ ...s }));
  const timeInStage: Partial<Record<Stage, number>> = { ...before.timeInStage };
  const end = (stay: StageStay) => {
    stay.leftAt = at;
    timeInStage[stay.stage] = (timeInStage[stay.stage] ?? 0) + Math.max(0, Date.parse(at) - Date.parse(stay.enteredAt));
  };
  const current = stays.at(-1);
  if (current && current.leftAt === undefined) end(current);
  // Entering a stage: a move, or a re-opening. A move straight to a close (a purchase: won at once) is a
  // stay that ends as it begins, so the stage counts as reached.
  if (before.stage !== next.stage || isOpen) {
    const stay: StageStay = { stage: next.stage, enteredAt: at };
    stays.push(stay);
    if (!isOpen) end(stay);
  }
  return { stageHistory: stays.slice(-MAX_STAYS), timeInStage };
}

/** Hours in `stage` so far: ended stays plus the one still open at `now`. */
export function hoursInStage(lead: Pick<Lead, 'stage' | 'status' | 'createdAt' | 'updatedAt' | 'stageHistory' | 'timeInStage'>, stage: Stage, now: Date): number {
  const open = staysOf(lead).find((s) => s.stage === stage && s.leftAt === undefined);
  const ended = lead.stageHistory ? (lead.timeInStage?.[stage] ?? 0) : staysOf(lead).filter((s) => s.stage === stage && s.leftAt).reduce((t, s) => t + Date.parse(s.leftAt!) - Date.parse(s.enteredAt), 0);
  return (ended + (open ? Math.max(0, now.getTime() - Date.parse(open.enteredAt)) : 0)) / 3_600_000;
}
