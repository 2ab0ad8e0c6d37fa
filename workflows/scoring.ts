/**
 * Lead scoring as data: points per event type and the score thresholds that move a lead forward.
 * Plain data, so the Lambdas that score carry no validator; it is validated when the app
 * synthesizes (workflows/scoring-schema.ts), so a typo (a negative score, thresholds out of order)
 * fails `cdk synth` instead of quietly mis-routing leads. The logic is in functions/core/scoring.ts.
 */
import type { ScoringRules } from '../functions/core/scoring.js';

export const scoringRules: ScoringRules = {
  points: {
    email_opened: 1,
    email_clicked: 3,
    email_replied: 5,
    page_viewed: 2,
    content_downloaded: 8,
    form_submitted: 10,
    demo_requested: 20,
    meeting_booked: 25,
  },
  pricingPaths: ['/pricing'],
  pricingPagePoints: 5,
  thresholds: { interest: 10, consideration: 30, decision: 60 },
  qualifiesFor: { demo_requested: 'decision', meeting_booked: 'decision' },
};
