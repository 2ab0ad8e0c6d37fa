/**
 * In-memory implementations of the core's ports, with the same semantics as the DynamoDB adapters
 * (atomic saves, optimistic locking, duplicate detection). For unit tests of the core only.
 */
import {
  DuplicateEventError,
  DuplicateSendError,
  EmailTakenError,
  VersionConflictError,
} from '../../functions/core/errors.js';
import type { Customer, DomainEvent, FunnelInput, Lead, Rep, Stage, TimelineEntry } from '../../functions/core/model.js';
import type {
  EventPublisher,
  IdGenerator,
  LeadStore,
  Mailer,
  OutgoingEmail,
  Page,
  RepRoster,
  SaveExtras,
  StartOutcome,
  WorkflowStarter,
} from '../../functions/core/ports.js';

import type { SendSettings } from '../../functions/core/send.js';
import { inMemoryWork } from './contacts.js';

export { InMemoryContactStore, InMemoryUnitOfWork } from './contacts.js';

const clone = <T>(v: T): T => structuredClone(v);

function paginate<T>(all: T[], limit: number, cursor?: string): Page<T> {
  const start = cursor ? Number(cursor) : 0;
  const items = all.slice(start, start + limit);
  return start + limit < all.length ? { items, cursor: String(start + limit) } : { items };
}

export class InMemoryLeadStore implements LeadStore {
  leads = new Map<string, Lead>();
  emails = new Map<string, string>();
  entries: TimelineEntry[] = [];
  processedEvents = new Set<string>();
  pendingDomainEvents = new Map<string, DomainEvent[]>();
  ledger = new Map<string, { status: 'claimed' | 'sent'; messageId?: string }>();
  customers = new Map<string, Customer>();

  async get(leadId: string) {
    const lead = this.leads.get(leadId);
    return lead && clone(lead);
  }
  async findByEmail(email: string) {
    const id = this.emails.get(email);
    return id ? this.get(id) : undefined;
  }
  async create(lead: Lead, timeline: TimelineEntry[]) {
    if (this.emails.has(lead.email)) throw new EmailTakenError(lead.email);
    this.emails.set(lead.email, lead.leadId);
    this.leads.set(lead.leadId, clone(lead));
    this.entries.push(...clone(timeline));
  }
  async save(lead: Lead, expectedVersion: number, timeline: TimelineEntry[], extras: SaveExtras = {}) {
    const ledgerId = extras.ledgerKey && `${lead.leadId}/${extras.ledgerKey}`;
    const saved = { ...clone(lead), version: expectedVersion + 1 };
    const { work, own } = inMemoryWork(extras.work);
    work.stage({
      // As DynamoDB's adapter reports it: a processed event or a claimed send explains a stale version, not the reverse.
      preferred: true,
      check: () => {
        if (extras.processedEventId && this.processedEvents.has(extras.processedEventId)) throw new DuplicateEventError(extras.processedEventId);
      },
      apply: () => {},
    });
    work.stage({
      check: () => {
        const stored = this.leads.get(lead.leadId);
        if (!stored || stored.version !== expectedVersion) throw new VersionConflictError(lead.leadId);
        if (ledgerId && this.ledger.has(ledgerId)) throw new DuplicateSendError(extras.ledgerKey!);
      },
      apply: () => {
        this.leads.set(lead.leadId, clone(saved));
        this.entries.push(...clone(timeline));
        if (extras.processedEventId) this.processedEvents.add(extras.processedEventId);
        if (extras.processedEventId && extras.domainEvents?.length) this.pendingDomainEvents.set(extras.processedEventId, clone(extras.domainEvents));
        if (ledgerId) this.ledger.set(ledgerId, { status: 'claimed' });
        if (extras.customer) this.customers.set(extras.customer.customerId, clone(extras.customer));
      },
    });
    if (own) await work.commit();
    return clone(saved);
  }
  async appendTimeline(entries: TimelineEntry[]) {
    this.entries.push(...clone(entries));
  }
  async timeline(leadId: string) {
    return this.entries
      .filter((e) => e.leadId === leadId)
      .sort((a, b) => (a.at + a.entryId < b.at + b.entryId ? -1 : 1))
      .map(clone);
  }
  async listByStage(stage: Stage, { limit, cursor }: { limit: number; cursor?: string }) {
    const all = [...this.leads.values()].filter((l) => l.stage === stage).sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
    return paginate(all.map(clone), limit, cursor);
  }
  async listByOwner(repId: string | undefined, { limit, cursor }: { limit: number; cursor?: string }) {
    const all = [...this.leads.values()].filter((l) => l.ownerId === repId).sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
    return paginate(all.map(clone), limit, cursor);
  }
  async isEventProcessed(eventId: string) {
    return this.processedEvents.has(eventId);
  }
  async unpublishedEventsOf(eventId: string) {
    return clone(this.pendingDomainEvents.get(eventId) ?? []);
  }
  async markEventsPublished(eventId: string) {
    this.pendingDomainEvents.delete(eventId);
  }
  async markSent(leadId: string, ledgerKey: string, messageId: string) {
    this.ledger.set(`${leadId}/${ledgerKey}`, { status: 'sent', messageId });
  }
  async releaseClaim(leadId: string, ledgerKey: string, timeline: TimelineEntry[], withdrawn: TimelineEntry[] = []) {
    const id = `${leadId}/${ledgerKey}`;
    // One transaction on DynamoDB: nothing (not even the timeline entries) when the claim is not there to give back.
    if (this.ledger.get(id)?.status !== 'claimed') return;
    this.ledger.delete(id);
    const gone = new Set(withdrawn.map((e) => e.entryId));
    this.entries = this.entries.filter((e) => e.leadId !== leadId || !gone.has(e.entryId));
    this.entries.push(...clone(timeline));
  }
  async getCustomer(customerId: string) {
    const c = this.customers.get(customerId);
    return c && clone(c);
  }
}

export class InMemoryRoster implements RepRoster {
  reps = new Map<string, Rep>();
  turn = 0;
  async get(repId: string) {
    const r = this.reps.get(repId);
    return r && clone(r);
  }
  async put(rep: Rep) {
    this.reps.set(rep.repId, clone(rep));
  }
  async listActive() {
    return [...this.reps.values()].filter((r) => r.status === 'active').sort((a, b) => (a.repId < b.repId ? -1 : 1)).map(clone);
  }
  async nextTurn() {
    return ++this.turn;
  }
}

export class RecordingMailer implements Mailer {
  sent: OutgoingEmail[] = [];
  async send(email: OutgoingEmail) {
    this.sent.push(clone(email));
    return { messageId: `msg-${this.sent.length}` };
  }
}

export class RecordingStarter implements WorkflowStarter {
  started: FunnelInput[] = [];
  stopped: { leadId: string; run: number; reason: string }[] = [];
  async start(input: FunnelInput): Promise<StartOutcome> {
    if (this.started.some((s) => s.leadId === input.leadId && s.run === input.run)) return 'already-exists';
    this.started.push(clone(input));
    return 'started';
  }
  async stop(leadId: string, run: number, reason: string) {
    this.stopped.push({ leadId, run, reason });
  }
}

export class RecordingPublisher implements EventPublisher {
  events: DomainEvent[] = [];
  async publish(events: DomainEvent[]) {
    this.events.push(...clone(events));
  }
}

export function sequentialIds(): IdGenerator {
  let n = 0;
  return { next: (prefix = '') => `${prefix}${String(++n).padStart(6, '0')}` };
}

/**
 * The next `times` saves of `store` lose a race: another writer got there first (the stored version
 * moves on), so the caller must read again and retry.
 */
export function losingSaves(store: InMemoryLeadStore, times: number) {
  const save = store.save.bind(store);
  let left = times;
  store.save = async (lead, expectedVersion, timeline, extras) => {
    if (left-- > 0) {
      const stored = store.leads.get(lead.leadId);
      if (stored) store.leads.set(lead.leadId, { ...stored, version: stored.version + 1 });
      throw new VersionConflictError(lead.leadId);
    }
    return save(lead, expectedVersion, timeline, extras);
  };
}

/** The send chokepoint's settings the unit tests use (a test overrides what it is about). */
export function testSendSettings(over: Partial<SendSettings> = {}): SendSettings {
  return {
    consentPolicy: 'opt-in',
    frequencyCap: { max: 3, windowDays: 7 },
    publicBaseUrl: 'https://api.example.test',
    postalAddress: '1 Harbour Street, Bristol',
    companyName: 'Brightline Analytics',
    signingKey: 'k',
    ...over,
  };
}
