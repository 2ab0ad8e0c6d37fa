/**
 * A what-if for `npm run simulate -- --compare scripts/simulate/variants/faster-nurture.ts`: the shipped funnel
 * with every nurture wait about 40% shorter (a stage's emails come closer together; the recycle nurture
 * unchanged). Same steps, same templates, so the same published programme steps: only the cadence differs.
 */
import { funnelProgramme } from '../../../workflows/programmes/funnel.js';
import type { FunnelProgramme, ProgrammeStep } from '../../../workflows/programmes/types.js';

const faster = (steps: ProgrammeStep[]): ProgrammeStep[] =>
  steps.map((step) => (step.kind === 'wait' && 'days' in step && typeof step.days === 'number' ? { ...step, days: Math.max(1, Math.round(step.days * 0.6)) } : step));

const stages = Object.fromEntries(Object.entries(funnelProgramme.stages).map(([stage, steps]) => [stage, faster(steps)])) as FunnelProgramme['stages'];

export const programmes = {
  LeadFunnel: { ...funnelProgramme, stages } satisfies FunnelProgramme,
};
