/** POST /reps/{repId}/modules/{moduleId}/reset — unlock a module with fresh attempts (API key; the manager). */
import { NotFoundError } from '../core/errors.js';
import { resetModule } from '../core/onboarding.js';
import { moduleViews } from '../core/rep-read.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { onboardingDeps } from '../shared/onboarding-deps.js';
import * as z from '../shared/schema.js';
import { identifier } from '../shared/validation.js';

const deps = onboardingDeps(loadConfig('table', 'onboarding', 'funnel', 'events', 'sender', 'manager'));

const params = z.object({ repId: identifier(100), moduleId: identifier(100) });

export const handler = httpRoute(async (event) => {
  const parsed = params.safeParse(event.pathParameters ?? {});
  if (!parsed.success) throw new NotFoundError('Rep or module not found');
  const { rep } = await resetModule(deps, parsed.data.repId, parsed.data.moduleId);
  const module = moduleViews(rep, deps.programme, deps.clock.now()).find((m) => m.moduleId === parsed.data.moduleId);
  return json(200, { repId: rep.repId, module });
});
