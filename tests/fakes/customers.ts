/**
 * An in-memory CustomerStore with the DynamoDB adapter's semantics (functions/adapters/dynamodb/
 * customer-store.ts), held to them by the customer-store contract: a save is one all-or-nothing write
 * (create-once at -1, a legacy customer without a version counts as 0), a repeated ledger claim or
 * event id fails before a stale version is reported, the timeline sorts by (at, entryId), and the lists
 * read the profile "indexes" a page of `limit` items at a time — the band filter of the renewal list
 * applied after the limit, as a DynamoDB FilterExpression is — with cursors that only this list accepts.
 */
import { ConflictError, DuplicateEventError, DuplicateSendError, ValidationError, VersionConflictError } from '../../functions/core/errors.js';
import type { Customer, LedgerEntry, SubjectTimelineEntry } from '../../functions/core/model.js';
import type { CustomerQuery, CustomerStore, Page, UnitOfWork } from '../../functions/core/ports.js';
import { InMemoryUnitOfWork, inMemoryWork } from './contacts.js';

const clone = <T>(v: T): T => structuredClone(v);

/** Where a listing reads: the index and partition the adapter queries (a cursor is valid only there). */
interface Listing {
  index: 'gsi1' | 'gsi2';
  partition: string;
}

const invalidCursor = () => new ValidationError('Invalid cursor', [{ path: 'cursor', message: 'not a cursor returned by this list' }]);

function decodeCursor(cursor: string, listing: Listing): string {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const k = key as Record<string, unknown>;
  const wellFormed = typeof k === 'object' && k !== null && !Array.isArray(k) && Object.keys(k).length === 3 && typeof k.sk === 'string' && k.sk.length > 0;
  if (!wellFormed || k.index !== listing.index || k.partition !== listing.partition) throw invalidCursor();
  return k.sk as string;
}

const encodeCursor = (listing: Listing, sk: string) => Buffer.from(JSON.stringify({ ...listing, sk })).toString('base64url');

export class InMemoryCustomerStore implements CustomerStore {
  customers = new Map<string, Customer>();
  /** Per customer, by `<at>#<entryId>` (the adapter's sort key: a second put of one entry replaces it). */
  entries = new Map<string, Map<string, SubjectTimelineEntry>>();
  ledgerEntries = new Map<string, LedgerEntry>();
  processedEvents = new Set<string>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Writes the customer as it is, unconditionally: a fixture, or a customer written before retention (no version). */
  put(customer: Customer) {
    this.customers.set(customer.customerId, clone(customer));
  }

  async get(customerId: string) {
    const customer = this.customers.get(customerId);
    return customer && clone(customer);
  }

  async save(customer: Customer, expectedVersion: number, timeline: SubjectTimelineEntry[], extras: { ledgerKey?: string; processedEventId?: string; work?: UnitOfWork } = {}) {
    const saved: Customer = { ...clone(customer), version: expectedVersion < 0 ? 1 : expectedVersion + 1 };
    const ledgerId = extras.ledgerKey && `${customer.customerId}/${extras.ledgerKey}`;
    const claimedAt = this.now().toISOString();
    const { work, own } = inMemoryWork(extras.work);
    // As the adapter's transaction reports it: a processed event, then a claimed send, explain a stale version.
    work.stage({
      preferred: true,
      check: () => {
        if (extras.processedEventId && this.processedEvents.has(extras.processedEventId)) throw new DuplicateEventError(extras.processedEventId);
        if (ledgerId && this.ledgerEntries.has(ledgerId)) throw new DuplicateSendError(extras.ledgerKey!);
      },
      apply: () => {},
    });
    work.stage({
      check: () => {
        const stored = this.customers.get(customer.customerId);
        if (expectedVersion < 0) {
          if (stored) throw new ConflictError(`customer ${customer.customerId} exists`);
        } else if (!stored || (stored.version ?? 0) !== expectedVersion) {
          throw new VersionConflictError(customer.customerId);
        }
      },
      apply: () => {
        this.customers.set(customer.customerId, clone(saved));
        this.writeTimeline(customer.customerId, timeline);
        if (extras.processedEventId) this.processedEvents.add(extras.processedEventId);
        if (ledgerId) this.ledgerEntries.set(ledgerId, { ledgerKey: extras.ledgerKey!, status: 'claimed', claimedAt });
      },
    });
    if (own) await work.commit();
    return clone(saved);
  }

  async appendTimeline(customerId: string, entries: SubjectTimelineEntry[]) {
    this.writeTimeline(customerId, entries);
  }

  async timeline(customerId: string) {
    const entries = this.entries.get(customerId) ?? new Map();
    return [...entries.keys()].sort().map((k) => clone(entries.get(k)!));
  }

  async markSent(customerId: string, ledgerKey: string, messageId: string) {
    // An update on DynamoDB: it writes the entry even when no claim is there.
    const id = `${customerId}/${ledgerKey}`;
    this.ledgerEntries.set(id, { ...this.ledgerEntries.get(id), ledgerKey, status: 'sent', messageId, sentAt: this.now().toISOString() });
  }

  async releaseClaim(customerId: string, ledgerKey: string, timeline: SubjectTimelineEntry[], withdrawn: SubjectTimelineEntry[] = []) {
    const id = `${customerId}/${ledgerKey}`;
    // One transaction on DynamoDB: nothing (not even the timeline entries) when the claim is not there to give back.
    if (this.ledgerEntries.get(id)?.status !== 'claimed') return;
    this.ledgerEntries.delete(id);
    const entries = this.entries.get(customerId);
    for (const e of withdrawn) entries?.delete(`${e.at}#${e.entryId}`);
    this.writeTimeline(customerId, timeline);
  }

  async ledger(customerId: string) {
    return [...this.ledgerEntries.entries()]
      .filter(([id]) => id.startsWith(`${customerId}/`))
      .map(([, e]) => clone(e))
      .sort((a, b) => (a.ledgerKey < b.ledgerKey ? -1 : 1));
  }

  async list(query: CustomerQuery): Promise<Page<Customer>> {
    const byRenewal = query.renewingBefore !== undefined;
    const listing: Listing = byRenewal ? { index: 'gsi2', partition: 'RENEWALS' } : { index: 'gsi1', partition: `CUSTOMERS#${query.health ?? 'healthy'}` };
    const indexed = [...this.customers.values()].flatMap((c) => {
      if (byRenewal) return c.status !== 'cancelled' && c.term ? [{ sk: `${c.term.renewalDate}#${c.customerId}`, c }] : [];
      return `CUSTOMERS#${c.health?.band ?? 'unscored'}` === listing.partition ? [{ sk: c.customerId, c }] : [];
    });
    const after = query.cursor ? decodeCursor(query.cursor, listing) : undefined;
    const read = indexed
      .filter(({ sk }) => (!byRenewal || sk < query.renewingBefore!) && (after === undefined || sk > after))
      .sort((a, b) => (a.sk < b.sk ? -1 : 1))
      .slice(0, query.limit);
    // The limit counts items read, before the band filter (DynamoDB's Limit with a FilterExpression).
    const items = read.filter(({ c }) => !byRenewal || !query.health || c.health?.band === query.health).map(({ c }) => clone(c));
    return read.length === query.limit ? { items, cursor: encodeCursor(listing, read[read.length - 1]!.sk) } : { items };
  }

  begin(): UnitOfWork {
    return new InMemoryUnitOfWork();
  }

  /** Timeline entry types of a customer, in order. */
  async types(customerId: string) {
    return (await this.timeline(customerId)).map((e) => e.type);
  }

  private writeTimeline(customerId: string, entries: SubjectTimelineEntry[]) {
    const stored = this.entries.get(customerId) ?? new Map<string, SubjectTimelineEntry>();
    // The adapter's items carry the subject's id (timeline-store timelineItem), and so do its entries as read.
    for (const e of entries) stored.set(`${e.at}#${e.entryId}`, { customerId, ...clone(e) } as SubjectTimelineEntry);
    this.entries.set(customerId, stored);
  }
}
