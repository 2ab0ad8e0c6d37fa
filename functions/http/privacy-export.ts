/** GET /privacy/export?email=… — everything held about a person, as JSON (GDPR Art. 15; API key). */
import { exportPersonalData } from '../core/privacy.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { contactStore } from '../shared/lead-store.js';
import { privacyStore } from '../shared/privacy-deps.js';
import * as z from '../shared/schema.js';

const config = loadConfig('table');
const deps = { privacy: privacyStore(config), contacts: contactStore(config), clock: config.clock };

export const exportQuery = z.strictObject({ email: z.pipe(z.string().check(z.trim()), z.email().check(z.maxLength(254))) });

export const handler = httpRoute(async (event) => {
  const { email } = exportQuery.parse(event.queryStringParameters ?? {});
  return json(200, await exportPersonalData(deps, email));
});
