/**
 * The step kinds every programme is written in — the workflow vocabulary, so the core owns it and
 * programme data (workflows/programmes) imports only this. Plain data, no validation: Lambdas import
 * programme data and must not carry a schema library for it. The schema is workflows/engine/schema.ts;
 * the states are built by workflows/engine/builder.ts.
 */
import type { SendWindow } from './send-window.js';
import type { SendCategory } from './templates.js';

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
  /**
   * `business-hours`: goes out only inside business hours in the recipient's time zone; outside them
   * the send waits for the next opening (deferred like the frequency cap, never dropped).
   */
  window?: SendWindow;
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
