/** GET /leads?stage=…|owner=…&limit=…&cursor=… — leads by stage or by owner, paginated (API key). */
import { z } from 'zod';
import { STAGES } from '../core/model.js';
import { listLeads } from '../core/read.js';
import { loadConfig } from '../shared/config.js';
import { leadStore } from '../shared/lead-store.js';
import { httpRoute, json } from '../shared/http.js';

const store = leadStore(loadConfig('table'));

export const listQuery = z.strictObject({
  stage: z.enum(STAGES).optional(),
  owner: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2000).optional(),
});

export const handler = httpRoute(async (event) => {
  const query = listQuery.parse(event.queryStringParameters ?? {});
  const page = await listLeads(store, query);
  const items = page.items.map(({ version: _version, ...lead }) => lead);
  return json(200, page.cursor ? { items, cursor: page.cursor } : { items });
});
