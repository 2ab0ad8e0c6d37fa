/**
 * The LeadStore contract: what the core relies on from any store, run against the in-memory fake
 * (tests/unit) and the DynamoDB adapter on DynamoDB Local (tests/integration), so a fake that drifts
 * from the real store fails here instead of letting a unit test pass on behaviour AWS does not have.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DuplicateEventError, DuplicateSendError, EmailTakenError, VersionConflictError } from '../../../functions/core/errors.js';
import type { Lead, TimelineEntry } from '../../../functions/core/model.js';
import type { LeadStore } from '../../../functions/core/ports.js';
import { aLead as baseLead, T0 } from '../../fakes/leads.js';

let n = 0;
/** Random ids (a table may be shared), distinct creation times for the list order. */
const aLead = (over: Partial<Lead> = {}) =>
  baseLead({ leadId: `lead-${randomUUID()}`, createdAt: `2026-03-01T09:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n++ % 60).padStart(2, '0')}.000Z`, ...over });
const entry = (leadId: string, at: string, entryId: string): TimelineEntry => ({ leadId, entryId, at, type: 'event', summary: entryId });

export function leadStoreContract(name: string, makeStore: () => LeadStore) {
  describe(`the LeadStore contract: ${name}`, () => {
    it('creates a lead with its timeline, and finds it by id and by email', async () => {
      const store = makeStore();
      const lead = aLead();
      await store.create(lead, [entry(lead.leadId, T0, 'a')]);
      expect(await store.get(lead.leadId)).toEqual(lead);
      expect(await store.findByEmail(lead.email)).toEqual(lead);
      expect(await store.timeline(lead.leadId)).toEqual([entry(lead.leadId, T0, 'a')]);
      expect(await store.get(`lead-${randomUUID()}`)).toBeUndefined();
    });

    it('refuses a second lead with the same email and writes none of it', async () => {
      const store = makeStore();
      const first = aLead();
      await store.create(first, []);
      const second = aLead({ email: first.email });
      await expect(store.create(second, [entry(second.leadId, T0, 'x')])).rejects.toBeInstanceOf(EmailTakenError);
      expect(await store.get(second.leadId)).toBeUndefined();
      expect(await store.timeline(second.leadId)).toEqual([]);
      expect((await store.findByEmail(first.email))?.leadId).toBe(first.leadId);
    });

    it('saves with the expected version, and refuses a stale one writing nothing', async () => {
      const store = makeStore();
      const lead = aLead();
      await store.create(lead, []);
      expect((await store.save({ ...lead, score: 5 }, 1, [entry(lead.leadId, T0, 's1')])).version).toBe(2);
      await expect(store.save({ ...lead, score: 99 }, 1, [entry(lead.leadId, T0, 's2')])).rejects.toBeInstanceOf(VersionConflictError);
      expect(await store.get(lead.leadId)).toMatchObject({ score: 5, version: 2 });
      expect((await store.timeline(lead.leadId)).map((e) => e.entryId)).toEqual(['s1']);
    });

    it('processes an event id once, keeps its domain events until published, and names a repeat a duplicate even on a stale version', async () => {
      const store = makeStore();
      const lead = aLead();
      await store.create(lead, []);
      const eventId = `evt-${randomUUID()}`;
      const domainEvents = [{ type: 'LeadStageChanged' as const, id: `${lead.leadId}:x`, at: T0, detail: { leadId: lead.leadId } }];
      await store.save(lead, 1, [], { processedEventId: eventId, domainEvents });
      expect(await store.isEventProcessed(eventId)).toBe(true);
      expect(await store.unpublishedEventsOf(eventId)).toEqual(domainEvents);
      await expect(store.save(lead, 2, [entry(lead.leadId, T0, 'again')], { processedEventId: eventId })).rejects.toBeInstanceOf(DuplicateEventError);
      await expect(store.save(lead, 1, [], { processedEventId: eventId })).rejects.toBeInstanceOf(DuplicateEventError);
      expect((await store.get(lead.leadId))?.version).toBe(2);
      await store.markEventsPublished(eventId);
      expect(await store.unpublishedEventsOf(eventId)).toEqual([]);
    });

    it('claims a send once; a refused send gives the claim back, a sent one never', async () => {
      const store = makeStore();
      const lead = aLead();
      await store.create(lead, []);
      await store.save(lead, 1, [], { ledgerKey: 'awareness#welcome' });
      await expect(store.save(lead, 2, [], { ledgerKey: 'awareness#welcome' })).rejects.toBeInstanceOf(DuplicateSendError);
      await store.releaseClaim(lead.leadId, 'awareness#welcome', [entry(lead.leadId, T0, 'released')]);
      await store.save(lead, 2, [], { ledgerKey: 'awareness#welcome' });
      await store.markSent(lead.leadId, 'awareness#welcome', 'msg-1');
      await store.releaseClaim(lead.leadId, 'awareness#welcome', [entry(lead.leadId, T0, 'not-released')]);
      await expect(store.save(lead, 3, [], { ledgerKey: 'awareness#welcome' })).rejects.toBeInstanceOf(DuplicateSendError);
      expect((await store.timeline(lead.leadId)).map((e) => e.entryId)).toEqual(['released']);
    });

    it('gives a claim back together with its own timeline entry, or neither once it is sent', async () => {
      const store = makeStore();
      const lead = aLead();
      await store.create(lead, [entry(lead.leadId, T0, 'created')]);
      const claimEntry = entry(lead.leadId, '2026-03-01T10:00:00.000Z', 'claim-1');
      await store.save(lead, 1, [claimEntry], { ledgerKey: 'awareness#welcome' });
      await store.releaseClaim(lead.leadId, 'awareness#welcome', [], [claimEntry]);
      expect((await store.timeline(lead.leadId)).map((e) => e.entryId)).toEqual(['created']);
      const again = entry(lead.leadId, '2026-03-01T10:00:01.000Z', 'claim-2');
      await store.save(lead, 2, [again], { ledgerKey: 'awareness#welcome' });
      await store.markSent(lead.leadId, 'awareness#welcome', 'msg-1');
      await store.releaseClaim(lead.leadId, 'awareness#welcome', [], [again]);
      expect((await store.timeline(lead.leadId)).map((e) => e.entryId)).toEqual(['created', 'claim-2']);
    });

    it('writes the customer with the save that makes it, once', async () => {
      const store = makeStore();
      const lead = aLead();
      await store.create(lead, []);
      const customer = { customerId: `cus-${lead.leadId}`, leadId: lead.leadId, email: lead.email, since: T0 };
      await store.save(lead, 1, [], { customer });
      // Stored as the customer's first version (its store saves it with a version from then on).
      expect(await store.getCustomer(customer.customerId)).toMatchObject(customer);
    });

    it('lists a stage and an owner page by page, oldest first, every lead once', async () => {
      const store = makeStore();
      const stage = 'consideration';
      const owner = `rep-${randomUUID()}`;
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        const lead = aLead({ stage, ownerId: owner });
        await store.create(lead, []);
        made.push(lead.leadId);
      }
      for (const list of [(c?: string) => store.listByStage(stage, { limit: 2, cursor: c }), (c?: string) => store.listByOwner(owner, { limit: 2, cursor: c })]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await list(cursor);
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((l) => l.leadId));
          cursor = page.cursor;
        } while (cursor);
        expect(seen.filter((id) => made.includes(id))).toEqual(made);
        expect(new Set(seen).size).toBe(seen.length);
      }
    });

    it('keeps a timeline in time order, however many entries are appended at once', async () => {
      const store = makeStore();
      const lead = aLead();
      await store.create(lead, []);
      const entries = Array.from({ length: 30 }, (_, i) => entry(lead.leadId, `2026-03-01T10:00:${String(59 - i).padStart(2, '0')}.000Z`, `e${i}`));
      await store.appendTimeline(entries);
      expect((await store.timeline(lead.leadId)).map((e) => e.entryId)).toEqual([...entries].reverse().map((e) => e.entryId));
    });
  });
}
