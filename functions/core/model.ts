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
  /**
   * When the confirmation link was emailed. Until then the request is in the confirmation outbox: the write
   * that stored it is on the table's stream, and SendConfirmations mails it (functions/tasks/send-confirmations.ts).
   */
  mailedAt?: string;
}

/** Why a person gets no marketing or nurture email: unsubscribed, bounced, complained, by hand, or erased. */
export interface Suppression {
  at: string;
  reason: 'unsubscribed' | 'bounced' | 'complained' | 'manual' | 'erased';
}

/**
 * A person, keyed by normalized email: what they agreed to and what they were sent, shared by every
 * workflow and recipient kind (a lead, the customer it becomes, a rep), so one person has one
 * unsubscribe and one marketing frequency cap.
 */
export interface Contact {
  /** Normalized email: the contact's identity. */
  email: string;
  consent: Consent;
  /** An anonymous opt-in not yet confirmed (double opt-in); consent.given stays false until then. */
  consentRequest?: ConsentRequest;
  /** No marketing or nurture email, to this person as any kind of recipient. */
  suppressed?: Suppression;
  /** Times (ISO) of recent marketing sends by any workflow, newest last; feeds the frequency cap. */
  recentMarketingSends?: string[];
  createdAt: string;
  updatedAt: string;
  /** Optimistic-locking counter; 0 on a contact not stored yet (read from a lead written before contacts). */
  version: number;
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
  /**
   * The highest run StartRuns confirmed started. While it is behind `run` (and the lead should be
   * nurtured) the lead is in the run outbox, and StartRuns starts its current run (core/run-outbox.ts).
   */
  startedRun?: number;
  ownerId?: string;
  /** Reps who missed the contact SLA for this lead (not picked again while others are free). */
  missedBy?: string[];
  slaMisses?: number;
  assignedAt?: string;
  contactedAt?: string;
  queuedForRepAt?: string;
  /**
   * Legacy: consent, its pending request, suppression and the cap's recent sends belong to the lead's
   * Contact (core/contact.ts). A lead written before contacts existed still carries them, and they are
   * read as its Contact until the first write creates that (see `contactOf`).
   */
  consent: Consent;
  consentRequest?: ConsentRequest;
  suppressed?: Suppression;
  recentMarketingSends?: string[];
  customerId?: string;
  /** The customer whose referral link brought this lead (source `referral`). */
  referredBy?: string;
  closedReason?: string;
  /** The last web-form submission: a identical one soon after is a retry or double click, not engagement. */
  lastSubmission?: { fingerprint: string; at: string };
  /** When a form submission last scored: a lead scores for forms at most once a day. */
  formScoredAt?: string;
  /**
   * The lead's stays in stages, oldest first (core/stage-history.ts): a stay starts when the lead enters a
   * stage (or is re-opened in it) and ends when it moves on or closes. Absent on a lead no stage change or
   * close has touched yet: it has been in its stage since createdAt.
   */
  stageHistory?: StageStay[];
  /** Milliseconds spent in each stage over every ended stay: the total survives leaving and coming back. */
  timeInStage?: Partial<Record<Stage, number>>;
  /**
   * Present while the submission that created the lead is not yet taken in (the submission outbox,
   * core/capture.ts completeIntake): the request stored the lead and answered; consent, the person's
   * Contact, erasure and referral checks and the captured timeline follow, before the lead's run starts.
   */
  intake?: LeadIntake;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-locking counter, incremented on every write of the profile. */
  version: number;
}

/** What a new lead's submission said that its intake still has to apply (see Lead.intake). */
export interface LeadIntake {
  /** When the request was stored: the captured entries carry this time. */
  receivedAt: string;
  trusted: boolean;
  doubleOptIn: boolean;
  consent?: boolean;
  consentTextVersion: string;
  formId?: string;
  ip?: string;
  /** A verified referral code's customer (still to be checked: exists, not the person themselves). */
  referredBy?: string;
}

/** One stay of a lead in a stage: when it entered, and when it left (absent while it is still there). */
export interface StageStay {
  stage: Stage;
  enteredAt: string;
  leftAt?: string;
}

export type TimelineEntryType =
  | 'lead_captured'
  | 'referred'
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
  | 'rep_unavailable'
  | 'sla_missed'
  | 'unsubscribed'
  | 'split_arm'
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
  'email_replied',
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
  'subscription_renewed',
  'subscription_cancelled',
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

/**
 * onboarding: on a learning path, not yet certified (receives no leads). active: certified (and, to
 * receive leads, its certification unexpired). inactive: left or paused by a manager. lapsed: its
 * certification expired without recertification (receives no leads until recertified).
 */
export const REP_STATUSES = ['onboarding', 'active', 'inactive', 'lapsed'] as const;
export type RepStatus = (typeof REP_STATUSES)[number];
export const REP_ROLES = ['sdr', 'ae', 'csm'] as const;
export type RepRole = (typeof REP_ROLES)[number];

/** open: to do (attempts may remain); passed; locked: every quiz attempt failed, a manager must reset it. */
export type ModuleStatus = 'open' | 'passed' | 'locked';

/** A rep's progress on one module of their current learning path. */
export interface ModuleProgress {
  moduleId: string;
  status: ModuleStatus;
  /** Due date (ISO instant): the path's dueDays after the start date, end of that day in the rep's time zone. */
  dueAt: string;
  attempts: number;
  /** Every attemptId recorded (a repeated one changes nothing). */
  attemptIds: string[];
  bestScore?: number;
  passedAt?: string;
  /** The "due soon" reminder for this module went out in a digest. */
  remindedBeforeAt?: string;
  /** How often a manager reset it after a lock (each reset gives fresh attempts). */
  resets?: number;
  /** When a digest first reported it overdue (RepModuleOverdue is published then). */
  overdueAt?: string;
}

export interface Certification {
  certifiedAt: string;
  expiresAt: string;
  /** 1 for the first certification, +1 per recertification. */
  cycle: number;
}

export interface SignOff {
  decision: 'approve' | 'reject';
  by: string;
  at: string;
  notes?: string;
  reopened?: string[];
}

/**
 * Where a rep's current run stands on its learning path: `onboarding` (first certification),
 * `recertification` (a new cycle before the certification expires), or `none` (certified, waiting
 * for the next cycle, or inactive).
 */
export type LearningTrack = 'onboarding' | 'recertification' | 'none';

export interface Rep {
  repId: string;
  /** Display name ("First Last"); what the funnel's team emails call the rep. */
  name: string;
  /** Normalized email: a rep's identity, like a lead's. */
  email: string;
  status: RepStatus;
  createdAt: string;
  firstName?: string;
  lastName?: string;
  role?: RepRole;
  managerEmail?: string;
  /** YYYY-MM-DD, in the rep's time zone: due dates count from it. */
  startDate?: string;
  /** IANA time zone (Europe/Berlin); reminders go out inside business hours there. */
  timeZone?: string;
  track?: LearningTrack;
  /** Progress on the modules of the current track's path. */
  modules?: ModuleProgress[];
  certification?: Certification;
  /** The last manager decision (approve or reject). */
  signOff?: SignOff;
  signOffRequestedAt?: string;
  /** The welcome emails of the onboarding track went out. */
  welcomedAt?: string;
  /** First lead assigned / first deal won, for ramp time. */
  ramp?: { firstLeadAt?: string; firstWonAt?: string };
  /** Overdue digests sent since the last progress (the escalation comes after a set number of them). */
  overdueReminders?: number;
  /** The rep-local day (YYYY-MM-DD) of the last reminder digest: at most one a day. */
  lastReminderOn?: string;
  escalatedAt?: string;
  /** Certification reminders sent this cycle (days before expiry: 30, 7). */
  certRemindersSent?: number[];
  /** The RepOnboarding run (execution `<repId>-r<run>`); tasks of an older run are superseded. */
  run?: number;
  /** The highest run StartRuns confirmed started (behind `run` → in the run outbox; core/run-outbox.ts). */
  startedRun?: number;
  /** The onboarding programme version the current run started on. */
  programmeVersion?: number;
  updatedAt?: string;
  /** Optimistic-locking counter (absent on a rep written by a seed). */
  version?: number;
}

/** One line of a rep's timeline (kept in the rep's own partition). */
export type RepTimelineEntryType =
  | 'rep_registered'
  | 'module_attempted'
  | 'module_passed'
  | 'module_failed'
  | 'module_locked'
  | 'module_reset'
  | 'module_overdue'
  | 'signoff_requested'
  | 'signoff_given'
  | 'signoff_rejected'
  | 'certified'
  | 'recertification_started'
  | 'certification_lapsed'
  | 'status_changed'
  | 'leads_reassigned'
  | 'first_lead_assigned'
  | 'first_deal_won'
  | 'email_sent'
  | 'email_skipped'
  | 'email_deferred'
  | 'email_failed'
  | 'workflow_started'
  | 'workflow_failed';

/** A timeline entry of any subject (lead, rep, customer), as the generic timeline stores it. */
export interface SubjectTimelineEntry {
  entryId: string;
  at: string;
  type: string;
  summary: string;
  data?: Record<string, unknown>;
}
export type SubjectKind = 'lead' | 'rep' | 'customer';
export interface SubjectRef {
  kind: SubjectKind;
  id: string;
}

/** active: in a contract term; cancelled: the subscription ended (win-back runs; a purchase reactivates). */
export type CustomerStatus = 'active' | 'cancelled';

/** One contract term: one CustomerRetention run (a new execution per term, so none meets the one-year limit). */
export interface CustomerTerm {
  /** 1 for the first term, +1 per renewal. */
  number: number;
  /** YYYY-MM-DD: check-ins count from it. */
  startDate: string;
  /** YYYY-MM-DD: startDate + termMonths; renewal reminders count back from it. */
  renewalDate: string;
  termMonths: number;
}

/** A customer's health as last computed (core/health.ts): 0–100, higher is healthier. */
export interface CustomerHealth {
  score: number;
  band: 'healthy' | 'watch' | 'at-risk';
  at: string;
  reasons: string[];
}

/** One NPS answer (core/nps.ts). */
export interface CustomerNps {
  score: number;
  at: string;
  comment?: string;
  surveyId?: string;
  source: 'link' | 'api' | 'event';
}

/**
 * A customer: the person behind a won lead (or one won outside the funnel, POST /customers, who gets a
 * lead record too, so one erasure and one Contact cover them), on a cycle of contract terms. Its
 * timeline and send ledger live in its own partition (`CUSTOMER#<id>`). Fields other than the first
 * five are absent on a customer written before retention existed.
 */
export interface Customer {
  customerId: string;
  leadId: string;
  email: string;
  company?: string;
  since: string;
  firstName?: string;
  lastName?: string;
  status?: CustomerStatus;
  /** The rep (or CSM) who owns the relationship. */
  ownerId?: string;
  plan?: string;
  amount?: number;
  currency?: string;
  term?: CustomerTerm;
  cancelledAt?: string;
  cancelReason?: string;
  /** The CustomerRetention run (execution `<customerId>-r<run>`); tasks of an older run are superseded. */
  run?: number;
  /** The highest run StartRuns confirmed started (behind `run` → in the run outbox). */
  startedRun?: number;
  programmeVersion?: number;
  health?: CustomerHealth;
  /** The health model's inputs (core/health.ts HealthSignals), kept small on the record. */
  signals?: Record<string, unknown>;
  /** NPS answers, newest last (bounded). */
  nps?: CustomerNps[];
  /** When the last survey went out: at most one per 90 days, counted from the send. */
  lastSurveyAt?: string;
  /** A detractor gets no further survey until then. */
  surveyQuietUntil?: string;
  /** Follow-up tasks for the owner (a detractor's call), open until done. */
  tasks?: Array<{ taskId: string; kind: string; at: string; due: string; summary: string }>;
  /** The customer whose referral link brought this one's lead. */
  referredBy?: string;
  /** Leads this customer referred, and when each converted. */
  referrals?: Array<{ leadId: string; at: string; convertedAt?: string }>;
  /** Where the retention programme stands (core/retention.ts RetentionState). */
  retention?: {
    done?: string[];
    notBefore?: Record<string, string>;
    followUps?: Array<{ key: string; kind: 'detractor' | 'passive' | 'promoter' | 'at-risk' | 'referral-converted' | 'win-back-reply'; at: string; data?: Record<string, unknown> }>;
    runStartedAt?: string;
    noUsageAlertedFor?: string;
    cancellations?: number;
    /** When the at-risk playbook last ran (a score wavering around the threshold runs it once a cooldown). */
    atRiskPlaybookAt?: string;
    /** When the customer was last offered help (the no-usage check-in or the playbook's): not twice in a stretch. */
    helpOfferedAt?: string;
  };
  createdAt?: string;
  updatedAt?: string;
  /** Optimistic-locking counter (absent on a customer written before retention: 0). */
  version?: number;
}

export type DomainEventType =
  | 'LeadStageChanged'
  | 'LeadAssigned'
  | 'LeadConverted'
  | 'LeadClosed'
  | 'RepOnboardingStarted'
  | 'RepModuleOverdue'
  | 'RepCertified'
  | 'RepCertificationLapsed'
  | 'CustomerOnboarded'
  | 'CustomerAtRisk'
  | 'CustomerHealthChanged'
  | 'RenewalDue'
  | 'CustomerRenewed'
  | 'CustomerChurned'
  | 'ReferralReceived';
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
  /** The programme version the run started on (the starter adds it). */
  version?: number;
}
export const executionName = (leadId: string, run: number) => `${leadId}-r${run}`;

/** Every workflow the starter can start, by its state machine's logical id. */
export const WORKFLOWS = ['LeadFunnel', 'RepOnboarding', 'CustomerRetention'] as const;
export type WorkflowName = (typeof WORKFLOWS)[number];

/** What a RepOnboarding execution receives. Its name is `${repId}-r${run}`. */
export interface OnboardingInput {
  repId: string;
  run: number;
  /** The programme version the run started on (the starter adds it). */
  version?: number;
}

/** What a CustomerRetention execution receives. Its name is `${customerId}-r${run}`. */
export interface RetentionInput {
  customerId: string;
  run: number;
  /** The programme version the run started on (the starter adds it). */
  version?: number;
}

/** What an erasure removed, per kind of item (see core/privacy). */
export interface ErasureCounts {
  profile: number;
  emailIndex: number;
  timeline: number;
  ledger: number;
  customer: number;
  /** Items of the customer's own partition: its timeline (and anything else but profile and ledger), its send ledger. */
  customerTimeline: number;
  customerLedger: number;
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
