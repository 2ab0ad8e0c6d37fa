/**
 * LeadFunnel task: the one send chokepoint. Event = `{leadId, run, stage, stepId, template, category, version?, window?}`.
 * A send the frequency cap or the step's send window defers throws SendDeferred whose message is the
 * ISO time it may go (after core/send.ts has put the deferral and its reason on the timeline): the
 * state machine catches it and waits until that time, so a send that goes out costs one state
 * transition, with no Choice asking what happened.
 */
import * as z from '../shared/schema.js';
import { STAGES } from '../core/model.js';
import { sendLeadEmail } from '../core/send.js';
import { SEND_WINDOWS } from '../core/send-window.js';
import { loadConfig } from '../shared/config.js';
import { logger, taskHandler } from '../shared/logger.js';
import { withMetrics } from '../shared/metrics.js';
import { sendDepsFactory } from '../shared/send-deps.js';

const config = loadConfig('table', 'mail', 'signing');
const sendDeps = sendDepsFactory(config);

const payload = z.object({
  leadId: z.string().check(z.minLength(1)),
  run: z.number().check(z.int(), z.nonnegative()),
  stage: z.enum([...STAGES, 'recycle']),
  stepId: z.string().check(z.minLength(1)),
  template: z.string().check(z.minLength(1)),
  category: z.enum(['marketing', 'transactional', 'recycle']),
  /** The run's programme version, from the definition: the send's timeline entry records it. */
  version: z.optional(z.number().check(z.int(), z.positive())),
  window: z.optional(z.enum(SEND_WINDOWS)),
});

/**
 * Control flow, like SupersededError: the engine never retries it; it waits until the time that is the
 * message (the definition reads it from the error's Cause) and sends again.
 */
export class SendDeferred extends Error {
  override name = 'SendDeferred';
  constructor(readonly until: string) {
    super(until);
  }
}

// Its send decision is counted by the chokepoint's observer (shared/send-deps.ts → shared/metrics.ts).
export const handler = withMetrics(taskHandler(async (event) => {
  const req = payload.parse(event);
  const result = await sendLeadEmail(await sendDeps(), req);
  logger.info('send step finished', { ...req, ...result });
  if (result.outcome === 'deferred') {
    // A deferral always knows its time (cap: when it frees; window: the next opening); without one it would wait forever.
    if (!result.until) throw new Error(`${req.stepId} deferred (${result.reason ?? 'no reason'}) without a time to try again`);
    throw new SendDeferred(result.until);
  }
  return result;
}));
