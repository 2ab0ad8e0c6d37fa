/**
 * LeadFunnel task: the one send chokepoint. Event = `{leadId, run, stage, stepId, template, category, version?}`.
 * A send the frequency cap defers throws SendDeferred (after core/send.ts has put the deferral on the
 * timeline): the state machine catches it into its cap wait, so a send that goes out costs one
 * state transition, with no Choice asking what happened.
 */
import * as z from '../shared/schema.js';
import { STAGES } from '../core/model.js';
import { sendLeadEmail } from '../core/send.js';
import { loadConfig } from '../shared/config.js';
import { logger, taskHandler } from '../shared/logger.js';
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
});

/** Control flow, like SupersededError: the engine never retries it and catches it into the cap wait. */
export class SendDeferred extends Error {
  override name = 'SendDeferred';
}

export const handler = taskHandler(async (event) => {
  const req = payload.parse(event);
  const result = await sendLeadEmail(await sendDeps(), req);
  logger.info('send step finished', { ...req, ...result });
  if (result.outcome === 'deferred') throw new SendDeferred(`${req.stepId} deferred: ${result.reason ?? 'frequency cap'}`);
  return result;
});
