/** DELETE /leads/{leadId} — erase a lead's personal data (GDPR Art. 17; API key). */
import { eraseLead } from '../core/privacy.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { privacyDeps } from '../shared/privacy-deps.js';
import * as z from '../shared/schema.js';

const deps = privacyDeps(loadConfig('table', 'funnel', 'signing'));

const params = z.object({ leadId: z.string().check(z.minLength(1), z.maxLength(100)) });

export const handler = httpRoute(async (event) => {
  const { leadId } = params.parse(event.pathParameters ?? {});
  return json(200, await eraseLead(deps, leadId));
});
