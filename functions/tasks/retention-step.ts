/**
 * CustomerRetention tasks, one Lambda: `plan` answers when the next thing is due (or that the run may
 * end), `act` recomputes health and does what is due (check-ins, the NPS survey, owner emails, renewal
 * reminders, closed-loop follow-ups, the next term). Event = `{customerId, run, op, stateMachineArn, version}`.
 */
import { actRetention, planRetention } from '../core/retention-run.js';
import { loadConfig } from '../shared/config.js';
import { logger, taskHandler } from '../shared/logger.js';
import { countMetric, withMetrics } from '../shared/metrics.js';
import { retentionDepsFactory } from '../shared/retention-deps.js';
import * as z from '../shared/schema.js';

const config = loadConfig('table', 'events', 'mail', 'signing', 'manager');
const depsFor = retentionDepsFactory(config);

const payload = z.object({
  customerId: z.string().check(z.minLength(1)),
  run: z.number().check(z.int(), z.nonnegative()),
  op: z.enum(['plan', 'act']),
  /** The run's own state machine ($$.StateMachine.Id), for the next run it may start. */
  stateMachineArn: z.string().check(z.minLength(1)),
  version: z.optional(z.number()),
});

export const handler = withMetrics(taskHandler(async (event) => {
  const { op, stateMachineArn, version, ...req } = payload.parse(event);
  const deps = { ...(await depsFor(stateMachineArn)), ...(version !== undefined ? { programmeVersion: version } : {}) };
  const result = op === 'plan' ? await planRetention(deps, req) : await actRetention(deps, req);
  logger.info(`retention ${op} finished`, { ...req, ...result });
  // Sends are counted by the chokepoint; an item skipped as too late never reaches it.
  if ('done' in result) for (const item of result.done) if (item.endsWith(':stale')) countMetric('EmailsSkipped', 'stale');
  return result;
}));
