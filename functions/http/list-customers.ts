/**
 * GET /customers?health=…&renewingBefore=…&limit=…&cursor=… — customers by health band, or renewing
 * before a date (soonest renewal first; with health too, only that band), paginated like GET /reps
 * (API key). One of health and renewingBefore is required: there is no "all customers" scan.
 */
import { listCustomers } from '../core/customer-read.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { customerStore } from '../shared/retention-deps.js';
import * as z from '../shared/schema.js';
import { decimalParam } from '../shared/validation.js';

const config = loadConfig('table');
const deps = { customers: customerStore(config) };

export const listCustomersQuery = z
  .strictObject({
    health: z.optional(z.enum(['at-risk', 'watch', 'healthy'])),
    renewingBefore: z.optional(z.iso.date('must be a date YYYY-MM-DD')),
    limit: z._default(decimalParam(1, 100), 25),
    cursor: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,2000}$/, 'not a cursor returned by this list'))),
  })
  .check(
    z.refine((q) => q.health !== undefined || q.renewingBefore !== undefined, {
      message: 'health or renewingBefore is required',
      path: ['health'],
    }),
  );

export const handler = httpRoute(async (event) => {
  const query = listCustomersQuery.parse(event.queryStringParameters ?? {});
  return json(200, await listCustomers(deps, query));
});
