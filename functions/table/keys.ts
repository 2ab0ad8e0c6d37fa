/**
 * Every key of the single table is built here and nowhere else (no inline 'LEAD#' + id).
 * Each entity names the attributes its keys are made of; adapters spread these into items.
 */
import type { Stage } from '../core/model.js';

const UNASSIGNED = 'UNASSIGNED';

export const keys = {
  lead: (leadId: string) => ({ pk: `LEAD#${leadId}`, sk: 'PROFILE' }),
  /** GSI attributes of a lead profile: by stage (gsi1) and by owner (gsi2). */
  leadIndexes: (lead: { leadId: string; stage: Stage; ownerId?: string; createdAt: string }) => ({
    gsi1pk: `STAGE#${lead.stage}`,
    gsi1sk: `${lead.createdAt}#${lead.leadId}`,
    gsi2pk: `OWNER#${lead.ownerId ?? UNASSIGNED}`,
    gsi2sk: `${lead.createdAt}#${lead.leadId}`,
  }),
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
  repIndexes: (rep: { repId: string; status: string }) => ({ gsi1pk: `REPS#${rep.status}`, gsi1sk: rep.repId }),
  repStatusPartition: (status: string) => `REPS#${status}`,
  /** Round-robin cursor shared by all assignments (atomic counter). */
  rosterCursor: () => ({ pk: 'ROSTER', sk: 'CURSOR' }),

  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }),
} as const;
