/** GET /reps?status=…&limit=…&cursor=… — reps by status, paginated like GET /leads (API key). */
import { REP_STATUSES } from '../core/model.js';
import { listReps } from '../core/rep-read.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { repStore } from '../shared/onboarding-deps.js';
import * as z from '../shared/schema.js';
import { decimalParam } from '../shared/validation.js';
import { currentOnboardingProgramme } from '../shared/programmes.js';

const config = loadConfig('table');
const deps = { reps: repStore(config), programme: currentOnboardingProgramme(), clock: config.clock };

export const listRepsQuery = z.strictObject({
  status: z._default(z.enum(REP_STATUSES), 'active'),
  limit: z._default(decimalParam(1, 100), 25),
  cursor: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,2000}$/, 'not a cursor returned by this list'))),
});

export const handler = httpRoute(async (event) => {
  const query = listRepsQuery.parse(event.queryStringParameters ?? {});
  return json(200, await listReps(deps, query));
});
