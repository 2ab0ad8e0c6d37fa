/** The domain's vocabulary. No AWS or HTTP types here. */

export const STAGES = ['awareness', 'interest', 'consideration', 'decision', 'purchase'] as const;
export type Stage = (typeof STAGES)[number];

export const stageIndex = (stage: Stage): number => STAGES.indexOf(stage);

/**
 * active: in a stage programme. recycled: ran out of its programme, in slow long-term nurture.
 * won / lost / disqualified / dormant: closed (won only at stage purchase).
 */
export type LeadStatus = 'active' | 'recycled' | 'won' | 'lost' | 'disqualified' | 'dormant';

export interface Consent {
  /** Marketing opt-in in effect now: only this lets promotional email go out under opt-in. */
  given: boolean;
  textVersion: string;
  /** When the current state took effect (given, confirmed, withdrawn or recorded as not given). */
  at: string;
  sourceForm: string;
  ip?: string;
  /**
   * How it was given: `double-opt-in` (a form, then the confirmation link), `form` (single opt-in,
   * only when double opt-in is switched off) or `integration` (an API-key caller that collected it).
   */
  method?: 'double-opt-in' | 'form' | 'integration';
  /** Double opt-in: the two steps, each with its time (and the form step's IP in `ip`). */
  requestedAt?: string;
  /** The request the confirmation answered, and the IP the confirming click came from. */
  requestId?: string;
  confirmedAt?: string;
  confirmedIp?: string;
  withdrawnAt?: string;
}

/** A marketing opt-in given on a public form, waiting for the person to confirm it by the emailed link. */
export interface ConsentRequest {
  requestId: string;
  textVersion: string;
  at: string;
  sourceForm: string;
  ip?: string;
}

export interface LeadProfileFields {
  firstName?: string;
  lastName?: string;
  company?: string;
  jobTitle?: string;
  phone?: string;
  message?: string;
  source?: string;
  utm_source?: string;
  utm_medium?: string;
  utm_campaign?: string;
}

export interface Lead extends LeadProfileFields {
  leadId: string;
  /** Normalized (trimmed, lower-cased) email: the lead's identity. */
  email: string;
  stage: Stage;
  status: LeadStatus;
  score: number;
  /**
   * The funnel run this lead is on. Each (re)start of its LeadFunnel execution gets a new run,
   * and the execution's name is derived from leadId + run; tasks of an older run are superseded.
   */
  run: number;
  ownerId?: string;
  /** Reps who missed the contact SLA for this lead (not picked again while others are free). */
  missedBy?: string[];
  slaMisses?: number;
  assignedAt?: string;
  contactedAt?: string;
  queuedForRepAt?: string;
  consent: Consent;
  /** An anonymous opt-in not yet confirmed (double opt-in); consent.given stays false until then. */
  consentRequest?: ConsentRequest;
  /** Unsubscribed via link, or suppressed (bounce/complaint): no marketing or nurture email. */
  suppressed?: { at: string; reason: 'unsubscribed' | 'bounced' | 'complained' | 'manual' | 'erased' };
  /** Times (ISO) of recent marketing sends, newest last; feeds the frequency cap. */
  recentMarketingSends?: string[];
  customerId?: string;
  closedReason?: string;
  /** The last web-form submission: a identical one soon after is a retry or double click, not engagement. */
  lastSubmission?: { fingerprint: string; at: string };
  /** When a form submission last scored: a lead scores for forms at most once a day. */
  formScoredAt?: string;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-locking counter, incremented on every write of the profile. */
  version: number;
}

export type TimelineEntryType =
  | 'lead_captured'
  | 'form_submitted'
  | 'event'
  | 'score_changed'
  | 'stage_changed'
  | 'status_changed'
  | 'consent_recorded'
  | 'consent_requested'
  | 'consent_confirmed'
  | 'consent_withdrawn'
  | 'profile_change_submitted'
  | 'email_sent'
  | 'email_skipped'
  | 'email_deferred'
  | 'email_failed'
  | 'rep_assigned'
  | 'rep_queue'
  | 'sla_missed'
  | 'unsubscribed'
  | 'workflow_started'
  | 'workflow_failed';

export interface TimelineEntry {
  leadId: string;
  entryId: string;
  at: string;
  type: TimelineEntryType;
  /** One line a person can read. */
  summary: string;
  data?: Record<string, unknown>;
}

export const EVENT_TYPES = [
  'email_opened',
  'email_clicked',
  'page_viewed',
  'form_submitted',
  'content_downloaded',
  'demo_requested',
  'meeting_booked',
  'rep_contacted',
  'purchased',
  'disqualified',
  'lost',
  'nps_submitted',
  'product_used',
  'support_ticket',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EngagementEvent {
  eventId: string;
  type: EventType;
  leadId?: string;
  email?: string;
  customerId?: string;
  occurredAt: string;
  properties?: Record<string, unknown>;
}

export type RepStatus = 'active' | 'onboarding' | 'inactive';
export interface Rep {
  repId: string;
  name: string;
  email: string;
  status: RepStatus;
  createdAt: string;
}

export interface Customer {
  customerId: string;
  leadId: string;
  email: string;
  company?: string;
  since: string;
}

export type DomainEventType = 'LeadStageChanged' | 'LeadAssigned' | 'LeadConverted' | 'LeadClosed';
export interface DomainEvent {
  type: DomainEventType;
  /** Deterministic id so consumers can drop duplicates (publishing is at-least-once). */
  id: string;
  at: string;
  detail: Record<string, unknown>;
}

/** What the LeadFunnel execution receives. Its name is `${leadId}-r${run}`. */
export interface FunnelInput {
  leadId: string;
  run: number;
  stage: Stage;
}
export const executionName = (leadId: string, run: number) => `${leadId}-r${run}`;

/** What an erasure removed, per kind of item (see core/privacy). */
export interface ErasureCounts {
  profile: number;
  emailIndex: number;
  timeline: number;
  ledger: number;
  customer: number;
  /** Processed-event markers whose pending domain events were dropped. */
  pendingEvents: number;
  /** Rep profiles with the person's email that were anonymized. */
  reps: number;
}

/** Why a person's data was erased: a data subject's request (Art. 17) or the retention period of closed leads. */
export type ErasureReason = 'request' | 'retention';

/** Left under an erased lead's id: no personal data, only that (and when, and why) it was erased. */
export interface ErasureTombstone {
  leadId: string;
  erasedAt: string;
  reason: ErasureReason;
}

/** A send-ledger entry as stored (exactly-once claims of a lead's emails). */
export interface LedgerEntry {
  ledgerKey: string;
  status: string;
  claimedAt?: string;
  sentAt?: string;
  messageId?: string;
}
