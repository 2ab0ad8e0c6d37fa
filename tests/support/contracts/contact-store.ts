/**
 * The ContactStore contract, run on the in-memory fake (tests/unit) and on the DynamoDB adapter
 * against DynamoDB Local (tests/integration): versioned saves, creation only when absent, removal,
 * and a save staged in a unit of work that is written only with everything else in it.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DuplicateSendError, VersionConflictError } from '../../../functions/core/errors.js';
import type { Contact } from '../../../functions/core/model.js';
import type { ContactStore, LeadStore } from '../../../functions/core/ports.js';
import { aLead, T0 } from '../../fakes/leads.js';

const aContact = (over: Partial<Contact> = {}): Contact => ({
  email: `${randomUUID()}@example.com`,
  consent: { given: true, textVersion: 'v1', at: T0, sourceForm: 'web-form' },
  createdAt: T0,
  updatedAt: T0,
  version: 0,
  ...over,
});

export function contactStoreContract(name: string, make: () => { contacts: ContactStore; leads: LeadStore }) {
  describe(`the ContactStore contract: ${name}`, () => {
    it('creates a contact only when none is stored, and finds it by email', async () => {
      const { contacts } = make();
      const contact = aContact();
      expect(await contacts.get(contact.email)).toBeUndefined();
      expect((await contacts.save(contact, 0)).version).toBe(1);
      expect(await contacts.get(contact.email)).toEqual({ ...contact, version: 1 });
      await expect(contacts.save({ ...contact, suppressed: { at: T0, reason: 'manual' } }, 0)).rejects.toBeInstanceOf(VersionConflictError);
      expect((await contacts.get(contact.email))?.suppressed).toBeUndefined();
    });

    it('saves at the expected version, and refuses a stale one writing nothing', async () => {
      const { contacts } = make();
      const contact = aContact();
      await contacts.save(contact, 0);
      await contacts.save({ ...contact, recentMarketingSends: [T0] }, 1);
      await expect(contacts.save({ ...contact, suppressed: { at: T0, reason: 'unsubscribed' } }, 1)).rejects.toBeInstanceOf(VersionConflictError);
      expect(await contacts.get(contact.email)).toMatchObject({ recentMarketingSends: [T0], version: 2 });
      expect((await contacts.get(contact.email))?.suppressed).toBeUndefined();
    });

    it('removes a contact, and removing none is no error', async () => {
      const { contacts } = make();
      const contact = aContact();
      await contacts.save(contact, 0);
      await contacts.remove(contact.email);
      await contacts.remove(contact.email);
      expect(await contacts.get(contact.email)).toBeUndefined();
    });

    it('writes a staged save with the lead save and ledger claim of the same unit of work, all or nothing', async () => {
      const { contacts, leads } = make();
      const lead = aLead({ leadId: `lead-${randomUUID()}`, email: `${randomUUID()}@example.com` });
      await leads.create(lead, []);
      const contact = aContact({ email: lead.email });

      const work = contacts.begin();
      await contacts.save({ ...contact, recentMarketingSends: [T0] }, 0, work);
      await leads.save(lead, 1, [], { ledgerKey: 'awareness#one', work });
      expect(await contacts.get(contact.email)).toBeUndefined();
      expect((await leads.get(lead.leadId))?.version).toBe(1);
      await work.commit();
      expect(await contacts.get(contact.email)).toMatchObject({ recentMarketingSends: [T0], version: 1 });
      expect((await leads.get(lead.leadId))?.version).toBe(2);

      // The same claim again: refused, and the contact's staged save is not written either.
      const again = contacts.begin();
      await contacts.save({ ...contact, recentMarketingSends: [T0, T0] }, 1, again);
      await leads.save(lead, 2, [], { ledgerKey: 'awareness#one', work: again });
      await expect(again.commit()).rejects.toBeInstanceOf(DuplicateSendError);
      expect((await contacts.get(contact.email))?.version).toBe(1);

      // A stale contact: the lead's save and claim are not written either.
      const stale = contacts.begin();
      await contacts.save(contact, 0, stale);
      await leads.save(lead, 2, [], { ledgerKey: 'awareness#two', work: stale });
      await expect(stale.commit()).rejects.toBeInstanceOf(VersionConflictError);
      expect((await leads.get(lead.leadId))?.version).toBe(2);
      await leads.save(lead, 2, [], { ledgerKey: 'awareness#two' });
    });
  });
}
