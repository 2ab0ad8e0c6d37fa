/**
 * Every key of the single table is built here and nowhere else (no inline 'LEAD#' + id).
 * Each entity names the attributes its keys are made of; adapters spread these into items.
 */
import type { Customer, Lead, LeadStatus, Rep, Stage, SubjectKind, WorkflowName } from '../core/model.js';
import { runPending } from '../core/run-outbox.js';
import type { Aggregate } from '../core/reports/aggregates.js';

const SUBJECT_PREFIX: Record<SubjectKind, string> = { lead: 'LEAD#', rep: 'REP#', customer: 'CUSTOMER#' };

const UNASSIGNED = 'UNASSIGNED';
const CLOSED = 'CLOSED';
const RUN_PENDING = 'RUNPENDING#';
/** gsi4's partition of new leads whose submission awaits its intake (under RUN_PENDING: the same stream filter). */
const LEAD_INTAKE = 'RUNPENDING#LeadFunnel/intake';
const RENEWALS = 'RENEWALS';
const REPORT = 'REPORT#';
const REPORT_STATE = 'REPORTSTATE#';
const REPORT_SEEN = 'REPORTSEEN#';

/**
 * gsi4 (sparse): present only while the subject waits for its current run to start (core/run-outbox.ts),
 * sorted by when that run was asked for; `undefined` otherwise, so the Put leaves them out.
 */
const pendingRun = (workflow: WorkflowName, subjectId: string, pending: boolean, requestedAt: string) =>
  pending ? { gsi4pk: `${RUN_PENDING}${workflow}`, gsi4sk: `${requestedAt}#${subjectId}` } : { gsi4pk: undefined, gsi4sk: undefined };
/** The statuses the retention job erases after the retention period (won leads are customers). */
const CLOSED_STATUSES: readonly LeadStatus[] = ['lost', 'disqualified', 'dormant'];

export const keys = {
  lead: (leadId: string) => ({ pk: `LEAD#${leadId}`, sk: 'PROFILE' }),
  /**
   * GSI attributes of a lead profile: by stage (gsi1), by owner (gsi2), and — only while the lead is
   * closed (lost, disqualified, dormant) — by last activity on the sparse gsi3, which the retention job
   * reads. For an open lead gsi3's attributes are `undefined`, which the document client
   * (removeUndefinedValues) leaves out of the Put, so re-opening a lead takes it out of the index.
   */
  leadIndexes: (lead: Pick<Lead, 'leadId' | 'stage' | 'ownerId' | 'createdAt' | 'status' | 'updatedAt' | 'run' | 'startedRun' | 'intake'>) => ({
    gsi1pk: `STAGE#${lead.stage}`,
    gsi1sk: `${lead.createdAt}#${lead.leadId}`,
    gsi2pk: `OWNER#${lead.ownerId ?? UNASSIGNED}`,
    gsi2sk: `${lead.createdAt}#${lead.leadId}`,
    ...(lead.status && CLOSED_STATUSES.includes(lead.status)
      ? { gsi3pk: CLOSED, gsi3sk: `${lead.updatedAt ?? lead.createdAt}#${lead.leadId}` }
      : { gsi3pk: undefined, gsi3sk: undefined }),
    ...(lead.intake
      ? { gsi4pk: LEAD_INTAKE, gsi4sk: `${lead.intake.receivedAt}#${lead.leadId}` }
      : pendingRun('LeadFunnel', lead.leadId, runPending('LeadFunnel', lead as Lead), lead.updatedAt ?? lead.createdAt)),
  }),
  /** Every index attribute a lead profile may carry: readers strip them so they never ride back on a save. */
  leadIndexAttributes: ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk'] as const,
  /** gsi4's partition of one workflow: subjects whose current run is not yet known started. */
  pendingRunPartition: (workflow: WorkflowName) => `${RUN_PENDING}${workflow}`,
  /** gsi4's partition of new leads waiting for their intake (the submission outbox, core/capture.ts completeIntake). */
  leadIntakePartition: () => LEAD_INTAKE,
  /** The workflow a pending-run partition belongs to (undefined for anything else). */
  workflowOfPendingPartition: (partition: unknown) => (typeof partition === 'string' && partition.startsWith(RUN_PENDING) ? partition.slice(RUN_PENDING.length) : undefined),
  /** gsi3's one partition: closed leads, sorted by `<updatedAt>#<leadId>` (oldest activity first). */
  closedPartition: () => CLOSED,
  stagePartition: (stage: Stage) => `STAGE#${stage}`,
  ownerPartition: (repId: string | undefined) => `OWNER#${repId ?? UNASSIGNED}`,

  /** Uniqueness of a lead's normalized email; holds the leadId. */
  leadEmail: (normalizedEmail: string) => ({ pk: `EMAIL#${normalizedEmail}`, sk: 'LEAD' }),

  /** One timeline entry; sorts by time within the lead's partition. */
  timelineEntry: (leadId: string, at: string, entryId: string) => ({ pk: `LEAD#${leadId}`, sk: `TL#${at}#${entryId}` }),
  timelinePrefix: 'TL#',

  /** Exactly-once send ledger: one item per lead and ledger key (see core/send ledgerKey). */
  sendLedger: (leadId: string, ledgerKey: string) => ({ pk: `LEAD#${leadId}`, sk: `SEND#${ledgerKey}` }),

  /** A processed engagement/business event (dedupe of eventId). */
  processedEvent: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' }),

  rep: (repId: string) => ({ pk: `REP#${repId}`, sk: 'PROFILE' }),
  repIndexes: (rep: Pick<Rep, 'repId' | 'status' | 'run' | 'startedRun' | 'updatedAt' | 'createdAt'>) => ({
    gsi1pk: `REPS#${rep.status}`,
    gsi1sk: rep.repId,
    ...pendingRun('RepOnboarding', rep.repId, runPending('RepOnboarding', rep as Rep), rep.updatedAt ?? rep.createdAt),
  }),
  repStatusPartition: (status: string) => `REPS#${status}`,
  /** Uniqueness of a rep's normalized email; holds the repId. */
  repEmail: (normalizedEmail: string) => ({ pk: `REPEMAIL#${normalizedEmail}`, sk: 'REP' }),

  /** The partition of any subject with a timeline and a send ledger (a lead's is `LEAD#<id>`). */
  subjectPartition: (kind: SubjectKind, id: string) => `${SUBJECT_PREFIX[kind]}${id}`,
  /** One timeline entry of any subject, sorted by time in its partition (a lead's = keys.timelineEntry). */
  subjectTimelineEntry: (kind: SubjectKind, id: string, at: string, entryId: string) => ({ pk: `${SUBJECT_PREFIX[kind]}${id}`, sk: `TL#${at}#${entryId}` }),
  /** The exactly-once ledger of any subject: one item per (subject, workflow step) key. */
  subjectSendLedger: (kind: SubjectKind, id: string, ledgerKey: string) => ({ pk: `${SUBJECT_PREFIX[kind]}${id}`, sk: `SEND#${ledgerKey}` }),
  /** Round-robin cursor shared by all assignments (atomic counter). */
  rosterCursor: () => ({ pk: 'ROSTER', sk: 'CURSOR' }),
  /** The sends of one second (epoch seconds) against the system's send-rate ceiling (atomic counter, expires). */
  sendRateSecond: (epochSecond: number) => ({ pk: `SENDRATE#${epochSecond}`, sk: 'SENDRATE' }),

  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  /**
   * GSI attributes of a customer profile: by health band (gsi1, `CUSTOMERS#<band>`, by customerId), by
   * renewal date while active (gsi2, `RENEWALS`, `<renewalDate>#<customerId>`: the renewals due soonest
   * first), and gsi4 while its current retention run waits to start (the run outbox).
   */
  customerIndexes: (customer: Customer) => ({
    gsi1pk: `CUSTOMERS#${customer.health?.band ?? 'unscored'}`,
    gsi1sk: customer.customerId,
    ...(customer.status !== 'cancelled' && customer.term
      ? { gsi2pk: RENEWALS, gsi2sk: `${customer.term.renewalDate}#${customer.customerId}` }
      : { gsi2pk: undefined, gsi2sk: undefined }),
    ...pendingRun('CustomerRetention', customer.customerId, runPending('CustomerRetention', customer), customer.updatedAt ?? customer.since),
  }),
  customerHealthPartition: (band: string) => `CUSTOMERS#${band}`,
  renewalsPartition: () => RENEWALS,

  /** A person (consent, suppression, frequency cap), by normalized email, whatever kinds of recipient they are. */
  contact: (normalizedEmail: string) => ({ pk: `CONTACT#${normalizedEmail}`, sk: 'CONTACT' }),

  /**
   * An erased person: the salted hash of their normalized email (see core/privacy suppressionHash),
   * kept forever so the address is never mailed again. Nothing else about them is kept.
   */
  suppression: (hash: string) => ({ pk: `SUPPRESSED#${hash}`, sk: 'SUPPRESSION' }),
  /** Left in an erased lead's partition (no personal data) so a repeated erasure can say "already erased". */
  erasureTombstone: (leadId: string) => ({ pk: `LEAD#${leadId}`, sk: 'ERASED' }),
  /** Prefix of send-ledger entries in a lead's partition. */
  sendLedgerPrefix: 'SEND#',

  /**
   * Report aggregates (core/reports/aggregates.ts): counters kept by the report projection. Funnel and cohort
   * items sit in one partition per filter combination, sorted by day or week, so a report reads one range.
   */
  reportAggregate: (a: Aggregate) => {
    switch (a.kind) {
      case 'funnel-day': return { pk: `${REPORT}FUNNEL#${a.dims}`, sk: `DAY#${a.day}` };
      case 'funnel-now': return { pk: `${REPORT}FUNNEL#${a.dims}`, sk: 'NOW' };
      case 'cohort': return { pk: `${REPORT}COHORT#${a.dims}`, sk: `WEEK#${a.week}` };
      case 'activity-day': return { pk: `${REPORT}ACTIVITY`, sk: `DAY#${a.day}` };
      case 'onboarding': return { pk: `${REPORT}ONBOARDING`, sk: 'TOTALS' };
      case 'open-modules': return { pk: `${REPORT}ONBOARDING`, sk: 'OPEN_MODULES' };
      case 'retention': return { pk: `${REPORT}RETENTION`, sk: 'TOTALS' };
      case 'nps-month': return { pk: `${REPORT}RETENTION`, sk: `NPS#${a.month}` };
      case 'customer-cohort': return { pk: `${REPORT}RETENTION`, sk: `COHORT#${a.month}` };
    }
  },
  /** The sort-key prefixes of ranged aggregates within their partition. */
  reportDayPrefix: 'DAY#',
  reportWeekPrefix: 'WEEK#',
  reportNpsPrefix: 'NPS#',
  reportCohortPrefix: 'COHORT#',
  /** A certification in the expiring-soon index, sorted by expiry. */
  reportCertExpiry: (expiresAt: string, repId: string) => ({ pk: `${REPORT}CERT_EXPIRY`, sk: `${expiresAt}#${repId}` }),
  reportCertExpiryPartition: () => `${REPORT}CERT_EXPIRY`,
  /** What the projection last saw of a subject (its report state), and a lead's split arms beside it. */
  reportState: (kind: SubjectKind, id: string) => ({ pk: `${REPORT_STATE}${kind}#${id}`, sk: 'STATE' }),
  reportArm: (leadId: string, splitId: string) => ({ pk: `${REPORT_STATE}lead#${leadId}`, sk: `ARM#${splitId}` }),
  reportStatePartition: (kind: SubjectKind, id: string) => `${REPORT_STATE}${kind}#${id}`,
  reportArmPrefix: 'ARM#',
  /** A stream record already counted (a timeline entry's marker), by the record's item key. */
  reportSeen: (recordId: string) => ({ pk: `${REPORT_SEEN}${recordId}`, sk: 'SEEN' }),
} as const;
