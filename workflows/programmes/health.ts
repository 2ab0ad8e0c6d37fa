/**
 * The customer health model: how product usage, support tickets, NPS and check-in engagement weigh
 * into a 0–100 score, how fast a quiet customer decays, and where the bands start. Plain data on
 * purpose (the retention Lambdas import it and must not carry a schema library for it); validated
 * once, at synth, by health-schema.ts.
 *
 * Worked through, so the numbers can be argued with:
 * - a brand-new customer (no data anywhere) scores 76: healthy, not at risk;
 * - using the product daily with nothing else known scores 88;
 * - a daily user who stops scores 75 two weeks later, 56 (watch) at three weeks and 28 (at risk)
 *   at 30 days: the usage window empties and the inactivity decay compounds;
 * - one open high-severity ticket costs 7 points, a detractor NPS 12, a promoter adds 6.
 */
import type { HealthModel } from '../../functions/core/health.js';

export const healthModel: HealthModel = {
  // Usage is the best predictor of renewal; the rest say why usage is where it is.
  weights: { usage: 0.4, support: 0.2, nps: 0.2, engagement: 0.2 },
  // A component without data (no NPS answer, no check-in due yet) counts as "probably fine".
  neutral: 70,
  // About three working days a week is full marks.
  usage: { windowDays: 30, targetDays: 12 },
  // Two critical tickets empty the support component; a low one is a nudge.
  support: { penalties: { low: 5, medium: 15, high: 35, critical: 60 } },
  // A passive counts as neutral; an answer older than a year says little.
  nps: { detractor: 10, passive: 70, promoter: 100, maxAgeDays: 365 },
  // A check-in gets three days to be opened before an unanswered one counts against.
  engagement: { windowDays: 90, responseDays: 3 },
  // A week's holiday costs nothing; after it, 15% per further week of silence.
  inactivity: { graceDays: 7, decayPerWeek: 0.15 },
  bands: { atRiskBelow: 40, watchBelow: 65 },
  // Daily recomputation moves the score a point or two: only a real move goes on the timeline.
  minChange: 5,
  noUsageAlertDays: 14,
  // Room for a quarter of usage days and a year of monthly check-ins; the record stays a few KB.
  history: { usageDays: 90, openTickets: 25, closedTickets: 25, checkIns: 12 },
};
