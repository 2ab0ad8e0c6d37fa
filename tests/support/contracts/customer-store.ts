/**
 * The CustomerStore contract, run on the in-memory fake (tests/unit) and on the DynamoDB adapter
 * against DynamoDB Local (tests/integration), so a unit test of retention cannot pass on behaviour the
 * table does not have: create-once, versioned saves (a customer written before retention counts as 0),
 * exactly-once ledger claims and event markers that leave nothing written when refused, the timeline's
 * order, the lists by health band and by renewal date with cursors only they accept, and a save staged
 * in a unit of work that is written only with everything else in it.
 *
 * The integration table is shared by every test here: ids are random, and each list assertion looks
 * only at the customers its own test made.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConflictError, DuplicateEventError, DuplicateSendError, ValidationError, VersionConflictError } from '../../../functions/core/errors.js';
import type { Contact, Customer, CustomerHealth, SubjectTimelineEntry } from '../../../functions/core/model.js';
import type { ContactStore, CustomerQuery, CustomerStore } from '../../../functions/core/ports.js';
import { T0 } from '../../fakes/leads.js';

export interface CustomerStoreWorld {
  customers: CustomerStore;
  contacts: ContactStore;
  /** Writes a customer as it is, without a condition (as the lead store wrote them before retention). */
  putLegacy(customer: Customer): Promise<void>;
}

const health = (band: CustomerHealth['band']): CustomerHealth => ({ score: band === 'healthy' ? 80 : band === 'watch' ? 55 : 20, band, at: T0, reasons: [] });

export const aCustomer = (over: Partial<Customer> = {}): Customer => {
  const leadId = `lead-${randomUUID()}`;
  return {
    customerId: `cus-${leadId}`,
    leadId,
    email: `${leadId}@example.com`,
    since: T0,
    status: 'active',
    run: 1,
    term: { number: 1, startDate: '2026-03-01', renewalDate: '2027-03-01', termMonths: 12 },
    health: health('healthy'),
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
};

const entry = (at: string, entryId: string): SubjectTimelineEntry => ({ entryId, at, type: 'event', summary: entryId });
const ids = (entries: SubjectTimelineEntry[]) => entries.map((e) => e.entryId);

/** Every page of a list, and the ids it returned (in order, repeats kept). */
async function everyPage(store: CustomerStore, query: Omit<CustomerQuery, 'cursor'>) {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.list({ ...query, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    seen.push(...page.items.map((c) => c.customerId));
    cursor = page.cursor;
    if (++pages > 10_000) throw new Error('the list never ends');
  } while (cursor);
  return seen;
}
const only = (seen: string[], mine: Customer[]) => seen.filter((id) => mine.some((c) => c.customerId === id));

async function expectCursorRefused(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).issues.map((i) => i.path)).toEqual(['cursor']);
}

export function customerStoreContract(name: string, make: () => CustomerStoreWorld) {
  describe(`the CustomerStore contract: ${name}`, () => {
    it('creates a customer once: a second create is a ConflictError and writes nothing', async () => {
      const { customers } = make();
      const customer = aCustomer();
      expect(await customers.get(customer.customerId)).toBeUndefined();
      expect((await customers.save(customer, -1, [entry(T0, 'created')])).version).toBe(1);
      expect(await customers.get(customer.customerId)).toEqual({ ...customer, version: 1 });

      await expect(customers.save({ ...customer, plan: 'Scale' }, -1, [entry(T0, 'again')], { ledgerKey: 'CustomerRetention#t1#welcome' })).rejects.toBeInstanceOf(ConflictError);
      expect(await customers.get(customer.customerId)).toEqual({ ...customer, version: 1 });
      expect(ids(await customers.timeline(customer.customerId))).toEqual(['created']);
      expect(await customers.ledger(customer.customerId)).toEqual([]);
    });

    it('saves at the expected version, and refuses a stale one writing nothing of it', async () => {
      const { customers } = make();
      const customer = aCustomer();
      await customers.save(customer, -1, []);
      expect((await customers.save({ ...customer, plan: 'Growth' }, 1, [entry(T0, 's1')])).version).toBe(2);

      const eventId = `evt-${randomUUID()}`;
      await expect(customers.save({ ...customer, plan: 'Stale' }, 1, [entry(T0, 's2')], { ledgerKey: 'CustomerRetention#t1#welcome', processedEventId: eventId })).rejects.toBeInstanceOf(VersionConflictError);
      expect(await customers.get(customer.customerId)).toMatchObject({ plan: 'Growth', version: 2 });
      expect(ids(await customers.timeline(customer.customerId))).toEqual(['s1']);
      expect(await customers.ledger(customer.customerId)).toEqual([]);
      // Neither the claim nor the event marker of the refused save was written: both still go through.
      expect((await customers.save(customer, 2, [], { ledgerKey: 'CustomerRetention#t1#welcome', processedEventId: eventId })).version).toBe(3);
    });

    it('counts a customer written before retention, without a version, as version 0', async () => {
      const { customers, putLegacy } = make();
      const { version: _none, ...legacy } = aCustomer();
      await putLegacy(legacy);
      await expect(customers.save(legacy, 1, [])).rejects.toBeInstanceOf(VersionConflictError);
      expect((await customers.save({ ...legacy, plan: 'Growth' }, 0, [entry(T0, 'first')])).version).toBe(1);
      await expect(customers.save(legacy, 0, [])).rejects.toBeInstanceOf(VersionConflictError);
      expect(await customers.get(legacy.customerId)).toMatchObject({ plan: 'Growth', version: 1 });
      // 0 is a stored customer without a version, never a missing one.
      await expect(customers.save(aCustomer(), 0, [])).rejects.toBeInstanceOf(VersionConflictError);
    });

    it('claims a send once: a second claim is a DuplicateSendError, even on a stale version, and writes nothing else', async () => {
      const { customers } = make();
      const customer = aCustomer();
      const key = 'CustomerRetention#t1#welcome';
      await customers.save(customer, -1, []);
      await customers.save({ ...customer, retention: { done: ['t1#welcome'] } }, 1, [entry(T0, 'sent')], { ledgerKey: key });
      expect(await customers.ledger(customer.customerId)).toEqual([{ ledgerKey: key, status: 'claimed', claimedAt: expect.any(String) }]);

      await expect(customers.save({ ...customer, plan: 'Twice' }, 2, [entry(T0, 'twice')], { ledgerKey: key })).rejects.toBeInstanceOf(DuplicateSendError);
      await expect(customers.save({ ...customer, plan: 'Twice' }, 1, [entry(T0, 'stale')], { ledgerKey: key })).rejects.toBeInstanceOf(DuplicateSendError);
      expect(await customers.get(customer.customerId)).toMatchObject({ version: 2, retention: { done: ['t1#welcome'] } });
      expect((await customers.get(customer.customerId))?.plan).toBeUndefined();
      expect(ids(await customers.timeline(customer.customerId))).toEqual(['sent']);

      await customers.markSent(customer.customerId, key, 'msg-1');
      expect(await customers.ledger(customer.customerId)).toEqual([{ ledgerKey: key, status: 'sent', claimedAt: expect.any(String), sentAt: expect.any(String), messageId: 'msg-1' }]);
      // A sent claim is never given back.
      await customers.releaseClaim(customer.customerId, key, [entry(T0, 'not-released')], [entry(T0, 'sent')]);
      expect(ids(await customers.timeline(customer.customerId))).toEqual(['sent']);
    });

    it('gives back a claim the mail service refused, with its entries, so the send may be claimed again', async () => {
      const { customers } = make();
      const customer = aCustomer();
      const key = 'CustomerRetention#t1#setup-check';
      await customers.save(customer, -1, []);
      const sent = entry('2026-03-08T09:00:00.000Z', 'sent');
      await customers.save(customer, 1, [sent], { ledgerKey: key });
      await customers.releaseClaim(customer.customerId, key, [entry('2026-03-08T09:00:01.000Z', 'failed')], [sent]);
      expect(await customers.ledger(customer.customerId)).toEqual([]);
      expect(ids(await customers.timeline(customer.customerId))).toEqual(['failed']);
      await customers.save(customer, 2, [], { ledgerKey: key });
      expect((await customers.ledger(customer.customerId)).map((l) => l.status)).toEqual(['claimed']);
    });

    it('takes an event id once: a repeat is a DuplicateEventError, even on a stale version, and writes nothing', async () => {
      const { customers } = make();
      const customer = aCustomer();
      const eventId = `evt-${randomUUID()}`;
      await customers.save(customer, -1, []);
      await customers.save({ ...customer, plan: 'Growth' }, 1, [entry(T0, 'first')], { processedEventId: eventId });
      await expect(customers.save({ ...customer, plan: 'Again' }, 2, [entry(T0, 'again')], { processedEventId: eventId })).rejects.toBeInstanceOf(DuplicateEventError);
      await expect(customers.save({ ...customer, plan: 'Again' }, 1, [], { processedEventId: eventId, ledgerKey: 'CustomerRetention#x' })).rejects.toBeInstanceOf(DuplicateEventError);
      expect(await customers.get(customer.customerId)).toMatchObject({ plan: 'Growth', version: 2 });
      expect(ids(await customers.timeline(customer.customerId))).toEqual(['first']);
      expect(await customers.ledger(customer.customerId)).toEqual([]);
    });

    it('reads the timeline oldest first (by time, then entry id), whatever order it was written in', async () => {
      const { customers } = make();
      const customer = aCustomer();
      await customers.save(customer, -1, [entry('2026-03-05T10:00:00.000Z', 'c')]);
      await customers.appendTimeline(customer.customerId, [entry('2026-03-09T10:00:00.000Z', 'e'), entry('2026-03-01T10:00:00.000Z', 'a')]);
      await customers.save(customer, 1, [entry('2026-03-05T10:00:00.000Z', 'd'), entry('2026-03-02T10:00:00.000Z', 'b')]);
      const timeline = await customers.timeline(customer.customerId);
      expect(ids(timeline)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(timeline[0]).toMatchObject(entry('2026-03-01T10:00:00.000Z', 'a'));
      expect(await customers.timeline(`cus-${randomUUID()}`)).toEqual([]);
    });

    it('lists customers by health band, by id, and moves one to its new band when it is saved', async () => {
      const { customers } = make();
      const mine = [aCustomer({ health: health('at-risk') }), aCustomer({ health: health('at-risk') }), aCustomer({ health: health('healthy') }), aCustomer({ health: undefined })];
      for (const c of mine) await customers.save(c, -1, []);
      const [risk1, risk2, healthy] = mine as [Customer, Customer, Customer, Customer];
      const byId = [risk1, risk2].map((c) => c.customerId).sort();

      expect(only(await everyPage(customers, { health: 'at-risk', limit: 100 }), mine)).toEqual(byId);
      expect(only(await everyPage(customers, { health: 'healthy', limit: 100 }), mine)).toEqual([healthy.customerId]);
      // No band asked for: the healthy ones. A customer never scored is in no band's list.
      expect(only(await everyPage(customers, { limit: 100 }), mine)).toEqual([healthy.customerId]);
      expect(only(await everyPage(customers, { health: 'watch', limit: 100 }), mine)).toEqual([]);

      await customers.save({ ...risk1, health: health('watch') }, 1, []);
      expect(only(await everyPage(customers, { health: 'at-risk', limit: 100 }), mine)).toEqual([risk2.customerId]);
      expect(only(await everyPage(customers, { health: 'watch', limit: 100 }), mine)).toEqual([risk1.customerId]);
    });

    it('lists active customers renewing before a date, soonest first, cancelled and later ones left out, a band filtering them', async () => {
      const { customers } = make();
      const term = (renewalDate: string) => ({ number: 1, startDate: '2026-01-01', renewalDate, termMonths: 12 });
      const march = aCustomer({ term: term('2027-03-01'), health: health('watch') });
      const january = aCustomer({ term: term('2027-01-15'), health: health('at-risk') });
      const april = aCustomer({ term: term('2027-04-30'), health: health('watch') });
      const cancelled = aCustomer({ term: term('2027-02-01'), status: 'cancelled', cancelledAt: T0 });
      const onTheDate = aCustomer({ term: term('2027-05-01') });
      const later = aCustomer({ term: term('2027-06-01') });
      const noTerm = aCustomer({ term: undefined });
      const mine = [march, january, april, cancelled, onTheDate, later, noTerm];
      for (const c of mine) await customers.save(c, -1, []);

      expect(only(await everyPage(customers, { renewingBefore: '2027-05-01', limit: 100 }), mine)).toEqual([january, march, april].map((c) => c.customerId));
      expect(only(await everyPage(customers, { renewingBefore: '2027-05-01', health: 'watch', limit: 100 }), mine)).toEqual([march, april].map((c) => c.customerId));
      // Items come as the customer type, with nothing of the table's keys on them.
      const first = (await customers.list({ renewingBefore: '2027-01-16', limit: 100 })).items.find((c) => c.customerId === january.customerId);
      expect(first).toEqual({ ...january, version: 1 });

      // A cancellation takes a customer off the renewal list.
      await customers.save({ ...march, status: 'cancelled', cancelledAt: T0 }, 1, []);
      expect(only(await everyPage(customers, { renewingBefore: '2027-05-01', limit: 100 }), mine)).toEqual([january, april].map((c) => c.customerId));
    });

    it('pages through every customer exactly once, by band and by renewal date, whatever the page size', async () => {
      const { customers } = make();
      const mine = Array.from({ length: 7 }, (_, i) => aCustomer({ health: health('watch'), term: { number: 1, startDate: '2026-01-01', renewalDate: `2026-12-${String(10 + i).padStart(2, '0')}`, termMonths: 12 } }));
      for (const c of mine) await customers.save(c, -1, []);
      const byId = mine.map((c) => c.customerId).sort();
      for (const limit of [1, 2, 3, 7, 50]) {
        expect(only(await everyPage(customers, { health: 'watch', limit }), mine), `band, pages of ${limit}`).toEqual(byId);
        expect(only(await everyPage(customers, { renewingBefore: '2026-12-31', limit }), mine), `renewals, pages of ${limit}`).toEqual(mine.map((c) => c.customerId));
        expect(only(await everyPage(customers, { renewingBefore: '2026-12-31', health: 'watch', limit }), mine), `watch renewals, pages of ${limit}`).toEqual(mine.map((c) => c.customerId));
      }
    });

    it('refuses a cursor it did not hand out for that list, naming cursor', async () => {
      const { customers } = make();
      for (const c of [aCustomer(), aCustomer()]) await customers.save(c, -1, []);
      const healthy = (await customers.list({ health: 'healthy', limit: 1 })).cursor!;
      expect(healthy).toEqual(expect.any(String));
      // The cursor works where it came from.
      await customers.list({ health: 'healthy', limit: 1, cursor: healthy });

      const forged = Buffer.from(JSON.stringify({ pk: 'LEAD#lead-1', sk: 'PROFILE', gsi1pk: 'CUSTOMERS#healthy', gsi1sk: 'lead-1' })).toString('base64url');
      for (const cursor of ['not-a-cursor', '%%%', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url'), forged]) {
        await expectCursorRefused(customers.list({ health: 'healthy', limit: 10, cursor }));
      }
      // Another list's cursor: another band, or the renewal list.
      await expectCursorRefused(customers.list({ health: 'at-risk', limit: 10, cursor: healthy }));
      await expectCursorRefused(customers.list({ renewingBefore: '2099-01-01', limit: 10, cursor: healthy }));
      const renewals = (await customers.list({ renewingBefore: '2099-01-01', limit: 1 })).cursor!;
      await expectCursorRefused(customers.list({ health: 'healthy', limit: 10, cursor: renewals }));
    });

    it('writes a save staged in a unit of work only on commit, all or nothing with the other stores in it', async () => {
      const { customers, contacts } = make();
      const customer = aCustomer();
      await customers.save(customer, -1, []);
      const contact: Contact = { email: customer.email, consent: { given: true, textVersion: 'v1', at: T0, sourceForm: 'web-form' }, createdAt: T0, updatedAt: T0, version: 0 };

      const work = customers.begin();
      const staged = await customers.save({ ...customer, plan: 'Scale' }, 1, [entry(T0, 'staged')], { ledgerKey: 'CustomerRetention#t1#welcome', work });
      expect(staged.version).toBe(2);
      await contacts.save(contact, 0, work);
      expect(await customers.get(customer.customerId)).toMatchObject({ version: 1 });
      expect(await customers.timeline(customer.customerId)).toEqual([]);
      expect(await customers.ledger(customer.customerId)).toEqual([]);
      expect(await contacts.get(contact.email)).toBeUndefined();
      await work.commit();
      expect(await customers.get(customer.customerId)).toMatchObject({ plan: 'Scale', version: 2 });
      expect(ids(await customers.timeline(customer.customerId))).toEqual(['staged']);
      expect((await customers.ledger(customer.customerId)).map((l) => l.ledgerKey)).toEqual(['CustomerRetention#t1#welcome']);
      expect((await contacts.get(contact.email))?.version).toBe(1);

      // The Contact changed since it was read (an unsubscribe): the customer's claim is not written either.
      const stale = customers.begin();
      await contacts.save(contact, 0, stale);
      await customers.save({ ...customer, plan: 'Stale' }, 2, [entry(T0, 'stale')], { ledgerKey: 'CustomerRetention#t1#setup-check', work: stale });
      await expect(stale.commit()).rejects.toBeInstanceOf(VersionConflictError);
      expect(await customers.get(customer.customerId)).toMatchObject({ plan: 'Scale', version: 2 });
      expect(ids(await customers.timeline(customer.customerId))).toEqual(['staged']);
      expect((await customers.ledger(customer.customerId)).map((l) => l.ledgerKey)).toEqual(['CustomerRetention#t1#welcome']);
    });
  });
}
