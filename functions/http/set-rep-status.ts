/** POST /reps/{repId}/status {status: "inactive"} — stop onboarding, hand the rep's open leads to others (API key). */
import { NotFoundError } from '../core/errors.js';
import { deactivateRep } from '../core/onboarding.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { onboardingDeps } from '../shared/onboarding-deps.js';
import * as z from '../shared/schema.js';
import { identifier } from '../shared/validation.js';

const deps = onboardingDeps(loadConfig('table', 'onboarding', 'funnel', 'events', 'sender', 'manager'));

const params = z.object({ repId: identifier(100) });

export const repStatusBody = z.strictObject({ status: z.enum(['inactive']) });

export const handler = httpRoute(
  async (event) => {
    const parsed = params.safeParse(event.pathParameters ?? {});
    if (!parsed.success) throw new NotFoundError('Rep not found');
    repStatusBody.parse(event.parsedBody);
    const { rep, leadsReassigned, changed } = await deactivateRep(deps, parsed.data.repId);
    return json(200, { repId: rep.repId, status: rep.status, leadsReassigned, changed });
  },
  { body: 'json' },
);
