/**
 * POST /customers (API key): a customer won outside the funnel (a renewal desk, a partner, an import).
 * The person's lead is found by email or captured, then bought: the same path as a funnel win, so the
 * first term, the retention run and `LeadConverted` follow. A repeat for the same email answers the same
 * customer (200) and changes nothing. Terms are checked here by their own names, before anything is written.
 */
import { createCustomer } from '../core/customer-create.js';
import { secretReader } from '../adapters/secrets.js';
import { captureDeps } from '../shared/capture-deps.js';
import { secretsClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { customerEventDeps } from '../shared/retention-deps.js';
import * as z from '../shared/schema.js';
import { emailAddress, personFields, plainText } from '../shared/validation.js';

const config = loadConfig('table', 'funnel', 'customers', 'events', 'signing');
const customers = customerEventDeps(config);
const deps = {
  ...captureDeps(config, customers, secretReader(secretsClient())),
  // A referred lead's purchase thanks the referrer: that stops the referrer's retention run and queues the next.
  customers: { ...customers, get: (customerId: string) => customers.customers.get(customerId) },
};

const text = (max: number) => z.optional(plainText(max));
const isCalendarDate = (s: string) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

/** The profile fields of POST /leads, and the purchase terms of a `purchased` event (core/customers.ts purchaseTerms). */
export const newCustomerBody = z.strictObject({
  email: emailAddress(),
  ...personFields(),
  source: text(200),
  plan: z.optional(z.pipe(plainText(100), z.string().check(z.minLength(1, 'must not be empty')))),
  amount: z.optional(z.number().check(z.gte(0), z.lte(1e12))),
  currency: z.optional(z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'))),
  termMonths: z.optional(z.number().check(z.int('must be a whole number of months from 1 to 60'), z.gte(1), z.lte(60))),
  startDate: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'), z.refine(isCalendarDate, 'must be a date YYYY-MM-DD'))),
});

export const handler = httpRoute(
  async (event) => {
    // Absent fields stay absent (zod adds no keys), so the lead's own defaults (source 'direct') hold.
    const { email, plan, amount, currency, termMonths, startDate, ...profile } = newCustomerBody.parse(event.parsedBody);
    const result = await createCustomer(deps, { email, profile, terms: { plan, amount, currency, termMonths, startDate } });
    return json(result.created ? 201 : 200, { customerId: result.customerId, leadId: result.leadId, status: 'active' });
  },
  { body: 'json' },
);
