/**
 * The catch path of the workflows whose subjects keep their own timeline (RepOnboarding, CustomerRetention):
 * a task that failed after its retries is recorded on the rep's or customer's timeline, so nobody has to
 * dig through execution history to learn why reminders stopped. Never fails itself on a bad cause (it
 * would hide the original error); a subject erased meanwhile gets nothing written (its partition is gone).
 */
import { randomIds } from '../core/ids.js';
import { repEntry } from '../core/rep-send.js';
import { loadConfig } from '../shared/config.js';
import { taskHandler } from '../shared/logger.js';
import { repStore } from '../shared/onboarding-deps.js';
import { customerStore } from '../shared/retention-deps.js';
import * as z from '../shared/schema.js';

const config = loadConfig('table');
const reps = repStore(config);
const customers = customerStore(config);

const payload = z.object({
  repId: z.optional(z.string().check(z.minLength(1))),
  customerId: z.optional(z.string().check(z.minLength(1))),
  run: z.optional(z.number()),
  error: z.optional(z.string()),
  cause: z.optional(z.unknown()),
});
const MAX_CAUSE = 2000;

export const handler = taskHandler(async (event) => {
  const req = payload.parse(event);
  const error = req.error || 'UnknownError';
  const cause = typeof req.cause === 'string' ? req.cause : JSON.stringify(req.cause ?? '');
  const data = { run: req.run, error, cause: cause.length > MAX_CAUSE ? `${cause.slice(0, MAX_CAUSE)}…` : cause };
  if (req.customerId) {
    if (!(await customers.get(req.customerId))) return { recorded: false as const };
    await customers.appendTimeline(req.customerId, [repEntry(randomIds, config.clock.now(), 'workflow_failed', `Retention step failed: ${error}`, data)]);
    return { recorded: true as const };
  }
  if (!req.repId) throw new Error('a failure needs a repId or a customerId');
  await reps.appendTimeline(req.repId, [repEntry(randomIds, config.clock.now(), 'workflow_failed', `Onboarding step failed: ${error}`, data)]);
  return { recorded: true as const };
});
