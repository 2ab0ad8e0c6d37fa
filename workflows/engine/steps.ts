/**
 * The step kinds every programme is written in: plain data, no validation (Lambdas import programme
 * data, and must not carry a schema library for it). The schema is engine/schema.ts; the states are
 * built by engine/builder.ts.
 */
import type { SendCategory } from '../../functions/core/templates.js';

export type { SendCategory };

/** A length of time; at least one part, all positive. */
export interface Span {
  days?: number;
  hours?: number;
  minutes?: number;
}

/** Send a template to the subject. `id` is unique in its list: the exactly-once ledger is keyed by it. */
export interface SendStep {
  kind: 'send';
  id: string;
  template: string;
  category: SendCategory;
}

/** Wait a fixed time. */
export interface WaitStep extends Span {
  kind: 'wait';
}

/** Wait until a time known only at run time (a due date, a renewal date) held in the input at `at`. */
export interface WaitUntilStep {
  kind: 'waitUntil';
  id: string;
  /** Field of the execution input holding an ISO-8601 timestamp, e.g. `dueAt` or `module.dueAt`. */
  at: string;
}

/**
 * Wait for an event, at most `timeout`. The event itself starts a new numbered run of the subject at a
 * named entry point (superseding this run), so in this run the step is a Wait of the timeout followed
 * by what happens when nothing came: `onTimeout`, then the steps after this one.
 */
export interface WaitForEventStep {
  kind: 'waitForEvent';
  id: string;
  /** What is awaited, in words for state names ("module completed"). */
  event: string;
  timeout: Span;
  onTimeout: Step[];
}

/** Route on a field of an earlier task's result (`<task id>.<field>`). */
export interface BranchStep {
  kind: 'branch';
  id: string;
  on: string;
  cases: Array<{ equals: string | number | boolean; steps: Step[] }>;
  otherwise: Step[];
}

/**
 * A/B split: a small task picks an arm deterministically from the subject id and the split id (the
 * same subject always lands in the same arm) and records the arm on the subject's timeline.
 */
export interface SplitStep {
  kind: 'split';
  id: string;
  arms: Array<{ name: string; percent: number; steps: Step[] }>;
}

/** Call a task Lambda of the workflow; its `keep` result fields are kept at `$.<id>` for a branch. */
export interface TaskStep {
  kind: 'task';
  id: string;
  /** The workflow's function key (e.g. `setLeadStatus`). */
  task: string;
  payload?: Record<string, string | number | boolean>;
  keep?: string[];
}

export type Step = SendStep | WaitStep | WaitUntilStep | WaitForEventStep | BranchStep | SplitStep | TaskStep;
export type StepKind = Step['kind'];

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
