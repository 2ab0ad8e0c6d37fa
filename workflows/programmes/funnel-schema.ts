/**
 * The LeadFunnel programme's schema: the engine's step kinds per stage, plus the hand-off settings.
 * Imported by infra and tests only, never by a Lambda.
 */
import { z } from 'zod';
import { STAGES } from '../../functions/core/model.js';
import { stepSchemas, validateWith, type StepRules } from '../engine/schema.js';
import { leadTemplates } from '../templates/index.js';
import type { FunnelProgramme } from './types.js';

/** Function keys a funnel programme's task steps may call. */
export const FUNNEL_TASKS = ['setLeadStatus', 'assignRep', 'checkRepContact'] as const;

export function funnelProgrammeSchema(rules: StepRules) {
  const { list } = stepSchemas(rules);
  const stage = list.refine((steps) => steps.length > 0, { message: 'a stage needs at least one step' });
  return z.strictObject({
    stages: z.strictObject(Object.fromEntries(STAGES.map((s) => [s, stage])) as Record<(typeof STAGES)[number], typeof stage>),
    recycle: list.refine((steps) => steps.some((s) => s.kind === 'send'), { message: 'the recycle nurture needs at least one send' }),
    handoff: z.strictObject({
      slaHours: z.number().positive(),
      queueRetryHours: z.number().positive(),
      escalateAfterMisses: z.number().int().min(1),
    }),
  });
}

/** Validates programme data; throws one message listing every problem with its path. */
export function parseFunnelProgramme(data: unknown, templates: readonly string[] = Object.keys(leadTemplates)): FunnelProgramme {
  return validateWith(funnelProgrammeSchema({ templates, tasks: FUNNEL_TASKS }), data, 'funnel programme') as FunnelProgramme;
}
