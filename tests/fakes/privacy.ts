/**
 * An in-memory PrivacyStore with the DynamoDB adapter's semantics: the lead's partition (profile,
 * timeline, ledger, tombstone), the email index, customers with their own partition (profile, timeline,
 * ledger), processed-event markers, reps, the
 * suppression records and the closed-lead index. For unit tests of core/privacy only.
 */
import { VersionConflictError } from '../../functions/core/errors.js';
import type { Customer, DomainEvent, ErasureReason, ErasureTombstone, Lead, LedgerEntry, Rep, SubjectTimelineEntry, TimelineEntry } from '../../functions/core/model.js';
import type { LeadErasure, LeadRecords, Page, PrivacyStore } from '../../functions/core/ports.js';

const clone = <T>(v: T): T => structuredClone(v);
const CLOSED = ['lost', 'disqualified', 'dormant'];

export class InMemoryPrivacyStore implements PrivacyStore {
  leads = new Map<string, Lead>();
  emails = new Map<string, string>();
  timeline: TimelineEntry[] = [];
  ledger = new Map<string, LedgerEntry[]>();
  customers = new Map<string, Customer>();
  /** The customer partition's timeline and ledger, by customerId (kept apart from the profile, as in the table). */
  customerTimelines = new Map<string, SubjectTimelineEntry[]>();
  customerLedgers = new Map<string, LedgerEntry[]>();
  pending = new Map<string, DomainEvent[]>();
  reps = new Map<string, Rep>();
  tombstones = new Map<string, ErasureTombstone>();
  suppressions = new Map<string, { at: string; reason: ErasureReason }>();
  /** Writes made to the store, in order: lets tests check what a repeated call changed. */
  writes: string[] = [];

  /** Seeds a lead with its email index, timeline, ledger and (optionally) customer with its timeline and ledger. */
  seed(
    lead: Lead,
    extra: { timeline?: TimelineEntry[]; ledger?: LedgerEntry[]; customer?: Customer; customerTimeline?: SubjectTimelineEntry[]; customerLedger?: LedgerEntry[] } = {},
  ) {
    this.leads.set(lead.leadId, clone(lead));
    this.emails.set(lead.email, lead.leadId);
    this.timeline.push(...clone(extra.timeline ?? []));
    this.ledger.set(lead.leadId, clone(extra.ledger ?? []));
    if (extra.customer) this.customers.set(extra.customer.customerId, clone(extra.customer));
    const customerId = extra.customer?.customerId ?? lead.customerId ?? `cus-${lead.leadId}`;
    if (extra.customerTimeline) this.customerTimelines.set(customerId, clone(extra.customerTimeline));
    if (extra.customerLedger) this.customerLedgers.set(customerId, clone(extra.customerLedger));
  }

  async records(leadId: string): Promise<LeadRecords | undefined> {
    const lead = this.leads.get(leadId);
    if (!lead) return undefined;
    const timeline = this.timeline.filter((e) => e.leadId === leadId).map(clone);
    const customerId = lead.customerId ?? `cus-${leadId}`;
    const customer = this.customers.get(customerId);
    const pendingEvents = timeline
      .map((e) => e.data?.eventId)
      .filter((id): id is string => typeof id === 'string' && Boolean(this.pending.get(id)?.length))
      .map((eventId) => ({ eventId, events: clone(this.pending.get(eventId)!) }));
    return {
      lead: clone(lead),
      timeline,
      ledger: clone(this.ledger.get(leadId) ?? []),
      ...(customer ? { customer: clone(customer) } : {}),
      customerTimeline: clone(this.customerTimelines.get(customerId) ?? []),
      customerLedger: clone(this.customerLedgers.get(customerId) ?? []),
      pendingEvents,
    };
  }
  async leadIdByEmail(email: string) {
    return this.emails.get(email);
  }
  async tombstone(leadId: string) {
    return this.tombstones.get(leadId);
  }
  async repsByEmail(email: string) {
    return [...this.reps.values()].filter((r) => r.email?.toLowerCase() === email).map(clone);
  }
  /** Rep timelines by repId (the rep store keeps them in the rep's partition). */
  repTimelines = new Map<string, SubjectTimelineEntry[]>();
  async repTimeline(repId: string) {
    return clone(this.repTimelines.get(repId) ?? []);
  }
  async anonymizeRep(repId: string) {
    const rep = this.reps.get(repId);
    if (!rep) return;
    const { email: _email, ...rest } = rep;
    this.reps.set(repId, { ...rest, name: '(erased)', status: 'inactive' } as Rep);
    this.writes.push(`anonymize ${repId}`);
  }
  async dropPendingEvents(eventId: string) {
    this.pending.delete(eventId);
    this.writes.push(`drop ${eventId}`);
  }
  async eraseLead({ lead, tombstone, customerId }: LeadErasure) {
    if (this.leads.get(lead.leadId)?.version !== lead.version) throw new VersionConflictError(lead.leadId);
    this.leads.delete(lead.leadId);
    if (this.emails.get(lead.email) === lead.leadId) this.emails.delete(lead.email);
    if (customerId) this.customers.delete(customerId);
    this.tombstones.set(lead.leadId, clone(tombstone));
    this.writes.push(`erase ${lead.leadId}`);
  }
  async sweepPartition(leadId: string) {
    const timeline = this.timeline.filter((e) => e.leadId === leadId).length;
    const ledger = this.ledger.get(leadId)?.length ?? 0;
    this.timeline = this.timeline.filter((e) => e.leadId !== leadId);
    this.ledger.delete(leadId);
    if (timeline || ledger) this.writes.push(`sweep ${leadId}`);
    return { timeline, ledger };
  }
  async sweepCustomerPartition(customerId: string) {
    const customer = this.customers.has(customerId) ? 1 : 0;
    const customerTimeline = this.customerTimelines.get(customerId)?.length ?? 0;
    const customerLedger = this.customerLedgers.get(customerId)?.length ?? 0;
    this.customers.delete(customerId);
    this.customerTimelines.delete(customerId);
    this.customerLedgers.delete(customerId);
    if (customer || customerTimeline || customerLedger) this.writes.push(`sweep ${customerId}`);
    return { customer, customerTimeline, customerLedger };
  }
  async recordSuppression(hash: string, at: string, reason: ErasureReason) {
    if (this.suppressions.has(hash)) return false;
    this.suppressions.set(hash, { at, reason });
    this.writes.push(`suppress ${hash.slice(0, 8)}`);
    return true;
  }
  async isSuppressedHash(hash: string) {
    return this.suppressions.has(hash);
  }
  async closedBefore(before: string, options: { limit: number; cursor?: string }): Promise<Page<{ leadId: string; updatedAt: string }>> {
    // Key-based like DynamoDB's ExclusiveStartKey, so erasing listed leads does not shift the next page.
    const sortKey = (l: { leadId: string; updatedAt: string }) => `${l.updatedAt}#${l.leadId}`;
    const all = [...this.leads.values()]
      .filter((l) => CLOSED.includes(l.status) && l.updatedAt < before)
      .map((l) => ({ leadId: l.leadId, updatedAt: l.updatedAt }))
      .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))
      .filter((l) => !options.cursor || sortKey(l) > options.cursor);
    const items = all.slice(0, options.limit);
    return all.length > options.limit ? { items, cursor: sortKey(items.at(-1)!) } : { items };
  }
}
