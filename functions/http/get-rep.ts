/** GET /reps/{repId} — profile, modules with due dates and lateness, certification, ramp, timeline (API key). */
import { NotFoundError } from '../core/errors.js';
import { getRepProfile } from '../core/rep-read.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { leadStore } from '../shared/lead-store.js';
import { repStore } from '../shared/onboarding-deps.js';
import * as z from '../shared/schema.js';
import { identifier } from '../shared/validation.js';
import { currentOnboardingProgramme } from '../shared/programmes.js';

const config = loadConfig('table');
const deps = { reps: repStore(config), leads: leadStore(config), programme: currentOnboardingProgramme(), clock: config.clock };

const params = z.object({ repId: identifier(100) });

export const handler = httpRoute(async (event) => {
  const parsed = params.safeParse(event.pathParameters ?? {});
  if (!parsed.success) throw new NotFoundError('Rep not found');
  return json(200, await getRepProfile(deps, parsed.data.repId));
});
