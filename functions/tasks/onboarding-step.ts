/**
 * RepOnboarding tasks, one Lambda: `plan` answers when the next thing is due (or that the run may end),
 * `act` does what is due now (welcome, the daily digest, escalation, sign-off request, certification
 * reminders, recertification, lapse). Event = `{repId, run, op, stateMachineArn, version}`.
 */
import { QueuedStarts, StepFunctionsStarter } from '../adapters/sfn-starter.js';
import { actOnboarding, planOnboarding } from '../core/onboarding-run.js';
import { sfnClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { logger, taskHandler } from '../shared/logger.js';
import { withMetrics } from '../shared/metrics.js';
import { onboardingDeps } from '../shared/onboarding-deps.js';
import * as z from '../shared/schema.js';

const config = loadConfig('table', 'funnel', 'events', 'sender', 'manager');
const deps = onboardingDeps(config);

const payload = z.object({
  repId: z.string().check(z.minLength(1)),
  run: z.number().check(z.int(), z.nonnegative()),
  op: z.enum(['plan', 'act']),
  /** The run's own state machine ($$.StateMachine.Id), for the next run it may start. */
  stateMachineArn: z.string().check(z.minLength(1)),
  version: z.optional(z.number()),
});

export const handler = withMetrics(taskHandler(async (event) => {
  const { op, stateMachineArn, version, ...req } = payload.parse(event);
  // Next runs are queued in the run outbox (StartRuns starts them); a superseded run is stopped at once.
  const runs = new QueuedStarts(new StepFunctionsStarter(sfnClient(), { LeadFunnel: config.funnelStateMachineArn, RepOnboarding: stateMachineArn }));
  const withRuns = { ...deps, runs, programmeVersion: version ?? deps.programmeVersion };
  const result = op === 'plan' ? await planOnboarding(withRuns, req) : await actOnboarding(withRuns, req);
  logger.info(`onboarding ${op} finished`, { ...req, ...result });
  return result;
}));
