/**
 * The CustomerRetention programme: check-ins, the NPS survey, business reviews, renewal reminders,
 * the no-usage nudge, closed-loop follow-ups and win-back. Plain data on purpose (the retention Lambdas
 * import it and must not carry a schema library for it); validated once, at synth, by
 * retention-schema.ts — an unknown template, a duplicate step id or a run longer than Step Functions
 * allows fails `cdk synth` with its path. Every day counts from the customer's own term (core/retention.ts).
 */
import type { RetentionProgramme } from '../../functions/core/retention.js';

export const retentionProgramme: RetentionProgramme = {
  // The first month decides whether a customer ever gets value: say hello, check the set-up after a
  // week, ask about the first result at a month. The last two are held while a serious ticket is open.
  checkIns: [
    { id: 'welcome', day: 0, template: 'retention-welcome' },
    { id: 'setup-check', day: 7, template: 'retention-setup-check', hold: true },
    { id: 'first-value', day: 30, template: 'retention-first-value', hold: true },
  ],
  // Six weeks in the customer has an opinion worth asking for; never more than one survey a quarter,
  // and a detractor is left alone for a quarter while the owner works on it.
  survey: { day: 45, template: 'retention-nps-survey', throttleDays: 90, detractorQuietDays: 90 },
  // The owner reviews the account with the customer every quarter, starting after three months.
  businessReview: { firstDay: 90, everyDays: 91 },
  // A customer-facing check-in halfway between two business reviews, so the customer hears from us about every six weeks.
  quarterly: { template: 'retention-quarterly', firstDay: 135, everyDays: 91 },
  // The owner gets a quarter and two months' notice to work the renewal; the customer a month's.
  renewal: { ownerDaysBefore: [90, 60], customer: [{ daysBefore: 30, template: 'retention-renewal-30' }], autoRenew: true },
  // Two quiet weeks is longer than a holiday: offer help before the habit is gone.
  noUsage: { days: 14, template: 'retention-need-a-hand' },
  // Closed-loop NPS: thank promoters (and ask for a referral), ask passives what would make it a 10;
  // an at-risk customer gets the same offer of help as a quiet one.
  followUps: {
    passiveTemplate: 'retention-passive-follow-up',
    promoterTemplate: 'retention-promoter-thanks',
    referralThanksTemplate: 'retention-referral-thanks',
    atRiskTemplate: 'retention-need-a-hand',
  },
  // After a cancellation: ask why while it is fresh, show what changed two weeks on, a last offer at six weeks.
  winBack: [
    { id: 'winback-1', day: 3, template: 'retention-winback-1' },
    { id: 'winback-2', day: 14, template: 'retention-winback-2' },
    { id: 'winback-3', day: 45, template: 'retention-winback-3' },
  ],
  // Health decays daily with inactivity and a quiet customer should be noticed within a day.
  checkEveryHours: 24,
  // Step Functions ends an execution after a year: a run hands over after 300 days, so a 12-month term takes two runs.
  maxRunDays: 300,
  // Customers carry no time zone: mail goes out in the deployment's working day.
  businessHours: { startHour: 9, endHour: 17, weekdays: [1, 2, 3, 4, 5] },
  defaultTimeZone: 'UTC',
  // Annual contracts unless the purchase says otherwise.
  defaultTermMonths: 12,
};
