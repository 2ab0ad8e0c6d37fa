/**
 * The words of the emails to a customer's owner (the rep or CSM who holds the relationship).
 * Operational mail, not marketing: no unsubscribe footer, but each one says which system sent it and
 * why. The customer-facing retention emails name no person, so these tell the owner when a personal
 * word is worth more than the next automated one. The core lays them out
 * (functions/core/owner-emails.ts: the facts table, escaping).
 */
import type { CustomerSummary, OwnerMessages } from '../../functions/core/owner-emails.js';
import { brand } from './brand.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const hi = (owner: { name: string }) => `Hi ${owner.name},`;

/** The customer at a glance, after the intro of every owner email. */
const factsOf = (customer: CustomerSummary): [string, string][] => [
  ['Customer', customer.name],
  ['Email', customer.email],
  ['Plan', customer.plan ?? ''],
  ['Renews', customer.renewalDate ?? ''],
  ['Health', customer.health ? `${customer.health.score}/100 (${customer.health.band})` : ''],
  ['Customer ID', customer.customerId],
];

export const ownerMessages: OwnerMessages = {
  signature: `Sent automatically by Sales Flow, the customer programme of ${brand.company}.`,

  customerAssigned: (owner, customer) => ({
    subject: `New customer assigned to you: ${customer.name}`,
    intro: [
      hi(owner),
      `${customer.name} is now your customer. They received our welcome email with the getting-started guide, but none of our emails names you, so please introduce yourself in the next few days: the first personal contact is yours.`,
    ],
    facts: factsOf(customer),
    closing: [`Sales Flow will tell you when their business reviews and renewal are due, and as soon as their usage, health or survey answers need your attention.`],
  }),

  businessReview: (owner, customer, quarter) => ({
    subject: `Business review due: ${customer.name} (${quarter === 1 ? 'first 90 days' : `quarter ${quarter}`})`,
    intro: [
      hi(owner),
      quarter === 1
        ? `${customer.name} has been a customer for 90 days, which makes it time for their first business review. Please invite them to a 30-minute call about what they set out to achieve with ${brand.product}, where they are now and what comes next.`
        : `${customer.name} is due their quarterly business review (quarter ${quarter} as a customer). Please invite them to a 30-minute call to look back at the quarter and agree the goals for the next one.`,
    ],
    facts: factsOf(customer),
    closing: [`Bring their health score and usage trend to the call. A review is also the natural place to raise the renewal or more seats.`],
  }),

  renewalReminder: (owner, customer, daysLeft) => ({
    subject: `${customer.name} renews in ${plural(daysLeft, 'day')}${customer.renewalDate ? ` (${customer.renewalDate})` : ''}`,
    intro: [
      hi(owner),
      `${customer.name}'s ${customer.plan ? `${customer.plan} plan` : 'subscription'} renews ${customer.renewalDate ? `on ${customer.renewalDate}` : `in ${plural(daysLeft, 'day')}`}.`,
      daysLeft > 60
        ? `There is still time to shape the renewal: find out who signs it off, and raise any expansion (more seats, a bigger plan) while they can still budget for it.`
        : `If you have not yet spoken to them about the renewal, now is the time. Confirm who signs it off and settle any open questions on price or seats before the last month.`,
    ],
    facts: factsOf(customer),
    closing: [`The customer gets our own renewal reminder 30 days before the date.`],
  }),

  noUsage: (owner, customer, days) => ({
    subject: `No usage from ${customer.name} for ${plural(days, 'day')}`,
    intro: [
      hi(owner),
      `Nobody at ${customer.name} has used ${brand.product} for ${plural(days, 'day')}. Accounts that go quiet rarely renew, so please find out why while there is time: a stalled set-up, numbers they do not trust, or a champion who has moved on.`,
      `A personal call from you is more likely to bring them back than our "need a hand?" email.`,
    ],
    facts: factsOf(customer),
  }),

  detractor: (owner, customer, score, comment) => ({
    subject: `Detractor: ${customer.name} scored ${score}/10 in the NPS survey`,
    intro: [
      hi(owner),
      comment?.trim()
        ? `${customer.name} answered our NPS survey with ${score} out of 10. Their comment:`
        : `${customer.name} answered our NPS survey with ${score} out of 10 and left no comment.`,
      ...(comment?.trim() ? [`"${comment.trim()}"`] : []),
      `Please get in touch personally, ideally today. A quick, human reply to a low score is the best chance to turn it around. A follow-up task for you is on the customer's timeline.`,
    ],
    facts: factsOf(customer),
  }),

  atRisk: (owner, customer, reasons) => ({
    subject: `At risk: ${customer.name}${customer.health ? ` (health ${customer.health.score}/100)` : ''}`,
    intro: [
      hi(owner),
      reasons.length
        ? `${customer.name} is at risk of not renewing. What Sales Flow sees:`
        : `${customer.name} is at risk of not renewing.`,
      ...reasons.map((reason) => `• ${reason}`),
      `Please reach out to find out what is behind it, and agree a next step with them.`,
    ],
    facts: factsOf(customer),
  }),

  churned: (owner, customer, reason) => ({
    subject: `${customer.name} has cancelled`,
    intro: [
      hi(owner),
      `${customer.name} has cancelled their ${customer.plan ? `${customer.plan} plan` : `${brand.product} subscription`}.${reason?.trim() ? ` The reason they gave: "${reason.trim()}"` : ' They gave no reason.'}`,
      `Over the coming weeks they will receive a short series of win-back emails, each inviting them to reply to reactivate. If you know what would bring them back, a personal note from you now carries more weight than any of them.`,
    ],
    facts: factsOf(customer),
  }),

  referralConverted: (owner, customer, referredName) => ({
    subject: `${customer.name}'s referral became a customer: ${referredName}`,
    intro: [
      hi(owner),
      `Good news: ${referredName}, referred by your customer ${customer.name}, has just become a customer. We have emailed ${customer.name} to say thank you; a personal note from you will mean more.`,
    ],
    facts: factsOf(customer),
  }),

  winBackReply: (owner, customer) => ({
    subject: `${customer.name} replied to the win-back`,
    intro: [
      hi(owner),
      `${customer.name} cancelled and has now replied to one of our win-back emails. The automatic sequence has stopped: the conversation is yours. Their reply is in the shared inbox; a call this week is the best chance of winning them back.`,
    ],
    facts: factsOf(customer),
    closing: ['When they sign again, record it as a purchase (a purchased event): their new term and check-ins start from there.'],
  }),
};
