/**
 * RepOnboarding's catch path: a task that failed after its retries is recorded on the rep's timeline,
 * so nobody has to dig through execution history to learn why reminders stopped. Never fails itself
 * on a bad cause (it would hide the original error).
 */
import { randomIds } from '../core/ids.js';
import { repEntry } from '../core/rep-send.js';
import { loadConfig } from '../shared/config.js';
import { taskHandler } from '../shared/logger.js';
import { repStore } from '../shared/onboarding-deps.js';
import * as z from '../shared/schema.js';

const config = loadConfig('table');
const reps = repStore(config);

const payload = z.object({ repId: z.string().check(z.minLength(1)), run: z.optional(z.number()), error: z.optional(z.string()), cause: z.optional(z.unknown()) });
const MAX_CAUSE = 2000;

export const handler = taskHandler(async (event) => {
  const req = payload.parse(event);
  const error = req.error || 'UnknownError';
  const cause = typeof req.cause === 'string' ? req.cause : JSON.stringify(req.cause ?? '');
  await reps.appendTimeline(req.repId, [
    repEntry(randomIds, config.clock.now(), 'workflow_failed', `Onboarding step failed: ${error}`, { run: req.run, error, cause: cause.length > MAX_CAUSE ? `${cause.slice(0, MAX_CAUSE)}…` : cause }),
  ]);
  return { recorded: true as const };
});
