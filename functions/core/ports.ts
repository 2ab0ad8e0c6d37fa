/**
 * What the core needs from the world. Adapters (functions/adapters) implement these over DynamoDB,
 * SES, Step Functions and EventBridge; unit tests use the in-memory ones in tests/fakes.
 */
import type {
  Contact,
  Customer,
  DomainEvent,
  ErasureCounts,
  ErasureReason,
  ErasureTombstone,
  FunnelInput,
  Lead,
  LedgerEntry,
  OnboardingInput,
  Rep,
  RetentionInput,
  RepStatus,
  Stage,
  SubjectRef,
  SubjectTimelineEntry,
  TimelineEntry,
  WorkflowName,
} from './model.js';

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor?: string;
}

/** Extra items written in the same transaction as a lead save; each must not exist yet. */
export interface SaveExtras {
  /** Marks an event id processed: a second save with it fails with DuplicateEventError. */
  processedEventId?: string;
  /**
   * Domain events the processed event causes, kept with it until published (see
   * `unpublishedEventsOf`), so a retried request can publish what a failed one could not.
   */
  domainEvents?: DomainEvent[];
  /** Claims an exactly-once send ledger key: a second claim fails with DuplicateSendError. */
  ledgerKey?: string;
  customer?: Customer;
  /**
   * Stage the save in this unit of work instead of writing it now: the caller commits it, together
   * with what other stores staged (the send claim saves the lead's Contact with it).
   */
  work?: UnitOfWork;
}

/**
 * Writes staged by several stores (each with its own conditions), committed as ONE all-or-nothing
 * transaction. A failed condition throws the error the stage named (VersionConflictError,
 * DuplicateSendError…); a duplicate explains a version conflict, so it is reported first.
 */
export interface UnitOfWork {
  commit(): Promise<void>;
}

/** A person's consent, suppression and frequency cap, keyed by normalized email (see model Contact). */
export interface ContactStore {
  get(normalizedEmail: string): Promise<Contact | undefined>;
  /**
   * Writes `contact` with version = expectedVersion + 1 if the stored version is still expectedVersion
   * (0: no contact stored yet), else VersionConflictError. With `work`, staged there for the caller to commit.
   */
  save(contact: Contact, expectedVersion: number, work?: UnitOfWork): Promise<Contact>;
  /** Deletes the contact (erasure); no error if there is none. */
  remove(normalizedEmail: string): Promise<void>;
  /** A unit of work over the same table, for a save that must go with other stores' writes. */
  begin(): UnitOfWork;
}

export interface LeadStore {
  get(leadId: string): Promise<Lead | undefined>;
  findByEmail(normalizedEmail: string): Promise<Lead | undefined>;
  /** Lead + email uniqueness + timeline, atomically. EmailTakenError if the email exists. */
  create(lead: Lead, timeline: TimelineEntry[]): Promise<void>;
  /**
   * Writes `lead` with version = expectedVersion + 1 if the stored version is still
   * expectedVersion (else VersionConflictError), its timeline entries, and the extras — all or nothing.
   */
  save(lead: Lead, expectedVersion: number, timeline: TimelineEntry[], extras?: SaveExtras): Promise<Lead>;
  appendTimeline(entries: TimelineEntry[]): Promise<void>;
  /** Oldest first. */
  timeline(leadId: string): Promise<TimelineEntry[]>;
  listByStage(stage: Stage, options: { limit: number; cursor?: string }): Promise<Page<Lead>>;
  listByOwner(repId: string | undefined, options: { limit: number; cursor?: string }): Promise<Page<Lead>>;
  isEventProcessed(eventId: string): Promise<boolean>;
  /** The domain events saved with a processed event and not yet marked published. */
  unpublishedEventsOf(eventId: string): Promise<DomainEvent[]>;
  markEventsPublished(eventId: string): Promise<void>;
  /** Marks a claimed ledger key as delivered (status sent, with the provider's message id). */
  markSent(leadId: string, ledgerKey: string, messageId: string): Promise<void>;
  /**
   * Gives back a claim whose email the mail service refused or throttled (so a retry may send it), with
   * timeline entries saying so and without the `withdrawn` ones (the claim's own "sent" entry), in one
   * write. A no-op when the entry is already marked sent.
   */
  releaseClaim(leadId: string, ledgerKey: string, timeline: TimelineEntry[], withdrawn?: TimelineEntry[]): Promise<void>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
}

export interface RepRoster {
  get(repId: string): Promise<Rep | undefined>;
  /** Writes the rep as it is, unconditionally (seeds and fixtures; use cases save with a version). */
  put(rep: Rep): Promise<void>;
  /** Active reps, ordered by repId (a stable order for round-robin); eligibility is the core's to check. */
  listActive(): Promise<Rep[]>;
  /** Atomically increments and returns the shared round-robin counter. */
  nextTurn(): Promise<number>;
}

/** The rep as an entity: its profile, its email's uniqueness, its timeline and its send ledger. */
export interface RepStore extends RepRoster {
  findByEmail(normalizedEmail: string): Promise<Rep | undefined>;
  /** Rep + email uniqueness + timeline, atomically. EmailTakenError if a rep has the email. */
  create(rep: Rep, timeline: SubjectTimelineEntry[]): Promise<void>;
  /**
   * Writes `rep` with version = expectedVersion + 1 if the stored version is still expectedVersion
   * (a rep written by a seed, with no version, counts as 0; else VersionConflictError), its timeline
   * entries and, if given, an exactly-once ledger claim (DuplicateSendError if claimed) — all or nothing.
   */
  save(rep: Rep, expectedVersion: number, timeline: SubjectTimelineEntry[], extras?: { ledgerKey?: string }): Promise<Rep>;
  /** Reps with a status, by repId. */
  list(status: RepStatus, options: { limit: number; cursor?: string }): Promise<Page<Rep>>;
  appendTimeline(repId: string, entries: SubjectTimelineEntry[]): Promise<void>;
  /** Oldest first. */
  timeline(repId: string): Promise<SubjectTimelineEntry[]>;
  markSent(repId: string, ledgerKey: string, messageId: string): Promise<void>;
  /** As LeadStore.releaseClaim. */
  releaseClaim(repId: string, ledgerKey: string, timeline: SubjectTimelineEntry[], withdrawn?: SubjectTimelineEntry[]): Promise<void>;
  ledger(repId: string): Promise<LedgerEntry[]>;
}

/** Customers to list (GET /customers): by health band and/or renewing before a date. */
export interface CustomerQuery {
  health?: 'at-risk' | 'watch' | 'healthy';
  /** YYYY-MM-DD: only active customers whose renewal date is before it, soonest first. */
  renewingBefore?: string;
  limit: number;
  cursor?: string;
}

/**
 * The customer as an entity: its profile (indexed by health band and by renewal date), its timeline
 * and its send ledger in its own partition, and the processed-event markers of the events it took.
 */
export interface CustomerStore {
  get(customerId: string): Promise<Customer | undefined>;
  /**
   * Writes `customer` with version = expectedVersion + 1 if the stored version is still expectedVersion
   * (a customer written before retention, with no version, counts as 0; a new one: expectedVersion -1 →
   * must not exist, else ConflictError), its timeline entries and, if given, an exactly-once ledger claim
   * (DuplicateSendError) and a processed-event marker (DuplicateEventError) — all or nothing, staged in
   * `work` when given.
   */
  save(customer: Customer, expectedVersion: number, timeline: SubjectTimelineEntry[], extras?: { ledgerKey?: string; processedEventId?: string; work?: UnitOfWork }): Promise<Customer>;
  appendTimeline(customerId: string, entries: SubjectTimelineEntry[]): Promise<void>;
  /** Oldest first. */
  timeline(customerId: string): Promise<SubjectTimelineEntry[]>;
  markSent(customerId: string, ledgerKey: string, messageId: string): Promise<void>;
  /** As LeadStore.releaseClaim. */
  releaseClaim(customerId: string, ledgerKey: string, timeline: SubjectTimelineEntry[], withdrawn?: SubjectTimelineEntry[]): Promise<void>;
  ledger(customerId: string): Promise<LedgerEntry[]>;
  list(query: CustomerQuery): Promise<Page<Customer>>;
  /** A unit of work to stage several stores' writes into (committed by the caller). */
  begin(): UnitOfWork;
}

/** A timeline for any subject (lead, rep, customer), in the subject's own partition. */
export interface TimelineStore {
  append(subject: SubjectRef, entries: SubjectTimelineEntry[]): Promise<void>;
  /** Oldest first. */
  list(subject: SubjectRef): Promise<SubjectTimelineEntry[]>;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** e.g. List-Unsubscribe, List-Unsubscribe-Post */
  headers?: Record<string, string>;
  /** Tags for the SES configuration set (e.g. leadId, template). */
  tags?: Record<string, string>;
}
export interface Mailer {
  /** Throws MailRejectedError (refused: nothing sent), MailThrottledError (not now: nothing sent), or anything else (outcome unknown). */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/**
 * The send rate of the whole system, kept under a configured ceiling (sends per second) in front of
 * the mail service's own limit: every send takes a slot of the second it goes in.
 */
export interface SendRateCeiling {
  /** Takes a slot of `now`'s second; false when that second's slots are gone (send nothing now). */
  tryAcquire(now: Date): Promise<boolean>;
  /**
   * True when this sender already knows `now`'s second is full (it took its last slot or was refused
   * one), answered without a call: a second's count never goes down. Absent: the sender never knows.
   */
  knownFull?(now: Date): boolean;
}

/**
 * `queued`: the run is in the run outbox (its subject's stored write asked for it) and StartRuns starts it
 * (core/run-outbox.ts); what every request and task gets, so none of them waits on StartExecution.
 */
export type StartOutcome = 'started' | 'already-exists' | 'queued';
export interface WorkflowStarter {
  /** Starts the LeadFunnel execution named executionName(leadId, run); a second start is a no-op. */
  start(input: FunnelInput): Promise<StartOutcome>;
  /** Stops the execution of that run if it is still running; no error if it is not. */
  stop(leadId: string, run: number, reason: string): Promise<void>;
  /** The programme version a run started now records (the starter adds it to the input), when known. */
  programmeVersion?(workflow: WorkflowName): number | undefined;
}

/** What each workflow's execution receives. */
export interface WorkflowInputs {
  LeadFunnel: FunnelInput;
  RepOnboarding: OnboardingInput;
  CustomerRetention: RetentionInput;
}

/**
 * Starts and stops runs of any registered workflow by name: the execution of (subject, run) is named
 * `<subjectId>-r<run>`, so a second start is a no-op and a stop needs no lookup.
 */
export interface WorkflowRuns {
  startRun<W extends WorkflowName>(workflow: W, subjectId: string, input: WorkflowInputs[W]): Promise<StartOutcome>;
  stopRun(workflow: WorkflowName, subjectId: string, run: number, reason: string): Promise<void>;
  /** The programme version a run started now records (the starter adds it to the input), when known. */
  programmeVersion?(workflow: WorkflowName): number | undefined;
}

export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<void>;
}

export interface IdGenerator {
  /** Sortable, unguessable ids (time prefix + randomness). */
  next(prefix?: string): string;
}

/** Everything held in a lead's partition and the items that point to it (privacy export and erasure). */
export interface LeadRecords {
  lead: Lead;
  timeline: TimelineEntry[];
  ledger: LedgerEntry[];
  customer?: Customer;
  /** The customer's own timeline and send ledger (its partition, `CUSTOMER#<id>`); empty when not a customer. */
  customerTimeline: SubjectTimelineEntry[];
  customerLedger: LedgerEntry[];
  /** Ids of the processed events on the lead's timeline whose markers still hold pending domain events. */
  pendingEvents: Array<{ eventId: string; events: DomainEvent[] }>;
}

/** What the erasure writes in its one final transaction (see PrivacyStore.eraseLead). */
export interface LeadErasure {
  lead: Lead;
  tombstone: ErasureTombstone;
  /** The customer item to delete with the profile, if any. */
  customerId?: string;
}

/**
 * Table access for the privacy use cases (core/privacy): GDPR export, erasure, the suppression list
 * of erased addresses, and the closed-lead index the retention job reads.
 */
export interface PrivacyStore {
  /** The lead and everything held with it, or undefined if there is no such lead. */
  records(leadId: string): Promise<LeadRecords | undefined>;
  leadIdByEmail(normalizedEmail: string): Promise<string | undefined>;
  tombstone(leadId: string): Promise<ErasureTombstone | undefined>;
  /** Reps (any status) whose email is this one. */
  repsByEmail(normalizedEmail: string): Promise<Rep[]>;
  /** The rep's timeline, oldest first (exported with the rep). */
  repTimeline(repId: string): Promise<SubjectTimelineEntry[]>;
  /** Replaces the rep's name and email with nothing personal and makes it inactive. */
  anonymizeRep(repId: string): Promise<void>;
  /** Drops the pending domain events kept with a processed-event marker (the marker itself stays until its TTL). */
  dropPendingEvents(eventId: string): Promise<void>;
  /**
   * Deletes the profile (if still at its version, else VersionConflictError), its email index item
   * (if it still points to this lead) and the customer, and writes the tombstone — all or nothing.
   */
  eraseLead(erasure: LeadErasure): Promise<void>;
  /** Deletes every item of the lead's partition except the tombstone; answers how many of each kind. */
  sweepPartition(leadId: string): Promise<Pick<ErasureCounts, 'timeline' | 'ledger'>>;
  /**
   * Deletes every item of the customer's partition (timeline, ledger, and a profile written back after
   * the erasure's transaction); answers how many of each kind (anything else counts with the timeline).
   */
  sweepCustomerPartition(customerId: string): Promise<Pick<ErasureCounts, 'customer' | 'customerTimeline' | 'customerLedger'>>;
  /** Records the salted email hash; false if it was recorded already. */
  recordSuppression(hash: string, at: string, reason: ErasureReason): Promise<boolean>;
  /** Was this salted email hash (core/privacy suppressionHash) erased and suppressed? */
  isSuppressedHash(hash: string): Promise<boolean>;
  /** Closed leads (lost, disqualified, dormant) whose last update is before `before`, oldest first. */
  closedBefore(before: string, options: { limit: number; cursor?: string }): Promise<Page<{ leadId: string; updatedAt: string }>>;
}
