/**
 * Hand-off to sales: assign a decision-stage lead to an active rep (round-robin), walk the SLA
 * ladder when the rep misses the contact SLA, or park the lead in the unassigned queue when nobody
 * is active.
 *
 * The SLA ladder is bounded. On a miss the lead goes to another active rep who has not missed it
 * yet; with nobody free the owner keeps it for another SLA period. The manager hears of every miss,
 * and the miss numbered `escalateAfterMisses` is the one escalation: there the ladder ends, the lead
 * stays with its owner (the unassigned queue if the owner is no longer active) and the run carries
 * on with the decision programme, with no more SLA checks and no more team email.
 *
 * Every transition is ONE conditional save that also claims a ledger key unique to that transition
 * (`assign#run#misses#rep`, `keep#run#misses`, `queue#run#misses`). The key is the idempotency
 * guard: a retried task finds it claimed and returns the outcome of the first attempt, so the rep,
 * the manager and the event bus hear about a transition at most once (the emails are sent after
 * the claim).
 */
import { HOUR_MS, type Clock } from './clock.js';
import { isEligibleForLeads } from './learning.js';
import { DuplicateSendError, NotFoundError, SupersededError } from './errors.js';
import type { Lead, Rep, TimelineEntry } from './model.js';
import type { EventPublisher, IdGenerator, LeadStore, Mailer, RepRoster } from './ports.js';
import { recordRamp, type RampDeps } from './ramp.js';
import { withOptimisticRetry } from './retry.js';
import { timelineEntry } from './timeline.js';
import { composeTeamEmail, leadLabel, type TeamEmail, type TeamMessages } from './templates.js';

export interface AssignmentDeps {
  leads: LeadStore;
  roster: RepRoster;
  mailer: Mailer;
  publisher: EventPublisher;
  clock: Clock;
  ids: IdGenerator;
  /** The words of the team emails (workflows/templates/team.ts). */
  team: TeamMessages;
  settings: { managerEmail: string; slaHours: number; escalateAfterMisses: number };
  /** Records a rep's first lead on the rep when it is assigned (ramp); without it, ramp is not recorded. */
  reps?: RampDeps['reps'];
}

export type AssignReason = 'decision' | 'queue-retry' | 'sla-miss';
export interface AssignRequest {
  leadId: string;
  run: number;
  reason: AssignReason;
}
/** What the run does next: give the owner the SLA, wait for a free rep, or go on with the programme. */
export type AssignNext = 'watch-sla' | 'queue' | 'nurture';
export interface AssignResult {
  assigned: boolean;
  repId?: string;
  next: AssignNext;
  /** This task counted an SLA miss (a retried or late task finds it counted and says nothing). */
  slaMissed?: true;
}

export async function loadCurrentLead(leads: LeadStore, leadId: string, run: number): Promise<Lead> {
  const lead = await leads.get(leadId);
  if (!lead) throw new NotFoundError(`lead ${leadId} does not exist`);
  if (lead.run !== run) throw new SupersededError(`lead ${leadId} is on run ${lead.run}, not ${run}`);
  return lead;
}

/** Contacted = a rep_contacted event that happened after the current assignment (in system time). */
export const isContacted = (lead: Pick<Lead, 'assignedAt' | 'contactedAt'>) =>
  !!lead.assignedAt && !!lead.contactedAt && lead.contactedAt > lead.assignedAt;

export async function checkRepContact(deps: Pick<AssignmentDeps, 'leads'>, req: { leadId: string; run: number }) {
  const lead = await loadCurrentLead(deps.leads, req.leadId, req.run);
  return { contacted: isContacted(lead) };
}

/** The ladder has reached its escalation: no more misses are counted for this lead. */
const ladderEnded = (lead: Lead, settings: AssignmentDeps['settings']) => (lead.slaMisses ?? 0) >= settings.escalateAfterMisses;

/** Where a lead stands, as a task result (a retried or late task answers with it). */
function standing(lead: Lead, reason: AssignReason, settings: AssignmentDeps['settings']): AssignResult {
  const owner = lead.ownerId ? { assigned: true, repId: lead.ownerId } : { assigned: false };
  if (reason === 'sla-miss' && (ladderEnded(lead, settings) || isContacted(lead))) return { ...owner, next: 'nurture' };
  return { ...owner, next: lead.ownerId ? 'watch-sla' : 'queue' };
}

/**
 * What one task does to the lead: a rep gets it (and the SLA), its owner keeps it (for another SLA
 * period, or for good when the ladder ends), or it waits in the unassigned queue.
 */
type Plan = { kind: 'assign'; rep: Rep } | { kind: 'keep'; rep: Rep; ended: boolean } | { kind: 'queue'; ended: boolean };

export async function assignRep(deps: AssignmentDeps, req: AssignRequest): Promise<AssignResult> {
  let turn: number | undefined; // one turn of the shared counter per assignment, however many attempts
  return withOptimisticRetry(async () => {
    const lead = await loadCurrentLead(deps.leads, req.leadId, req.run);
    const now = deps.clock.now();
    const at = now.toISOString();
    const { settings } = deps;

    // A miss only counts once the SLA has really run: a retried sla-miss task (minutes later) finds
    // the fresh assignment or SLA period and answers with it. Once the ladder has ended nothing counts.
    const assignedFor = lead.assignedAt ? now.getTime() - new Date(lead.assignedAt).getTime() : 0;
    const missed = req.reason === 'sla-miss' && !ladderEnded(lead, settings) && !!lead.ownerId && !isContacted(lead) && assignedFor >= (settings.slaHours * HOUR_MS) / 2;
    if (req.reason === 'sla-miss' && !missed) return standing(lead, req.reason, settings);

    const owner = lead.ownerId ? await deps.roster.get(lead.ownerId) : undefined;
    // Only active reps with an unexpired certification receive (or keep) leads.
    const ownerActive = owner && isEligibleForLeads(owner, now) ? owner : undefined;
    const active = (await deps.roster.listActive()).filter((rep) => isEligibleForLeads(rep, now));
    const roundRobin = async (exclude: readonly string[]) => {
      const candidates = active.filter((r) => !exclude.includes(r.repId));
      if (!candidates.length) return undefined;
      turn ??= await deps.roster.nextTurn();
      return candidates[turn % candidates.length];
    };

    let next: Lead = { ...lead, updatedAt: at };
    const entries: TimelineEntry[] = [];
    const emails: { to: string; email: TeamEmail }[] = [];
    let plan: Plan;

    if (missed) {
      const misses = (lead.slaMisses ?? 0) + 1;
      const missedBy = [...new Set([...(lead.missedBy ?? []), lead.ownerId!])];
      next = { ...next, slaMisses: misses, missedBy };
      const ended = misses >= settings.escalateAfterMisses;
      if (ended) plan = ownerActive ? { kind: 'keep', rep: ownerActive, ended } : { kind: 'queue', ended };
      else {
        // Another rep who has not missed this lead; else the owner tries again; an owner who left
        // hands it to whoever is active (they get it fresh, and the count still climbs to the end).
        const rep = (await roundRobin(missedBy)) ?? ownerActive ?? (await roundRobin([lead.ownerId!]));
        plan = !rep ? { kind: 'queue', ended } : rep === ownerActive ? { kind: 'keep', rep, ended } : { kind: 'assign', rep };
      }
      const name = owner?.name ?? lead.ownerId;
      entries.push(timelineEntry(deps.ids, lead.leadId, now, 'sla_missed', `${name} missed the contact SLA (miss ${misses})${missOutcome(plan, settings.slaHours)}`, { repId: lead.ownerId, misses, escalated: ended }));
      const after = plan.kind === 'assign' ? plan.rep : plan.kind === 'keep' ? { keptWith: plan.rep, slaHours: settings.slaHours } : undefined;
      emails.push({ to: settings.managerEmail, email: composeTeamEmail(deps.team.slaMissed(leadLabel(next), owner, misses, ended, after), deps.team.signature, next) });
    } else {
      // Keeps an existing relationship; the ledger claim below makes a retried task a no-op.
      const rep = ownerActive ?? (await roundRobin(lead.missedBy ?? [])) ?? (await roundRobin([]));
      if (!rep && lead.queuedForRepAt) return standing(lead, req.reason, settings); // still waiting; manager already told
      plan = rep ? { kind: 'assign', rep } : { kind: 'queue', ended: false };
      if (!rep) emails.push({ to: settings.managerEmail, email: composeTeamEmail(deps.team.emptyQueue(leadLabel(next)), deps.team.signature, next) });
    }

    const misses = next.slaMisses ?? 0;
    let ledgerKey: string;
    if (plan.kind === 'assign') {
      ledgerKey = `assign#${lead.run}#${misses}#${plan.rep.repId}`;
      next = { ...next, ownerId: plan.rep.repId, assignedAt: at, contactedAt: undefined, queuedForRepAt: undefined };
      entries.push(timelineEntry(deps.ids, lead.leadId, now, 'rep_assigned', `Assigned to ${plan.rep.name}`, { repId: plan.rep.repId, reason: req.reason }));
    } else if (plan.kind === 'keep') {
      ledgerKey = `keep#${lead.run}#${misses}`;
      // Another SLA period starts now; when the ladder has ended nothing watches it any more.
      if (!plan.ended) next = { ...next, assignedAt: at };
    } else {
      ledgerKey = `queue#${lead.run}#${misses}`;
      next = { ...next, ownerId: undefined, assignedAt: undefined, queuedForRepAt: lead.queuedForRepAt ?? at };
      const summary = active.length ? 'Its rep is no longer active: waiting in the unassigned queue for the manager' : 'No active rep: waiting in the unassigned queue';
      entries.push(timelineEntry(deps.ids, lead.leadId, now, 'rep_queue', summary, { reason: req.reason }));
    }

    try {
      await deps.leads.save(next, lead.version, entries, { ledgerKey });
    } catch (err) {
      if (!(err instanceof DuplicateSendError)) throw err; // a VersionConflictError is retried from a fresh read
      return standing(await loadCurrentLead(deps.leads, req.leadId, req.run), req.reason, settings);
    }

    let messageId: string | undefined;
    if (plan.kind === 'assign') {
      const timeline = await deps.leads.timeline(lead.leadId);
      const sent = await deps.mailer.send({ to: plan.rep.email, ...composeTeamEmail(deps.team.newLeadAssigned(plan.rep, leadLabel(next), settings.slaHours), deps.team.signature, next, timeline), tags: { leadId: lead.leadId, template: 'rep-new-lead' } });
      messageId = sent.messageId;
    }
    for (const { to, email } of emails) {
      const sent = await deps.mailer.send({ to, ...email, tags: { leadId: lead.leadId, template: 'manager-notice' } });
      messageId ??= sent.messageId;
    }
    if (messageId) await deps.leads.markSent(lead.leadId, ledgerKey, messageId);

    const counted = missed ? { slaMissed: true as const } : {};
    if (plan.kind === 'queue') return { assigned: false, next: plan.ended ? 'nurture' : 'queue', ...counted };
    if (plan.kind === 'keep') return { assigned: true, repId: plan.rep.repId, next: plan.ended ? 'nurture' : 'watch-sla', ...counted };
    if (deps.reps) await recordRamp({ reps: deps.reps, ids: deps.ids }, plan.rep.repId, 'firstLeadAt', now, lead.leadId);
    await deps.publisher.publish([
      { type: 'LeadAssigned', id: `LeadAssigned#${lead.leadId}#${ledgerKey}`, at, detail: { leadId: lead.leadId, repId: plan.rep.repId, run: lead.run, reason: req.reason, slaMisses: misses } },
    ]);
    return { assigned: true, repId: plan.rep.repId, next: 'watch-sla', ...counted };
  });
}

/** The timeline's account of what a miss led to. */
function missOutcome(plan: Plan, slaHours: number): string {
  if (plan.kind === 'assign') return '';
  if (plan.kind === 'keep')
    return plan.ended ? `: escalated; stays with ${plan.rep.name}, no more SLA checks` : `: no other rep is free, stays with ${plan.rep.name} for another ${slaHours} hours`;
  return plan.ended ? ': escalated; no more SLA checks' : '';
}
