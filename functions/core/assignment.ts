/**
 * Hand-off to sales: assign a decision-stage lead to an active rep (round-robin), reassign it when the
 * rep misses the contact SLA, or park it in the unassigned queue when nobody is active.
 *
 * Every transition is ONE conditional save that also claims a ledger key unique to that transition
 * (`assign#run#misses#rep`, `queue#run#misses`). The key is the idempotency guard: a retried task
 * finds it claimed and returns the outcome of the first attempt, so the rep, the manager and the
 * event bus hear about a transition at most once (the emails are sent after the claim).
 */
import { HOUR_MS, type Clock } from './clock.js';
import { DuplicateSendError, NotFoundError, SupersededError, VersionConflictError } from './errors.js';
import type { Lead, Rep, TimelineEntry } from './model.js';
import type { EventPublisher, IdGenerator, LeadStore, Mailer, RepRoster } from './ports.js';
import { timelineEntry } from './timeline.js';
import { emptyQueueEmail, newLeadAssignedEmail, slaMissedEmail, type TeamEmail } from '../../workflows/templates/team.js';

export interface AssignmentDeps {
  leads: LeadStore;
  roster: RepRoster;
  mailer: Mailer;
  publisher: EventPublisher;
  clock: Clock;
  ids: IdGenerator;
  settings: { managerEmail: string; slaHours: number; escalateAfterMisses: number };
}

export type AssignReason = 'decision' | 'queue-retry' | 'sla-miss';
export interface AssignRequest {
  leadId: string;
  run: number;
  reason: AssignReason;
}
export interface AssignResult {
  assigned: boolean;
  repId?: string;
}

export async function loadCurrentLead(leads: LeadStore, leadId: string, run: number): Promise<Lead> {
  const lead = await leads.get(leadId);
  if (!lead) throw new NotFoundError(`lead ${leadId} does not exist`);
  if (lead.run !== run) throw new SupersededError(`lead ${leadId} is on run ${lead.run}, not ${run}`);
  return lead;
}

/** Contacted = a rep_contacted event arrived after the current assignment. */
export const isContacted = (lead: Pick<Lead, 'assignedAt' | 'contactedAt'>) =>
  !!lead.assignedAt && !!lead.contactedAt && lead.contactedAt > lead.assignedAt;

export async function checkRepContact(deps: Pick<AssignmentDeps, 'leads'>, req: { leadId: string; run: number }) {
  const lead = await loadCurrentLead(deps.leads, req.leadId, req.run);
  return { contacted: isContacted(lead) };
}

/**
 * Round-robin over the active reps not yet missed for this lead (all but the current owner when
 * everyone has missed). The shared counter is incremented atomically, so concurrent assignments each
 * get their own turn and the spread stays fair.
 */
export function pickRep(active: Rep[], turn: number, missedBy: readonly string[], currentOwner?: string): Rep | undefined {
  let candidates = active.filter((r) => !missedBy.includes(r.repId));
  if (!candidates.length) candidates = active.filter((r) => r.repId !== currentOwner);
  return candidates.length ? candidates[turn % candidates.length] : undefined;
}

const MAX_ATTEMPTS = 5;

export async function assignRep(deps: AssignmentDeps, req: AssignRequest): Promise<AssignResult> {
  let turn: number | undefined;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const lead = await loadCurrentLead(deps.leads, req.leadId, req.run);
    const now = deps.clock.now();
    const at = now.toISOString();
    const owner = lead.ownerId ? await deps.roster.get(lead.ownerId) : undefined;
    const entries: TimelineEntry[] = [];
    let next: Lead = { ...lead, updatedAt: at };
    const emails: { to: string; email: TeamEmail }[] = [];

    // A miss only counts once the SLA has really run: a retried sla-miss task (minutes later) sees a
    // fresh assignment and leaves it alone.
    const assignedFor = lead.assignedAt ? now.getTime() - new Date(lead.assignedAt).getTime() : 0;
    const missed = req.reason === 'sla-miss' && !!lead.ownerId && !isContacted(lead) && assignedFor >= (deps.settings.slaHours * HOUR_MS) / 2;
    const active = await deps.roster.listActive();
    let rep: Rep | undefined;
    if (missed) {
      const misses = (lead.slaMisses ?? 0) + 1;
      next = { ...next, slaMisses: misses, missedBy: [...new Set([...(lead.missedBy ?? []), lead.ownerId!])] };
      entries.push(timelineEntry(deps.ids, lead.leadId, now, 'sla_missed', `${owner?.name ?? lead.ownerId} missed the contact SLA (miss ${misses})`, { repId: lead.ownerId, misses }));
      turn ??= await deps.roster.nextTurn();
      rep = pickRep(active, turn, next.missedBy!, lead.ownerId);
      const escalation = misses >= deps.settings.escalateAfterMisses;
      emails.push({ to: deps.settings.managerEmail, email: slaMissedEmail(next, owner, misses, escalation, rep) });
    } else if (owner?.status === 'active') {
      rep = owner; // keeps an existing relationship; the ledger claim below makes a retry a no-op
    } else {
      turn ??= await deps.roster.nextTurn();
      rep = pickRep(active, turn, lead.missedBy ?? [], lead.ownerId);
    }

    const misses = next.slaMisses ?? 0;
    let ledgerKey: string;
    if (rep) {
      ledgerKey = `assign#${lead.run}#${misses}#${rep.repId}`;
      next = { ...next, ownerId: rep.repId, assignedAt: at, contactedAt: undefined, queuedForRepAt: undefined };
      entries.push(timelineEntry(deps.ids, lead.leadId, now, 'rep_assigned', `Assigned to ${rep.name}`, { repId: rep.repId, reason: req.reason }));
    } else {
      if (lead.queuedForRepAt && !missed) return { assigned: false }; // still waiting; manager already told
      ledgerKey = `queue#${lead.run}#${misses}`;
      next = { ...next, ownerId: undefined, assignedAt: undefined, queuedForRepAt: lead.queuedForRepAt ?? at };
      entries.push(timelineEntry(deps.ids, lead.leadId, now, 'rep_queue', 'No active rep: waiting in the unassigned queue', { reason: req.reason }));
      if (!missed) emails.push({ to: deps.settings.managerEmail, email: emptyQueueEmail(next) });
    }

    try {
      await deps.leads.save(next, lead.version, entries, { ledgerKey });
    } catch (err) {
      if (err instanceof VersionConflictError && attempt < MAX_ATTEMPTS) continue;
      if (!(err instanceof DuplicateSendError)) throw err;
      const current = await loadCurrentLead(deps.leads, req.leadId, req.run);
      return current.ownerId ? { assigned: true, repId: current.ownerId } : { assigned: false };
    }

    let messageId: string | undefined;
    if (rep) {
      const timeline = await deps.leads.timeline(lead.leadId);
      const sent = await deps.mailer.send({ to: rep.email, ...newLeadAssignedEmail(rep, next, timeline, deps.settings.slaHours), tags: { leadId: lead.leadId, template: 'rep-new-lead' } });
      messageId = sent.messageId;
    }
    for (const { to, email } of emails) {
      const sent = await deps.mailer.send({ to, ...email, tags: { leadId: lead.leadId, template: 'manager-notice' } });
      messageId ??= sent.messageId;
    }
    if (messageId) await deps.leads.markSent(lead.leadId, ledgerKey, messageId);
    if (!rep) return { assigned: false };
    await deps.publisher.publish([
      { type: 'LeadAssigned', id: `LeadAssigned#${lead.leadId}#${ledgerKey}`, at, detail: { leadId: lead.leadId, repId: rep.repId, run: lead.run, reason: req.reason, slaMisses: misses } },
    ]);
    return { assigned: true, repId: rep.repId };
  }
  throw new VersionConflictError(req.leadId);
}
