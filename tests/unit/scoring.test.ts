import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, STAGES, stageIndex, type Lead, type LeadStatus } from '../../functions/core/model.js';
import * as scoring from '../../functions/core/scoring.js';
import { scoringRules } from '../../workflows/scoring.js';

// The shipped rules unless a test passes its own (the core takes them as an argument).
const pointsFor = (event: Parameters<typeof scoring.pointsFor>[0], rules = scoringRules) => scoring.pointsFor(event, rules);
const stageForScore = (score: number, rules = scoringRules) => scoring.stageForScore(score, rules);
const decide = (lead: Parameters<typeof scoring.decide>[0], event: Parameters<typeof scoring.decide>[1], rules = scoringRules) => scoring.decide(lead, event, rules);
import { scoringRulesSchema } from '../../workflows/scoring-schema.js';

const lead = (over: Partial<Pick<Lead, 'stage' | 'status' | 'score'>> = {}) => ({
  stage: 'awareness' as const,
  status: 'active' as LeadStatus,
  score: 0,
  ...over,
});

describe('scoring rules', () => {
  it('gives a pricing page view more points than any other page view', () => {
    expect(pointsFor({ type: 'page_viewed', properties: { path: '/blog/x' } })).toBe(2);
    expect(pointsFor({ type: 'page_viewed', properties: { path: '/pricing' } })).toBe(5);
    expect(pointsFor({ type: 'page_viewed', properties: { url: 'https://example.com/en/pricing?plan=pro' } })).toBe(5);
  });

  it('gives business events no points', () => {
    expect(pointsFor({ type: 'purchased' })).toBe(0);
    expect(pointsFor({ type: 'rep_contacted' })).toBe(0);
  });

  it('maps scores to stages at the thresholds 10, 30 and 60', () => {
    expect([0, 9, 10, 29, 30, 59, 60, 500].map((s) => stageForScore(s))).toEqual([
      'awareness',
      'awareness',
      'interest',
      'interest',
      'consideration',
      'consideration',
      'decision',
      'decision',
    ]);
  });

  it('refuses thresholds that do not increase', () => {
    const broken = { ...scoringRules, thresholds: { interest: 30, consideration: 10, decision: 60 } };
    expect(scoringRulesSchema.safeParse(broken).success).toBe(false);
  });

  it('refuses negative points', () => {
    expect(scoringRulesSchema.safeParse({ ...scoringRules, points: { email_opened: -1 } }).success).toBe(false);
  });
});

describe('deciding what an event does to a lead', () => {
  it('moves the lead to interest when its score passes 10', () => {
    const d = decide(lead({ score: 9 }), { type: 'email_opened' });
    expect(d).toMatchObject({ score: 10, stage: 'interest', newRun: true, outcome: 'engaged' });
  });

  it('qualifies a lead for decision at once when it requests a demo', () => {
    expect(decide(lead(), { type: 'demo_requested' })).toMatchObject({ stage: 'decision', score: 20, newRun: true });
    expect(decide(lead(), { type: 'meeting_booked' })).toMatchObject({ stage: 'decision', newRun: true });
  });

  it('keeps the stage and the run when the score stays below the next threshold', () => {
    expect(decide(lead({ stage: 'interest', score: 10 }), { type: 'email_clicked' })).toMatchObject({
      stage: 'interest',
      score: 13,
      newRun: false,
    });
  });

  it('makes a purchase win from any stage, even after the lead was lost', () => {
    expect(decide(lead({ status: 'lost' }), { type: 'purchased' })).toMatchObject({ stage: 'purchase', status: 'won', newRun: true });
  });

  it('leaves a won lead unchanged by a second purchase', () => {
    expect(decide(lead({ stage: 'purchase', status: 'won' }), { type: 'purchased' })).toMatchObject({ outcome: 'recorded', newRun: false });
  });

  it('closes the lead on lost and disqualified', () => {
    expect(decide(lead(), { type: 'lost' })).toMatchObject({ status: 'lost', outcome: 'closed', newRun: true });
    expect(decide(lead(), { type: 'disqualified' })).toMatchObject({ status: 'disqualified', newRun: true });
  });

  it('records engagement on a closed lead without changing it', () => {
    expect(decide(lead({ status: 'disqualified', score: 5 }), { type: 'demo_requested' })).toMatchObject({
      outcome: 'recorded',
      stage: 'awareness',
      score: 5,
      newRun: false,
    });
  });

  it('wakes a recycled or dormant lead on engagement', () => {
    for (const status of ['recycled', 'dormant'] as const)
      expect(decide(lead({ status }), { type: 'email_opened' })).toMatchObject({ status: 'active', woke: true, newRun: true });
  });

  it('does not wake a dormant lead on a rep contact', () => {
    expect(decide(lead({ status: 'dormant' }), { type: 'rep_contacted' })).toMatchObject({ status: 'dormant', newRun: false });
  });

  it('never moves a lead backward and never lowers its score, whatever the events', () => {
    const status = fc.constantFrom<LeadStatus>('active', 'recycled', 'dormant', 'won', 'lost', 'disqualified');
    const event = fc.record({
      type: fc.constantFrom(...EVENT_TYPES),
      properties: fc.option(fc.record({ path: fc.constantFrom('/pricing', '/docs', '') }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.constantFrom(...STAGES), fc.nat(200), status, fc.array(event, { maxLength: 30 }), (stage, score, st, events) => {
        let current = { stage, score, status: st };
        for (const e of events) {
          const d = decide(current, e);
          expect(stageIndex(d.stage)).toBeGreaterThanOrEqual(stageIndex(current.stage));
          expect(d.score).toBeGreaterThanOrEqual(current.score);
          if (d.stage !== current.stage) expect(d.newRun).toBe(true);
          current = { stage: d.stage, score: d.score, status: d.status };
        }
      }),
    );
  });
});
