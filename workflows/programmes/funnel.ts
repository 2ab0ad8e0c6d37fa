/**
 * The default LeadFunnel programme: what each stage sends and waits, the recycle nurture, the hand-off
 * SLA. It is validated when imported — the CDK app imports it at synth, so a typo (unknown template,
 * duplicate step id, zero wait) fails `cdk synth` with the path of the bad value instead of
 * producing a state machine that misbehaves weeks into a lead's life.
 */
import { z } from 'zod';
import { STAGES } from '../../functions/core/model.js';
import { leadTemplates } from '../templates/index.js';
import type { FunnelProgramme } from './types.js';

/** Step ids end up in state names and ledger keys: keep them short and plain. */
const stepId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and dashes (max 40)');

const sendStep = z.strictObject({
  kind: z.literal('send'),
  id: stepId,
  template: z.string().refine((name) => name in leadTemplates, { message: 'names no template in workflows/templates' }),
  category: z.enum(['marketing', 'transactional', 'recycle']),
});

const waitStep = z
  .strictObject({
    kind: z.literal('wait'),
    days: z.number().positive().optional(),
    hours: z.number().positive().optional(),
  })
  .refine((w) => w.days !== undefined || w.hours !== undefined, { message: 'a wait needs days or hours' });

const step = z.discriminatedUnion('kind', [sendStep, waitStep]);

/** Send ids must be unique in a list: the exactly-once ledger is keyed by them. */
function uniqueSendIds(steps: z.infer<typeof step>[], ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  steps.forEach((s, i) => {
    if (s.kind !== 'send') return;
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate send id "${s.id}"` });
    seen.add(s.id);
  });
}

const stageSteps = z.array(step).min(1, 'a stage needs at least one step').superRefine(uniqueSendIds);

export const funnelProgrammeSchema = z.strictObject({
  stages: z.strictObject(Object.fromEntries(STAGES.map((s) => [s, stageSteps])) as Record<(typeof STAGES)[number], typeof stageSteps>),
  recycle: z
    .array(step)
    .superRefine(uniqueSendIds)
    .refine((steps) => steps.some((s) => s.kind === 'send'), { message: 'the recycle nurture needs at least one send' }),
  handoff: z.strictObject({
    slaHours: z.number().positive(),
    queueRetryHours: z.number().positive(),
    escalateAfterMisses: z.number().int().min(1),
  }),
  capRetryHours: z.number().positive(),
});

/** `stages.awareness[2].template` — the way a person would point at the value. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

/** Validates programme data; throws one message listing every problem with its path. */
export function parseFunnelProgramme(data: unknown): FunnelProgramme {
  const result = funnelProgrammeSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`);
    throw new Error(`invalid funnel programme — ${problems.join('; ')}`);
  }
  return result.data as FunnelProgramme;
}

const send = (id: string, template: string, category: 'marketing' | 'transactional' | 'recycle' = 'marketing') =>
  ({ kind: 'send', id, template, category }) as const;
const waitDays = (days: number) => ({ kind: 'wait', days }) as const;

export const funnelProgramme: FunnelProgramme = parseFunnelProgramme({
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
  capRetryHours: 24,
});
