/**
 * Pure scoring: how many points an event is worth and what it does to a lead's stage and status.
 * No I/O, so the rules ("never backward", "score never decreases") are property-tested directly.
 */
import { stageIndex, type EngagementEvent, type EventType, type Lead, type LeadStatus, type Stage } from './model.js';

/**
 * Lead scoring as data (workflows/scoring.ts holds the numbers, validated at synth): points per event
 * type and the score thresholds that move a lead forward.
 */
export interface ScoringRules {
  /** Points per event type; types not listed score 0 (business events such as purchased). */
  points: Partial<Record<EventType, number>>;
  /** A page view whose properties.path or properties.url contains one of these scores `pricingPagePoints`. */
  pricingPaths: string[];
  pricingPagePoints: number;
  /** Minimum score to be in a stage (a lead only ever moves forward). */
  thresholds: { interest: number; consideration: number; decision: number };
  /** Events that qualify a lead for a stage at once, whatever its score. */
  qualifiesFor: Partial<Record<EventType, 'interest' | 'consideration' | 'decision'>>;
}

/** Events that show the lead's own interest: they score, and they wake a recycled or dormant lead. */
export const ENGAGEMENT_TYPES: readonly EventType[] = [
  'email_opened',
  'email_clicked',
  'email_replied',
  'page_viewed',
  'form_submitted',
  'content_downloaded',
  'demo_requested',
  'meeting_booked',
];

export type Outcome = 'engaged' | 'purchased' | 'closed' | 'contacted' | 'recorded';

export interface Decision {
  outcome: Outcome;
  points: number;
  score: number;
  stage: Stage;
  status: LeadStatus;
  /** A recycled or dormant lead became active again. */
  woke: boolean;
  /** The lead leaves its current funnel run (stage change, wake-up, purchase or close). */
  newRun: boolean;
}

type Scorable = Pick<EngagementEvent, 'type' | 'properties'>;

function isPricingPage(event: Scorable, rules: ScoringRules): boolean {
  const where = [event.properties?.path, event.properties?.url].filter((v): v is string => typeof v === 'string');
  return where.some((w) => rules.pricingPaths.some((p) => w.toLowerCase().includes(p)));
}

export function pointsFor(event: Scorable, rules: ScoringRules): number {
  if (event.type === 'page_viewed' && isPricingPage(event, rules)) return rules.pricingPagePoints;
  return rules.points[event.type] ?? 0;
}

export function stageForScore(score: number, rules: ScoringRules): Stage {
  if (score >= rules.thresholds.decision) return 'decision';
  if (score >= rules.thresholds.consideration) return 'consideration';
  if (score >= rules.thresholds.interest) return 'interest';
  return 'awareness';
}

const later = (a: Stage, b: Stage): Stage => (stageIndex(b) > stageIndex(a) ? b : a);

export function decide(
  lead: Pick<Lead, 'stage' | 'status' | 'score'>,
  event: Scorable,
  rules: ScoringRules,
): Decision {
  const unchanged: Decision = {
    outcome: 'recorded',
    points: 0,
    score: lead.score,
    stage: lead.stage,
    status: lead.status,
    woke: false,
    newRun: false,
  };
  // A won lead is a customer: its later events are history, not funnel moves.
  if (lead.status === 'won') return unchanged;
  // A purchase wins from any stage, even after the lead was closed as lost.
  if (event.type === 'purchased') return { ...unchanged, outcome: 'purchased', stage: 'purchase', status: 'won', newRun: true };
  if (lead.status === 'lost' || lead.status === 'disqualified') return unchanged;
  if (event.type === 'lost' || event.type === 'disqualified')
    return { ...unchanged, outcome: 'closed', status: event.type, newRun: true };
  if (event.type === 'rep_contacted') return { ...unchanged, outcome: 'contacted' };
  if (!ENGAGEMENT_TYPES.includes(event.type)) return unchanged;

  const points = pointsFor(event, rules);
  const score = lead.score + points;
  const qualified = rules.qualifiesFor[event.type];
  const stage = later(later(lead.stage, stageForScore(score, rules)), qualified ?? lead.stage);
  const woke = lead.status === 'recycled' || lead.status === 'dormant';
  return {
    outcome: 'engaged',
    points,
    score,
    stage,
    status: woke ? 'active' : lead.status,
    woke,
    newRun: woke || stage !== lead.stage,
  };
}
