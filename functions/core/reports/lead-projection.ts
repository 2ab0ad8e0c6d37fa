/**
 * A lead's stream record → funnel counters. The projection compares the lead as written now with what it
 * last projected of it (the lead's report state, stored with the counters in one transaction), so applying
 * the same record again adds nothing, and an older record (a replay behind a newer one) is refused by the
 * state's revision. What changed becomes increments:
 *
 *   - first sight: captured (day of capture), by source and campaign, cohort, referral lead;
 *   - each new stay in a stage: entered (a re-entry counts again); a stage reached for the first time: the
 *     capture week's cohort, at the week since capture it was reached;
 *   - each stay that ended: its time in stage, and why it ended (moved on to a later stage, won, lost,
 *     dormant); recycled when the status turns recycled;
 *   - the gauge of leads in each stage now (open leads only);
 *   - reps: assigned, contacted (hours from assignment; within the SLA when the rep had not missed it),
 *     SLA missed, won and closed on their leads;
 *   - A/B splits: the lead's arms (recorded by the timeline projection) that reach the next stage.
 */
import { STAGES, stageIndex, type Lead, type LeadStatus, type Stage, type StageStay } from '../model.js';
import { isOpenStatus, staysOf } from '../stage-history.js';
import { COHORT_WEEKS, DAY_MS, dayOf, dimValue, dimsOf, hoursBetween, Increments, weekOf, type Increment } from './aggregates.js';

/** What the projection last saw of a lead (stored as the lead's report state). */
export interface LeadShadow {
  leadId: string;
  /** Orders records of the lead: `<version, 12 digits>|<updatedAt>`; an older one is not applied. */
  rev: string;
  /** Filter combinations and breakdown values, fixed at first sight (a later fill-in moves no counts). */
  dims: string[];
  source: string;
  campaign: string;
  createdAt: string;
  stage: Stage;
  status: LeadStatus;
  /** The last stay seen, and whether it had ended. */
  lastStay: { stage: Stage; enteredAt: string; ended: boolean };
  /** Highest stage index reached (−1 before capture); won is reached with status won. */
  maxStage: number;
  won: boolean;
  ownerId?: string;
  /** `<ownerId>@<assignedAt>` whose first contact is counted (once per assignment). */
  contactFor?: string;
  missedBy: string[];
  referral: boolean;
  /** The lead was erased: its gauge contribution is gone, later records change nothing. */
  erased?: boolean;
}

/** A lead's arm in one A/B split, as the timeline projection recorded it. */
export interface SplitArmState {
  leadId: string;
  splitId: string;
  arm: string;
  /** The stage the lead was in when the arm was chosen; reaching a later stage is the arm's outcome. */
  stage: Stage;
  at: string;
  outcomeAt?: string;
}

export interface LeadProjection {
  shadow: LeadShadow;
  increments: Increment[];
  /** Arms whose outcome this record reached (mark them so it counts once). */
  outcomes: SplitArmState[];
}

export const revOf = (version: number | undefined, updatedAt: string | undefined) => `${String(version ?? 0).padStart(12, '0')}|${updatedAt ?? ''}`;

const CLOSE_COUNTER: Partial<Record<LeadStatus, 'dormant' | 'lost'>> = { dormant: 'dormant', lost: 'lost', disqualified: 'lost' };

/** undefined: nothing to apply (an older record, an erased lead, or a lead still being taken in). */
export function projectLead(prev: LeadShadow | undefined, lead: Lead & { intake?: unknown }, arms: SplitArmState[] = []): LeadProjection | undefined {
  // A lead whose submission is not yet taken in (capture's intake) may still be dropped: it counts once taken in.
  if (lead.intake) return undefined;
  const rev = revOf(lead.version, lead.updatedAt);
  if (prev && (prev.erased || prev.rev >= rev)) return undefined;

  const inc = new Increments();
  const dims = prev?.dims ?? dimsOf(lead);
  const source = prev?.source ?? dimValue(lead.source);
  const campaign = prev?.campaign ?? dimValue(lead.utm_campaign);
  const createdAt = prev?.createdAt ?? lead.createdAt;
  const referral = prev?.referral ?? (lead.source === 'referral' || !!lead.referredBy);
  const funnel = (at: string, name: string, n = 1) => dims.forEach((d) => inc.add({ kind: 'funnel-day', dims: d, day: dayOf(at) }, name, n));
  const funnelSample = (at: string, name: string, hours: number) => dims.forEach((d) => inc.sample({ kind: 'funnel-day', dims: d, day: dayOf(at) }, name, hours));
  const gauge = (stage: Stage, n: number) => dims.forEach((d) => inc.add({ kind: 'funnel-now', dims: d }, `in:${stage}`, n));
  const cohort = (name: string) => dims.forEach((d) => inc.add({ kind: 'cohort', dims: d, week: weekOf(createdAt) }, name));
  const activity = (at: string, name: string, n = 1) => inc.add({ kind: 'activity-day', day: dayOf(at) }, name, n);

  if (!prev) {
    funnel(createdAt, 'captured');
    funnel(createdAt, `src:${source}:captured`);
    funnel(createdAt, `camp:${campaign}:captured`);
    cohort('captured');
    if (referral) inc.add({ kind: 'retention' }, 'referral:leads');
  }

  // Stays: new ones entered; ended ones sampled and classified by what ended them.
  const stays = staysOf(lead);
  // Where the stays seen last time end (by the last one seen; if the bounded list dropped it, by time).
  let from = prev ? stays.findLastIndex((s) => s.stage === prev.lastStay.stage && s.enteredAt === prev.lastStay.enteredAt) : -1;
  if (prev && from < 0) from = stays.findLastIndex((s) => s.enteredAt <= prev.lastStay.enteredAt);
  const outcomes: SplitArmState[] = [];
  const stayEnded = (stay: StageStay, next: StageStay | undefined) => {
    funnelSample(stay.leftAt!, `tis:${stay.stage}`, hoursBetween(stay.enteredAt, stay.leftAt!));
    const movedTo = next && next.enteredAt === stay.leftAt && next.stage !== stay.stage ? next.stage : undefined;
    if (movedTo && stageIndex(movedTo) > stageIndex(stay.stage)) {
      funnel(stay.leftAt!, `movedOn:${stay.stage}`);
      for (const arm of arms) {
        if (arm.stage === stay.stage && !arm.outcomeAt && arm.at <= stay.leftAt!) outcomes.push({ ...arm, outcomeAt: stay.leftAt! });
      }
    } else if (!next && !isOpenStatus(lead.status)) {
      if (lead.status === 'won') funnel(stay.leftAt!, `movedOn:${stay.stage}`);
      const counter = CLOSE_COUNTER[lead.status];
      if (counter) funnel(stay.leftAt!, `${counter}:${stay.stage}`);
    }
  };
  let maxStage = prev?.maxStage ?? -1;
  for (let i = Math.max(0, from); i < stays.length; i++) {
    const stay = stays[i]!;
    const isNew = i > from;
    if (isNew) {
      funnel(stay.enteredAt, `entered:${stay.stage}`);
      const index = stageIndex(stay.stage);
      for (let s = maxStage + 1; s <= index; s++) cohort(`reach:${STAGES[s]}:${weekSince(createdAt, stay.enteredAt)}`);
      maxStage = Math.max(maxStage, index);
    }
    const wasEnded = !isNew && prev!.lastStay.ended;
    if (stay.leftAt && !wasEnded) stayEnded(stay, stays[i + 1]);
  }

  // Recycled: out of the stage's programme, into slow nurture (same stage, still open).
  if (lead.status === 'recycled' && prev?.status !== 'recycled') funnel(lead.updatedAt, `recycled:${lead.stage}`);

  // The gauge: open leads in each stage now.
  const wasIn = prev && isOpenStatus(prev.status) ? prev.stage : undefined;
  const isIn = isOpenStatus(lead.status) ? lead.stage : undefined;
  if (wasIn !== isIn) {
    if (wasIn) gauge(wasIn, -1);
    if (isIn) gauge(isIn, 1);
  }

  const won = lead.status === 'won';
  if (won && !prev?.won) {
    funnel(lead.updatedAt, 'won');
    funnel(lead.updatedAt, `src:${source}:won`);
    funnel(lead.updatedAt, `camp:${campaign}:won`);
    funnelSample(lead.updatedAt, 'velocity', hoursBetween(createdAt, lead.updatedAt));
    cohort(`reach:won:${weekSince(createdAt, lead.updatedAt)}`);
    if (referral) inc.add({ kind: 'retention' }, 'referral:won');
  }

  // Reps.
  const owner = lead.ownerId;
  if (owner && owner !== prev?.ownerId) activity(lead.assignedAt ?? lead.updatedAt, `rep:${dimValue(owner)}:assigned`);
  const missedBy = lead.missedBy ?? [];
  for (const rep of missedBy) if (!(prev?.missedBy ?? []).includes(rep)) activity(lead.updatedAt, `rep:${dimValue(rep)}:slaMissed`);
  let contactFor = prev?.contactFor;
  if (owner && lead.assignedAt && lead.contactedAt && lead.contactedAt > lead.assignedAt && contactFor !== `${owner}@${lead.assignedAt}`) {
    contactFor = `${owner}@${lead.assignedAt}`;
    activity(lead.contactedAt, `rep:${dimValue(owner)}:contacted`);
    inc.sample({ kind: 'activity-day', day: dayOf(lead.contactedAt) }, `rep:${dimValue(owner)}:contact`, hoursBetween(lead.assignedAt, lead.contactedAt));
    if (!missedBy.includes(owner)) activity(lead.contactedAt, `rep:${dimValue(owner)}:slaMet`);
  }
  const closedNow = !isOpenStatus(lead.status) && (!prev || isOpenStatus(prev.status) || prev.status !== lead.status);
  if (owner && closedNow) {
    activity(lead.updatedAt, `rep:${dimValue(owner)}:closed`);
    if (won) activity(lead.updatedAt, `rep:${dimValue(owner)}:won`);
  }
  for (const arm of outcomes) activity(arm.outcomeAt!, `split:${arm.splitId}:${arm.arm}:outcome`);

  const last = stays.at(-1)!;
  const shadow: LeadShadow = {
    leadId: lead.leadId,
    rev,
    dims,
    source,
    campaign,
    createdAt,
    stage: lead.stage,
    status: lead.status,
    lastStay: { stage: last.stage, enteredAt: last.enteredAt, ended: !!last.leftAt },
    maxStage,
    won: won || !!prev?.won,
    ...(owner ? { ownerId: owner } : {}),
    ...(contactFor ? { contactFor } : {}),
    missedBy,
    referral,
  };
  return { shadow, increments: inc.list(), outcomes };
}

/** The lead was erased: it leaves the gauge (the flows it already added stay: they happened). */
export function projectLeadRemoved(prev: LeadShadow | undefined): LeadProjection | undefined {
  if (!prev || prev.erased) return undefined;
  const inc = new Increments();
  if (isOpenStatus(prev.status)) prev.dims.forEach((d) => inc.add({ kind: 'funnel-now', dims: d }, `in:${prev.stage}`, -1));
  return { shadow: { ...prev, erased: true }, increments: inc.list(), outcomes: [] };
}

/** Counter suffix of the week since capture an instant falls in (`w0` = the first 7 days). */
export function weekSince(createdAt: string, at: string): string {
  return `w${Math.min(COHORT_WEEKS - 1, Math.max(0, Math.floor((Date.parse(at) - Date.parse(createdAt)) / (7 * DAY_MS))))}`;
}
