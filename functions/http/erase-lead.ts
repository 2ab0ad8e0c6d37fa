/** DELETE /leads/{leadId} — erase a lead's personal data (GDPR Art. 17; API key). */
import { z } from 'zod';
import { eraseLead } from '../core/privacy.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { privacyDeps } from '../shared/privacy-deps.js';

const deps = privacyDeps(loadConfig('table', 'funnel', 'signing'));

const params = z.object({ leadId: z.string().min(1).max(100) });

export const handler = httpRoute(async (event) => {
  const { leadId } = params.parse(event.pathParameters ?? {});
  return json(200, await eraseLead(deps, leadId));
});
