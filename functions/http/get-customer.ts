/** GET /customers/{customerId} — profile, contract term, health, NPS, referrals, tasks, timeline and ledger (API key). */
import { getCustomerProfile } from '../core/customer-read.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { customerStore } from '../shared/retention-deps.js';
import * as z from '../shared/schema.js';
import { identifier } from '../shared/validation.js';

const config = loadConfig('table');
const deps = { customers: customerStore(config) };

const params = z.object({ customerId: identifier(120) });

export const handler = httpRoute(async (event) => {
  const { customerId } = params.parse(event.pathParameters ?? {});
  return json(200, await getCustomerProfile(deps, customerId));
});
