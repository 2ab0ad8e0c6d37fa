/**
 * Unsubscribing (GET|POST /unsubscribe): the link's token names a lead (so links already sent keep
 * working), and the unsubscribe suppresses that lead's Contact — the person — at once, so the send
 * chokepoint sends them no more email of any workflow, as a lead, a customer or a rep. Idempotent: a
 * second click changes nothing.
 */
import type { Clock } from './clock.js';
import { contactOfLead, saveContact } from './contact.js';
import { NotFoundError } from './errors.js';
import type { ContactStore, IdGenerator, LeadStore } from './ports.js';
import { withOptimisticRetry } from './retry.js';
import { timelineEntry } from './timeline.js';

export async function unsubscribeLead(
  deps: { store: LeadStore; contacts: ContactStore; clock: Clock; ids: IdGenerator },
  leadId: string,
): Promise<{ leadId: string; alreadySuppressed: boolean }> {
  return withOptimisticRetry(async () => {
    const lead = await deps.store.get(leadId);
    if (!lead) throw new NotFoundError(`Lead ${leadId} not found`);
    const contact = await contactOfLead(deps.contacts, lead);
    if (contact.suppressed) return { leadId, alreadySuppressed: true };
    const now = deps.clock.now();
    const at = now.toISOString();
    // The Contact's suppression and the lead's timeline entry: one unit of work.
    const work = deps.contacts.begin();
    await saveContact(deps.contacts, contact, { ...contact, suppressed: { at, reason: 'unsubscribed' }, updatedAt: at }, work);
    await deps.store.save({ ...lead, updatedAt: at }, lead.version, [timelineEntry(deps.ids, leadId, now, 'unsubscribed', 'Unsubscribed by link')], { work });
    await work.commit();
    return { leadId, alreadySuppressed: false };
  });
}
