/**
 * The words of the onboarding and training emails, to the new rep and to their manager. Operational
 * mail, not marketing: no unsubscribe footer, but each one says which system sent it and why. The core
 * lays them out (functions/core/rep-emails.ts: the module list with due dates and links, escaping).
 */
import type { Rep } from '../../functions/core/model.js';
import type { RepMessages } from '../../functions/core/rep-emails.js';
import { brand } from './brand.js';

const first = (rep: Rep) => rep.firstName || rep.name;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const onboardingMessages: RepMessages = {
  signature: `Sent automatically by Sales Flow, the sales enablement programme of ${brand.company}.`,

  welcomeRep: (rep, plan, pathTitle) => ({
    subject: `Welcome to ${brand.company}, ${first(rep)}: your onboarding plan`,
    intro: [
      `Hi ${first(rep)},`,
      `Welcome aboard! Your learning path is "${pathTitle}". Here is your plan, with due dates in your time zone (${rep.timeZone ?? 'UTC'}). Work through the modules in order: some need an earlier one passed first.`,
    ],
    items: plan,
    closing: [
      `When every module is passed, your manager signs you off and you start receiving leads. We send at most one reminder a day, during business hours, with everything due.`,
    ],
  }),

  welcomeManager: (rep, plan, pathTitle) => ({
    subject: `${rep.name} starts onboarding (${(rep.role ?? 'sdr').toUpperCase()})`,
    intro: [
      `${rep.name} <${rep.email}> started "${pathTitle}" on ${rep.startDate}. You are their manager in Sales Flow: you will be asked to sign them off when every module is passed, and told if they fall behind.`,
      `Their plan:`,
    ],
    items: plan,
  }),

  digest: (rep, dueSoon, overdue) => ({
    subject: overdue.length
      ? `${plural(overdue.length, 'training module')} overdue${dueSoon.length ? `, ${dueSoon.length} due soon` : ''}`
      : `${plural(dueSoon.length, 'training module')} due soon`,
    intro: [
      `Hi ${first(rep)},`,
      overdue.length
        ? `Here is everything on your onboarding plan that needs you now. Overdue modules come first.`
        : `A quick heads-up: these modules of your onboarding plan are due in the next few days.`,
    ],
    items: [...overdue, ...dueSoon],
    closing: [`This is your one reminder today.`],
  }),

  escalation: (rep, overdue, reminders) => ({
    subject: `ESCALATION: ${rep.name} is behind on onboarding (${plural(overdue.length, 'module')} overdue)`,
    intro: [
      `${rep.name} <${rep.email}> has ${plural(overdue.length, 'overdue module')} after ${plural(reminders, 'daily reminder')}. Sales Flow sends them no more overdue reminders; a word from you is the next step.`,
      `What is overdue:`,
    ],
    items: overdue,
  }),

  attemptFailed: (rep, item, score, passMark, remaining) => ({
    subject: `${item.module.title}: not passed yet${item.attemptsLeft !== undefined ? ` (${plural(item.attemptsLeft, 'attempt')} left)` : ''}`,
    intro: [
      `Hi ${first(rep)},`,
      `You scored ${score ?? 'no score'} on "${item.module.title}"; the pass mark is ${passMark}. ${
        item.attemptsLeft ? `You have ${plural(item.attemptsLeft, 'attempt')} left.` : 'That was your last attempt: the module is locked until your manager resets it.'
      }`,
      `What remains on your plan:`,
    ],
    items: remaining,
  }),

  moduleLocked: (rep, item, attempts) => ({
    subject: `${rep.name} is locked out of "${item.module.title}"`,
    intro: [
      `${rep.name} <${rep.email}> failed "${item.module.title}" ${plural(attempts, 'time')}, which was every attempt allowed. The module is locked until you reset it (POST /reps/${rep.repId}/modules/${item.module.id}/reset), which gives fresh attempts.`,
    ],
  }),

  signOffRequest: (rep, modules) => ({
    subject: `Sign-off needed: ${rep.name} has passed every onboarding module`,
    intro: [
      `${rep.name} <${rep.email}> has passed every module of their onboarding. Please review them (the role-plays and shadowing marked for your review especially) and sign them off: POST /reps/${rep.repId}/signoff with {"decision": "approve", "by": "<you>"}, or "reject" with the modules to reopen.`,
      `Until you approve, ${first(rep)} receives no leads.`,
    ],
    items: modules,
  }),

  signOffRejected: (rep, reopened, notes, by) => ({
    subject: `Your sign-off: a few modules to revisit`,
    intro: [
      `Hi ${first(rep)},`,
      `${by} reviewed your onboarding and asked you to revisit ${reopened.length ? 'these modules' : 'some of your work'} before signing you off.${notes ? ` Their notes: "${notes}"` : ''}`,
    ],
    items: reopened,
  }),

  certified: (rep, expires, cycle) => ({
    subject: cycle > 1 ? `You are recertified until ${expires}` : `You are certified, ${first(rep)}: leads are on their way`,
    intro: [
      `Hi ${first(rep)},`,
      cycle > 1
        ? `Thank you for completing your recertification. Your certification now runs until ${expires}.`
        : `Congratulations: your manager has signed you off. You are certified until ${expires} and from now on you receive leads that reach the decision stage. Contact each one within the SLA and log it.`,
    ],
  }),

  certificationReminder: (rep, daysLeft, expires, plan) => ({
    subject: `Your certification expires in ${plural(daysLeft, 'day')} (${expires})`,
    intro: [
      `Hi ${first(rep)},`,
      `Your certification expires on ${expires}. Complete your recertification before then to keep receiving leads; after it lapses, your open leads go to other reps.`,
      ...(plan.length ? ['Your recertification plan:'] : []),
    ],
    items: plan,
  }),

  lapsedRep: (rep) => ({
    subject: `Your certification has lapsed`,
    intro: [
      `Hi ${first(rep)},`,
      `Your certification expired without recertification, so you receive no new leads and your open leads have gone to other reps. Complete your recertification modules and you are certified again.`,
    ],
  }),

  lapsedManager: (rep, leadsReassigned) => ({
    subject: `${rep.name}'s certification has lapsed`,
    intro: [
      `${rep.name} <${rep.email}> did not recertify before their certification expired. They receive no new leads until they do${leadsReassigned ? `, and their ${plural(leadsReassigned, 'open lead')} were handed to other reps` : ''}.`,
    ],
  }),
};
