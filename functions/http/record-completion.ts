/** POST /reps/{repId}/modules/{moduleId}/completions — a module attempt, idempotent by attemptId (API key). */
import { NotFoundError } from '../core/errors.js';
import { recordCompletion } from '../core/onboarding.js';
import { moduleViews } from '../core/rep-read.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { onboardingDeps } from '../shared/onboarding-deps.js';
import * as z from '../shared/schema.js';
import { identifier, plainText } from '../shared/validation.js';

const deps = onboardingDeps(loadConfig('table', 'onboarding', 'funnel', 'events', 'sender', 'manager'));

const params = z.object({ repId: identifier(100), moduleId: identifier(100) });

export const completionBody = z.strictObject({
  attemptId: z.pipe(plainText(200), z.string().check(z.minLength(1, 'must not be empty'))),
  score: z.optional(z.number().check(z.gte(0, 'must be between 0 and 100'), z.lte(100, 'must be between 0 and 100'))),
  completedAt: z.optional(z.iso.datetime({ offset: true })),
});

export const handler = httpRoute(
  async (event) => {
    const parsed = params.safeParse(event.pathParameters ?? {});
    if (!parsed.success) throw new NotFoundError('Rep or module not found');
    const body = completionBody.parse(event.parsedBody);
    const completedAt = body.completedAt && deps.clock.fromWallClock(new Date(body.completedAt)).toISOString();
    const result = await recordCompletion(deps, parsed.data.repId, parsed.data.moduleId, { ...body, completedAt });
    const module = moduleViews(result.rep, deps.programme, deps.clock.now()).find((m) => m.moduleId === parsed.data.moduleId);
    return json(result.outcome === 'duplicate' || result.outcome === 'already-passed' ? 200 : 201, {
      outcome: result.outcome,
      repId: result.rep.repId,
      status: result.rep.status,
      module,
      remaining: result.remaining,
      ...(result.certified ? { certification: result.rep.certification } : {}),
    });
  },
  { body: 'json' },
);
