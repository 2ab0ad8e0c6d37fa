/** The validation of workflows/scoring.ts, run at synth (infra/build-app.ts) and by the tests. */
import { z } from 'zod';
import { EVENT_TYPES, STAGES } from '../functions/core/model.js';
import type { ScoringRules } from '../functions/core/scoring.js';

const points = z.number().int().min(0).max(1000);

export const scoringRulesSchema = z
  .object({
    points: z.partialRecord(z.enum(EVENT_TYPES), points),
    pricingPaths: z.array(z.string().min(1)).min(1),
    pricingPagePoints: points,
    thresholds: z.object({ interest: points, consideration: points, decision: points }),
    qualifiesFor: z.partialRecord(z.enum(EVENT_TYPES), z.enum(STAGES).exclude(['awareness', 'purchase'])),
  })
  .refine((r) => r.thresholds.interest < r.thresholds.consideration && r.thresholds.consideration < r.thresholds.decision, {
    message: 'thresholds must increase: interest < consideration < decision',
    path: ['thresholds'],
  });

/** Throws one message listing every problem with its path. */
export function validateScoringRules(rules: ScoringRules): ScoringRules {
  const result = scoringRulesSchema.safeParse(rules);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid scoring rules (workflows/scoring.ts) — ${problems.join('; ')}`);
  }
  return rules;
}
