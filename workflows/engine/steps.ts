/**
 * Helpers over the step kinds (functions/core/programme.ts owns the kinds themselves): durations,
 * their names in state names, and the walk over every send step of a programme.
 */
import type { SendStep, Span, Step } from '../../functions/core/programme.js';

export type * from '../../functions/core/programme.js';

export const spanSeconds = (s: Span) => Math.round((s.days ?? 0) * 86_400 + (s.hours ?? 0) * 3_600 + (s.minutes ?? 0) * 60);

/** "3 days", "12 hours", "1 day 6 hours". */
export function describeSpan(s: Span): string {
  const part = (n: number | undefined, unit: string) => (n ? `${n} ${unit}${n === 1 ? '' : 's'}` : '');
  return [part(s.days, 'day'), part(s.hours, 'hour'), part(s.minutes, 'minute')].filter(Boolean).join(' ');
}

/** Every send step of a list, arms and timeout branches included, with where it sits. */
export function* sendSteps(steps: readonly Step[], where: string): Generator<{ step: SendStep; where: string }> {
  for (const [i, step] of steps.entries()) {
    const at = `${where}[${i}]`;
    if (step.kind === 'send') yield { step, where: at };
    else if (step.kind === 'waitForEvent') yield* sendSteps(step.onTimeout, `${at}.onTimeout`);
    else if (step.kind === 'branch') {
      for (const [c, k] of step.cases.entries()) yield* sendSteps(k.steps, `${at}.cases[${c}].steps`);
      yield* sendSteps(step.otherwise, `${at}.otherwise`);
    } else if (step.kind === 'split') for (const [a, arm] of step.arms.entries()) yield* sendSteps(arm.steps, `${at}.arms[${a}].steps`);
  }
}
