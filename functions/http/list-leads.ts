/** GET /leads?stage=…|owner=…&limit=…&cursor=… — leads by stage or by owner, paginated (API key). */
import { STAGES } from '../core/model.js';
import { listLeads } from '../core/read.js';
import { loadConfig } from '../shared/config.js';
import { leadStore } from '../shared/lead-store.js';
import { httpRoute, json } from '../shared/http.js';
import * as z from '../shared/schema.js';
import { decimalParam, identifier } from '../shared/validation.js';

const store = leadStore(loadConfig('table'));

export const listQuery = z.strictObject({
  stage: z.optional(z.enum(STAGES)),
  owner: z.optional(identifier(100)),
  limit: z._default(decimalParam(1, 100), 25),
  cursor: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,2000}$/, 'not a cursor returned by this list'))),
});

export const handler = httpRoute(async (event) => {
  const query = listQuery.parse(event.queryStringParameters ?? {});
  const page = await listLeads(store, query);
  const items = page.items.map(({ version: _version, ...lead }) => lead);
  return json(200, page.cursor ? { items, cursor: page.cursor } : { items });
});
