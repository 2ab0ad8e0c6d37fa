/**
 * POST /customers: a customer won outside the funnel (a renewal desk, a partner, an import). The person
 * gets a lead record like everyone else — found by email, or created as an integration's capture — and
 * the purchase is that lead's `purchased` event, so one code path makes every customer: the customer's
 * first term, its retention run (the run outbox), `LeadConverted`, one Contact and one erasure. Repeating
 * the call for the same email answers the same customer and changes nothing.
 */
import { captureLead, completeIntake, type CaptureDeps } from './capture.js';
import { purchaseTerms, type PurchaseTerms } from './customers.js';
import { ConflictError, NotFoundError } from './errors.js';
import { applyEvent } from './events.js';
import type { Customer, LeadProfileFields } from './model.js';
import { normalizeEmail } from './normalize.js';

export interface NewCustomerInput {
  email: string;
  profile: Pick<LeadProfileFields, 'firstName' | 'lastName' | 'company' | 'jobTitle' | 'phone' | 'source'>;
  terms: PurchaseTerms;
}

export interface NewCustomerResult {
  created: boolean;
  customerId: string;
  leadId: string;
}

export async function createCustomer(deps: CaptureDeps & { customers: { get(customerId: string): Promise<Customer | undefined> } }, input: NewCustomerInput): Promise<NewCustomerResult> {
  // Validated before anything is written.
  const terms = purchaseTerms(input.terms as Record<string, unknown>, 'body');
  const email = normalizeEmail(input.email);
  let lead = await deps.store.findByEmail(email);
  if (lead?.customerId && (await deps.customers.get(lead.customerId))) return { created: false, customerId: lead.customerId, leadId: lead.leadId };
  if (!lead) {
    const captured = await captureLead(deps, {
      email,
      profile: { source: 'direct', ...input.profile },
      consentTextVersion: 'v1',
      formId: 'POST /customers',
      trusted: true,
      doubleOptIn: false,
    });
    // Its intake (consent, Contact, timeline) first: the purchase follows the capture on the timeline.
    lead = await completeIntake(deps, captured.leadId);
    if (!lead) throw new NotFoundError(`lead ${captured.leadId} vanished`);
  }
  const result = await applyEvent(deps, lead, {
    // One purchase per lead through this route: a retried call is the same event.
    eventId: `customer-create:${lead.leadId}`,
    type: 'purchased',
    leadId: lead.leadId,
    occurredAt: deps.clock.now().toISOString(),
    properties: { ...terms, via: 'POST /customers' },
  });
  if (!result.lead.customerId) throw new ConflictError(`lead ${lead.leadId} is won without a customer record; a purchased event cannot make one`);
  return { created: result.outcome === 'applied', customerId: result.lead.customerId, leadId: lead.leadId };
}
