/** GET /leads/{leadId} — a lead's profile, state and full timeline (API key). */
import { z } from 'zod';
import { getLead } from '../core/read.js';
import { loadConfig } from '../shared/config.js';
import { leadStore } from '../shared/lead-store.js';
import { httpRoute, json } from '../shared/http.js';

const store = leadStore(loadConfig('table'));

const params = z.object({ leadId: z.string().min(1).max(100) });

export const handler = httpRoute(async (event) => {
  const { leadId } = params.parse(event.pathParameters ?? {});
  const { lead, timeline } = await getLead(store, leadId);
  // version is the store's optimistic-locking counter, not part of the API.
  const { version: _version, ...profile } = lead;
  return json(200, { ...profile, timeline });
});
