/**
 * The emails of onboarding and training, as the core asks for them: the words come from
 * workflows/templates/onboarding.ts, the one layout (escaping, the list of modules, the signature) is
 * here, so no message can forget either.
 */
import type { TrainingModule } from './learning.js';
import type { Rep } from './model.js';
import { composeInternalEmail, type ComposedEmail } from './internal-email.js';
import { escapeHtml } from './render.js';

/** One module in an email: what it is, when it is due (in the rep's zone), how late, where to find it. */
export interface PlanItem {
  module: TrainingModule;
  /** "Mon 3 Mar 2026" in the rep's time zone. */
  due: string;
  daysOverdue: number;
  /** Quizzes: attempts left. */
  attemptsLeft?: number;
}

export interface RepMessage {
  subject: string;
  intro: string[];
  /** The modules the message is about, listed after the intro. */
  items?: PlanItem[];
  closing?: string[];
}

/** The wording of every onboarding email. `rep` is the trainee; the manager emails are about them. */
export interface RepMessages {
  signature: string;
  welcomeRep(rep: Rep, plan: PlanItem[], pathTitle: string): RepMessage;
  welcomeManager(rep: Rep, plan: PlanItem[], pathTitle: string): RepMessage;
  /** The daily digest: everything due soon or overdue. */
  digest(rep: Rep, dueSoon: PlanItem[], overdue: PlanItem[]): RepMessage;
  escalation(rep: Rep, overdue: PlanItem[], reminders: number): RepMessage;
  attemptFailed(rep: Rep, item: PlanItem, score: number | undefined, passMark: number, remaining: PlanItem[]): RepMessage;
  moduleLocked(rep: Rep, item: PlanItem, attempts: number): RepMessage;
  signOffRequest(rep: Rep, modules: PlanItem[]): RepMessage;
  signOffRejected(rep: Rep, reopened: PlanItem[], notes: string | undefined, by: string): RepMessage;
  certified(rep: Rep, expires: string, cycle: number): RepMessage;
  certificationReminder(rep: Rep, daysLeft: number, expires: string, plan: PlanItem[]): RepMessage;
  lapsedRep(rep: Rep): RepMessage;
  lapsedManager(rep: Rep, leadsReassigned: number): RepMessage;
}

export type { ComposedEmail } from './internal-email.js';

function itemLine(item: PlanItem): string {
  const late = item.daysOverdue > 0 ? ` — ${item.daysOverdue} day${item.daysOverdue === 1 ? '' : 's'} overdue` : '';
  const attempts = item.attemptsLeft !== undefined && Number.isFinite(item.attemptsLeft) ? `, ${item.attemptsLeft} attempt${item.attemptsLeft === 1 ? '' : 's'} left` : '';
  return `${item.module.title} (${item.module.kind}${attempts}) — due ${item.due}${late}`;
}

/** An onboarding email: the internal layout with the modules as a list with links. */
export function composeRepEmail(message: RepMessage, signature: string): ComposedEmail {
  const e = escapeHtml;
  const items = message.items ?? [];
  const block = items.length
    ? { text: items.map((i) => `- ${itemLine(i)}\n  ${i.module.url}`).join('\n'), html: ['<ul>', ...items.map((i) => `<li><a href="${e(i.module.url)}">${e(itemLine(i))}</a></li>`), '</ul>'] }
    : undefined;
  return composeInternalEmail(message, block, signature);
}
