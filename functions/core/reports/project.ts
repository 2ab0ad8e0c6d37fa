/**
 * Applying one stream record to the report aggregates (the ProjectReports handler calls these in stream
 * order). Each reads the subject's report state, projects the record against it and applies the result
 * in one transaction conditional on that state; if the state moved meanwhile it reads again (at most a few
 * times: one consumer per shard makes that rare). A record that changes nothing writes nothing.
 */
import type { Customer, Lead, Rep } from '../model.js';
import { projectCustomer, projectCustomerRemoved } from './customer-projection.js';
import { projectLead, projectLeadRemoved } from './lead-projection.js';
import type { ApplyOutcome, ReportProjectionStore } from './ports.js';
import { projectRep, projectRepRemoved } from './rep-projection.js';
import { projectTimelineEntry, type TimelineFact } from './timeline-projection.js';

export type RecordOutcome = 'applied' | 'unchanged' | 'duplicate' | 'reverted';

const ATTEMPTS = 5;

async function untilApplied(step: () => Promise<'applied' | 'stale' | 'unchanged'>): Promise<RecordOutcome> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await step();
    if (outcome !== 'stale') return outcome;
    if (attempt >= ATTEMPTS) throw new Error('the report state kept changing under the projection');
  }
}

/**
 * Most writes of a subject change nothing a report counts (a send's claim, a run marked started, a health
 * check with the same band): such a record writes nothing, not even the state's revision. That is safe
 * because records of one item arrive in order: a record after the stored revision either changed what is
 * counted (and was applied, moving the revision) or did not (and changes nothing when delivered again).
 */
const sameState = (a: { rev: string } | undefined, b: { rev: string }) => !!a && canonical({ ...a, rev: '' }) === canonical({ ...b, rev: '' });
/** JSON with object keys sorted: a state read back from the table may list its map keys in another order. */
const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`
      : JSON.stringify(v);

/** A lead profile written (`lead`) or deleted (undefined). */
export function projectLeadRecord(store: ReportProjectionStore, leadId: string, lead: (Lead & { intake?: unknown }) | undefined): Promise<RecordOutcome> {
  // A lead still being taken in counts once its intake is done (projectLead): no read for it.
  if (lead?.intake) return Promise.resolve('unchanged');
  return untilApplied(async () => {
    const { shadow, arms } = await store.leadState(leadId);
    const p = lead ? projectLead(shadow, lead, arms) : projectLeadRemoved(shadow);
    if (!p || (!p.increments.length && !p.outcomes.length && sameState(shadow, p.shadow))) return 'unchanged';
    return store.applyLead(p, shadow?.rev);
  });
}

export function projectRepRecord(store: ReportProjectionStore, repId: string, rep: Rep | undefined): Promise<RecordOutcome> {
  return untilApplied(async () => {
    const shadow = await store.repState(repId);
    const p = rep ? projectRep(shadow, rep) : projectRepRemoved(shadow);
    if (!p || (!p.increments.length && !p.certPut && !p.certRemove && sameState(shadow, p.shadow))) return 'unchanged';
    return store.applyRep(p, shadow?.rev);
  });
}

export function projectCustomerRecord(store: ReportProjectionStore, customerId: string, customer: Customer | undefined): Promise<RecordOutcome> {
  return untilApplied(async () => {
    const shadow = await store.customerState(customerId);
    const p = customer ? projectCustomer(shadow, customer) : projectCustomerRemoved(shadow);
    if (!p || (!p.increments.length && sameState(shadow, p.shadow))) return 'unchanged';
    return store.applyCustomer(p, shadow?.rev);
  });
}

/**
 * A lead timeline entry written (`entry`), or deleted. A deleted entry is taken back only while its lead
 * still exists (`leadExists`): a send the mail service refused or throttled withdraws its "sent" entry,
 * while an erasure deletes every entry of a lead that did receive them.
 */
export async function projectTimelineRecord(
  store: ReportProjectionStore,
  recordId: string,
  entry: TimelineFact | undefined,
  leadExists: () => Promise<boolean>,
): Promise<RecordOutcome> {
  if (!entry) return (await leadExists()) ? store.revertEntry(recordId).then((o) => (o === 'reverted' ? 'reverted' : 'unchanged')) : 'unchanged';
  const { shadow, arms } = entry.type === 'split_arm' || entry.type === 'email_sent' ? await store.leadState(entry.leadId) : { shadow: undefined, arms: [] };
  const p = projectTimelineEntry(entry, arms, shadow?.stage);
  if (!p.increments.length && !p.arm) return 'unchanged';
  return store.applyEntry(recordId, p);
}

/**
 * The store for one batch of records: a subject's report state, once read or written, is taken from memory for
 * the rest of the batch (a lead's welcome send alone writes its profile several times). Sound because one
 * shard's records are handled by one invocation at a time and a subject's records share a shard; should another
 * writer have moved a state anyway, the conditional write finds it stale, and it is read again.
 */
export function batchCached(store: ReportProjectionStore): ReportProjectionStore {
  const leads = new Map<string, Awaited<ReturnType<ReportProjectionStore['leadState']>>>();
  const reps = new Map<string, Awaited<ReturnType<ReportProjectionStore['repState']>>>();
  const customers = new Map<string, Awaited<ReturnType<ReportProjectionStore['customerState']>>>();
  const remember = async <K, V>(map: Map<K, V>, key: K, outcome: Promise<ApplyOutcome>, value: V) => {
    const o = await outcome;
    if (o === 'applied') map.set(key, value);
    else map.delete(key);
    return o;
  };
  return {
    leadState: async (leadId) => leads.get(leadId) ?? store.leadState(leadId).then((s) => (leads.set(leadId, s), s)),
    applyLead: (p, rev) => {
      const arms = (leads.get(p.shadow.leadId)?.arms ?? []).map((a) => p.outcomes.find((o) => o.splitId === a.splitId) ?? a);
      return remember(leads, p.shadow.leadId, store.applyLead(p, rev), { shadow: p.shadow, arms });
    },
    repState: async (repId) => (reps.has(repId) ? reps.get(repId) : store.repState(repId).then((s) => (reps.set(repId, s), s))),
    applyRep: (p, rev) => remember(reps, p.shadow.repId, store.applyRep(p, rev), p.shadow),
    customerState: async (id) => (customers.has(id) ? customers.get(id) : store.customerState(id).then((s) => (customers.set(id, s), s))),
    applyCustomer: (p, rev) => remember(customers, p.shadow.customerId, store.applyCustomer(p, rev), p.shadow),
    applyEntry: async (recordId, p) => {
      // A new arm changes the lead's state as read: read it again when next needed.
      if (p.arm) leads.delete(p.arm.leadId);
      return store.applyEntry(recordId, p);
    },
    revertEntry: (recordId) => store.revertEntry(recordId),
  };
}
