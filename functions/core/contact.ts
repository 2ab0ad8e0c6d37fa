/**
 * A person's Contact: consent, suppression and the marketing frequency cap, keyed by normalized email
 * and shared by every workflow and recipient kind.
 *
 * Leads written before contacts existed carry those fields themselves. Reads fall back to them (a
 * Contact read that way has version 0), and the first write of the Contact creates it from them —
 * so a `.data/` from before keeps its consent, unsubscribes and cap, and migrates lead by lead.
 */
import type { Contact, Lead } from './model.js';
import type { ContactStore, UnitOfWork } from './ports.js';
import { withOptimisticRetry } from './retry.js';

/** What a lead written before contacts held about the person (version 0: not stored as a Contact yet). */
export function contactFromLead(lead: Pick<Lead, 'email' | 'consent' | 'consentRequest' | 'suppressed' | 'recentMarketingSends' | 'createdAt' | 'updatedAt'>): Contact {
  return {
    email: lead.email,
    consent: lead.consent,
    ...(lead.consentRequest ? { consentRequest: lead.consentRequest } : {}),
    ...(lead.suppressed ? { suppressed: lead.suppressed } : {}),
    ...(lead.recentMarketingSends?.length ? { recentMarketingSends: lead.recentMarketingSends } : {}),
    createdAt: lead.createdAt,
    updatedAt: lead.updatedAt,
    version: 0,
  };
}

/** A person we know nothing about yet: no consent recorded, nothing sent. */
export function blankContact(email: string, at: string): Contact {
  return { email, consent: { given: false, textVersion: 'none', at, sourceForm: 'none' }, createdAt: at, updatedAt: at, version: 0 };
}

/** The lead's Contact: the stored one, else what the lead itself holds (written before contacts). */
export async function contactOfLead(contacts: ContactStore, lead: Lead): Promise<Contact> {
  return (await contacts.get(lead.email)) ?? contactFromLead(lead);
}

/** The recipient's Contact, the lead's fields for a lead written before contacts, or undefined for a stranger. */
export async function contactOf(contacts: ContactStore, email: string, legacy?: Lead): Promise<Contact | undefined> {
  return (await contacts.get(email)) ?? (legacy ? contactFromLead(legacy) : undefined);
}

/** The Contact's fields as a lead view shows them (GET /leads/{id} keeps answering them). */
export function consentFields(contact: Contact): Pick<Lead, 'consent' | 'consentRequest' | 'suppressed'> {
  return {
    consent: contact.consent,
    ...(contact.consentRequest ? { consentRequest: contact.consentRequest } : {}),
    ...(contact.suppressed ? { suppressed: contact.suppressed } : {}),
  };
}

/** Saves a changed Contact at the version read (0 creates it, migrating a lead's own fields). */
export function saveContact(contacts: ContactStore, read: Contact, next: Contact, work?: UnitOfWork): Promise<Contact> {
  return contacts.save({ ...next, email: read.email }, read.version, work);
}

/**
 * Changes a person's Contact by `change` (undefined: nothing to change), re-reading and retrying on a
 * concurrent write. `legacy` is the lead whose own fields stand in for a Contact not stored yet.
 */
export function updateContact(
  contacts: ContactStore,
  email: string,
  legacy: Lead | undefined,
  at: string,
  change: (contact: Contact) => Contact | undefined,
): Promise<{ contact: Contact; changed: boolean }> {
  return withOptimisticRetry(async () => {
    const read = (await contactOf(contacts, email, legacy)) ?? blankContact(email, at);
    const next = change(read);
    if (!next) return { contact: read, changed: false };
    return { contact: await saveContact(contacts, read, { ...next, updatedAt: at }), changed: true };
  });
}
