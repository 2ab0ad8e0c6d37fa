/** LeadFunnel task: the one send chokepoint. Event = `{leadId, run, stage, stepId, template, category}`. */
import { z } from 'zod';
import { STAGES } from '../core/model.js';
import { sendLeadEmail } from '../core/send.js';
import { loadConfig } from '../shared/config.js';
import { logger, taskHandler } from '../shared/logger.js';
import { sendDepsFactory } from '../shared/send-deps.js';

const config = loadConfig('table', 'mail', 'signing');
const sendDeps = sendDepsFactory(config);

const payload = z.object({
  leadId: z.string().min(1),
  run: z.number().int().nonnegative(),
  stage: z.enum([...STAGES, 'recycle']),
  stepId: z.string().min(1),
  template: z.string().min(1),
  category: z.enum(['marketing', 'transactional', 'recycle']),
});

export const handler = taskHandler(async (event) => {
  const req = payload.parse(event);
  const result = await sendLeadEmail(await sendDeps(), req);
  logger.info('send step finished', { ...req, ...result });
  return result;
});
