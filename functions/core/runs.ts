/**
 * Runs of any workflow, for any subject: each (re)start of a subject's execution is a new numbered run
 * named `<subjectId>-r<run>`, so starting a run twice is a no-op and a retried request repairs a lost
 * start. Progress that changes what a run should do bumps the run and starts the next one; every task
 * of an older run finds it superseded and its execution ends quietly (the funnel's pattern, for all).
 */
import { SupersededError } from './errors.js';
import type { WorkflowName } from './model.js';
import type { StartOutcome, WorkflowInputs, WorkflowRuns } from './ports.js';

export const runExecutionName = (subjectId: string, run: number) => `${subjectId}-r${run}`;

/** A task of `run` may act only while the subject is still on it. */
export function assertCurrentRun(workflow: WorkflowName, subjectId: string, current: number | undefined, run: number): void {
  if ((current ?? 0) !== run) throw new SupersededError(`${workflow} of ${subjectId} is on run ${current ?? 0}, not ${run}`);
}

/**
 * After a save that bumped the subject's run: stop the old execution (its tasks would be superseded
 * anyway; this only ends it sooner) and start the new one.
 */
export async function supersedeRun<W extends WorkflowName>(
  runs: WorkflowRuns,
  workflow: W,
  subjectId: string,
  previousRun: number | undefined,
  next: WorkflowInputs[W],
  reason: string,
): Promise<StartOutcome> {
  if (previousRun) await runs.stopRun(workflow, subjectId, previousRun, reason);
  return runs.startRun(workflow, subjectId, next);
}
