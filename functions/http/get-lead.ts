/** GET /leads/{leadId} — a lead's profile, state and full timeline (API key). */
import { getLead } from '../core/read.js';
import { loadConfig } from '../shared/config.js';
import { contactStore, leadStore } from '../shared/lead-store.js';
import { httpRoute, json } from '../shared/http.js';
import * as z from '../shared/schema.js';
import { identifier } from '../shared/validation.js';
import { NotFoundError } from '../core/errors.js';

const config = loadConfig('table');
const store = leadStore(config);
const contacts = contactStore(config);

const params = z.object({ leadId: identifier(100) });

export const handler = httpRoute(async (event) => {
  const parsed = params.safeParse(event.pathParameters ?? {});
  // No lead has an id like that: the same answer as for any other id we do not hold.
  if (!parsed.success) throw new NotFoundError('Lead not found');
  const { leadId } = parsed.data;
  const { lead, timeline } = await getLead(store, leadId, contacts);
  // version is the store's optimistic-locking counter, not part of the API.
  const { version: _version, ...profile } = lead;
  return json(200, { ...profile, timeline });
});
