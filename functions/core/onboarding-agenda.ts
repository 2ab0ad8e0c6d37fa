/**
 * What a rep's RepOnboarding run has to do next, and when — one pure function, so the task that plans
 * the next wake-up and the task that acts at it can never disagree (a plan the act finds nothing for
 * would spin). Every reminder moment is moved past today's digest (one a day) and into business hours
 * in the rep's time zone; certification moments count back from the expiry.
 */
import { endOfLocalDate, nextOpening } from './business-hours.js';
import { DAY_MS } from './clock.js';
import { allPassed, timeZoneOf, type OnboardingProgramme } from './learning.js';
import type { ModuleProgress, Rep } from './model.js';

export type AgendaKind = 'welcome' | 'signoff-request' | 'digest' | 'escalation' | 'start-recertification' | 'cert-reminder' | 'lapse';
export interface AgendaItem {
  kind: AgendaKind;
  at: Date;
  /** cert-reminder: days before expiry. */
  days?: number;
}

/** Modules the rep can act on (a locked one waits for a manager's reset). */
export const actionable = (modules: readonly ModuleProgress[] | undefined) => (modules ?? []).filter((m) => m.status === 'open');

export function dueSoon(rep: Rep, programme: OnboardingProgramme, now: Date): ModuleProgress[] {
  const before = programme.reminders.daysBefore * DAY_MS;
  return actionable(rep.modules).filter((m) => !m.remindedBeforeAt && Date.parse(m.dueAt) - before <= now.getTime() && Date.parse(m.dueAt) > now.getTime());
}

export const overdue = (rep: Rep, now: Date) => actionable(rep.modules).filter((m) => Date.parse(m.dueAt) <= now.getTime());

/** Overdue digests still to come before the escalation (none once escalated). */
const overdueDigestsLeft = (rep: Rep, programme: OnboardingProgramme) =>
  !rep.escalatedAt && (rep.overdueReminders ?? 0) < programme.reminders.escalateAfterOverdueReminders;

/**
 * Everything on the rep's agenda as seen at `now`. Reminder moments are never before `now`: a moment
 * that has passed (or fell outside business hours) is moved to the next opening from now, so the plan
 * and the act, looking at the same rep, agree on what is due.
 */
export function agenda(rep: Rep, programme: OnboardingProgramme, now: Date): AgendaItem[] {
  if (rep.status === 'inactive' || !rep.email) return [];
  const zone = timeZoneOf(rep, programme);
  const hours = programme.businessHours;
  const items: AgendaItem[] = [];
  const created = new Date(rep.createdAt);
  // After today's digest the next one waits for tomorrow.
  const afterLastDigest = (t: Date) => {
    if (!rep.lastReminderOn) return t;
    const dayAfter = new Date(endOfLocalDate(rep.lastReminderOn, zone).getTime() + 1000);
    return t < dayAfter ? dayAfter : t;
  };
  const notBefore = (t: Date) => (t < now ? now : t);
  const reminderAt = (raw: Date) => nextOpening(afterLastDigest(notBefore(raw)), zone, hours);

  const onTrack = rep.track === 'onboarding' || rep.track === 'recertification';
  if (rep.track === 'onboarding' && !rep.welcomedAt) items.push({ kind: 'welcome', at: created });
  if (rep.track === 'onboarding' && allPassed(rep.modules) && !rep.signOffRequestedAt) items.push({ kind: 'signoff-request', at: created });

  if (onTrack && rep.status !== 'lapsed') {
    const open = actionable(rep.modules);
    const before = programme.reminders.daysBefore * DAY_MS;
    // A module already overdue gets no "due soon" reminder: the overdue digests cover it.
    const soon = open.filter((m) => !m.remindedBeforeAt && Date.parse(m.dueAt) > now.getTime()).map((m) => Date.parse(m.dueAt) - before);
    const firstDue = Math.min(...open.map((m) => Date.parse(m.dueAt)));
    const raw = [...soon, ...(overdueDigestsLeft(rep, programme) && open.length ? [firstDue] : [])];
    if (raw.length) items.push({ kind: 'digest', at: reminderAt(new Date(Math.min(...raw))) });
    if (open.length && !rep.escalatedAt && !overdueDigestsLeft(rep, programme)) items.push({ kind: 'escalation', at: reminderAt(new Date(firstDue)) });
  }

  const cert = rep.certification;
  if (cert && rep.status === 'active') {
    const expires = Date.parse(cert.expiresAt);
    const days = [...programme.certification.reminderDaysBefore].sort((a, b) => b - a);
    const first = days[0] ?? 30;
    if (rep.track === 'none' || !rep.track) items.push({ kind: 'start-recertification', at: nextOpening(notBefore(new Date(expires - first * DAY_MS)), zone, hours) });
    if (rep.track === 'recertification') {
      for (const d of days.slice(1)) {
        if (!rep.certRemindersSent?.includes(d)) items.push({ kind: 'cert-reminder', at: nextOpening(notBefore(new Date(expires - d * DAY_MS)), zone, hours), days: d });
      }
      items.push({ kind: 'lapse', at: new Date(expires) });
    }
  }
  return items;
}

/** The next wake-up: the earliest item, or undefined when nothing is left (the run ends). */
export function nextWakeUp(rep: Rep, programme: OnboardingProgramme, now: Date): Date | undefined {
  const times = agenda(rep, programme, now).map((i) => i.at.getTime());
  return times.length ? new Date(Math.min(...times)) : undefined;
}

/** What is due at `now`. */
export const dueItems = (rep: Rep, programme: OnboardingProgramme, now: Date) => agenda(rep, programme, now).filter((i) => i.at.getTime() <= now.getTime());
