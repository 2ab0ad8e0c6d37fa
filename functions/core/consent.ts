/**
 * May this lead receive this category of email right now? Checked at send time, because a lead can
 * unsubscribe or bounce between the moment a workflow scheduled an email and the moment it goes.
 */
import type { Lead } from './model.js';
import type { SendCategory } from './templates.js';

export type ConsentPolicy = 'opt-in' | 'opt-out';

export type SendPermission = { allowed: true } | { allowed: false; reason: string };

/** Marketing and the long-term recycle nurture are promotional; only one-off confirmations are not. */
export const isPromotional = (category: SendCategory) => category !== 'transactional';

export function sendPermission(lead: Pick<Lead, 'consent' | 'suppressed'>, category: SendCategory, policy: ConsentPolicy): SendPermission {
  // A suppressed lead gets nothing from the funnel, not even transactional nurture: after an
  // unsubscribe, a bounce or a complaint, silence is the safe (and reputation-preserving) choice.
  if (lead.suppressed) return { allowed: false, reason: lead.suppressed.reason };
  // Opt-in (GDPR): promotional email only with recorded consent; a confirmation is always lawful.
  if (policy === 'opt-in' && isPromotional(category) && !lead.consent?.given) return { allowed: false, reason: 'no-consent' };
  return { allowed: true };
}
