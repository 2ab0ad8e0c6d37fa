/**
 * Lead scoring as data: points per event type and the score thresholds that move a lead forward.
 * Validated when loaded, so a typo (a negative score, thresholds out of order) fails at start-up
 * instead of quietly mis-routing leads. Tune the numbers here; the logic is in functions/core/scoring.ts.
 */
import { z } from 'zod';
import { EVENT_TYPES, STAGES } from '../functions/core/model.js';

const points = z.number().int().min(0).max(1000);

export const scoringRulesSchema = z
  .object({
    /** Points per event type; types not listed score 0 (business events such as purchased). */
    points: z.partialRecord(z.enum(EVENT_TYPES), points),
    /** A page view whose properties.path or properties.url contains one of these scores `pricingPagePoints`. */
    pricingPaths: z.array(z.string().min(1)).min(1),
    pricingPagePoints: points,
    /** Minimum score to be in a stage (a lead only ever moves forward). */
    thresholds: z.object({ interest: points, consideration: points, decision: points }),
    /** Events that qualify a lead for a stage at once, whatever its score. */
    qualifiesFor: z.partialRecord(z.enum(EVENT_TYPES), z.enum(STAGES).exclude(['awareness', 'purchase'])),
  })
  .refine((r) => r.thresholds.interest < r.thresholds.consideration && r.thresholds.consideration < r.thresholds.decision, {
    message: 'thresholds must increase: interest < consideration < decision',
    path: ['thresholds'],
  });

export type ScoringRules = z.infer<typeof scoringRulesSchema>;

export const scoringRules: ScoringRules = scoringRulesSchema.parse({
  points: {
    email_opened: 1,
    email_clicked: 3,
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
});
