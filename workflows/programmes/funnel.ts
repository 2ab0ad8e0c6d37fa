/**
 * The default LeadFunnel programme: what each stage sends and waits, the recycle nurture, the hand-off
 * SLA. Plain data on purpose: Lambdas import it (AssignRep's defaults) and must not carry a schema
 * library for it. It is validated once, at synth, by funnel-schema.ts — a typo (unknown template,
 * duplicate step id, zero wait) fails `cdk synth` with the path of the bad value.
 */
import type { FunnelProgramme, SendCategory } from './types.js';

const send = (id: string, template: string, category: SendCategory = 'marketing') => ({ kind: 'send', id, template, category }) as const;
const waitDays = (days: number) => ({ kind: 'wait', days }) as const;

export const funnelProgramme: FunnelProgramme = {
  stages: {
    awareness: [
      send('welcome', 'awareness-welcome', 'transactional'),
      waitDays(3),
      send('educational-1', 'awareness-educational-1'),
      waitDays(5),
      send('educational-2', 'awareness-educational-2'),
      waitDays(6),
    ],
    interest: [
      send('case-study-1', 'interest-case-study-1'),
      waitDays(4),
      send('case-study-2', 'interest-case-study-2'),
      waitDays(7),
    ],
    consideration: [
      send('comparison-guide', 'consideration-comparison-guide'),
      waitDays(4),
      send('roi-calculator', 'consideration-roi-calculator'),
      waitDays(7),
    ],
    decision: [
      send('proposal', 'decision-proposal'),
      waitDays(3),
      send('follow-up-1', 'decision-follow-up-1'),
      waitDays(4),
      send('follow-up-2', 'decision-follow-up-2'),
      waitDays(7),
    ],
    purchase: [send('thank-you', 'purchase-thank-you', 'transactional')],
  },
  recycle: [1, 2, 3, 4].flatMap((n) => [waitDays(30), send(`monthly-${n}`, `recycle-monthly-${n}`, 'recycle')]),
  handoff: { slaHours: 24, queueRetryHours: 4, escalateAfterMisses: 2 },
};
