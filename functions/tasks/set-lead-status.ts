/** LeadFunnel task: recycle a lead whose programme ran out, or close it as dormant. */
import { randomIds } from '../core/ids.js';
import { setLeadStatus } from '../core/lead-status.js';
import { loadConfig } from '../shared/config.js';
import { eventPublisher } from '../shared/event-publisher.js';
import { leadStore } from '../shared/lead-store.js';
import { logger, taskHandler } from '../shared/logger.js';
import * as z from '../shared/schema.js';

const config = loadConfig('table', 'events');
const deps = {
  leads: leadStore(config),
  publisher: eventPublisher(config),
  clock: config.clock,
  ids: randomIds,
};

const payload = z.object({
  leadId: z.string().check(z.minLength(1)),
  run: z.number().check(z.int(), z.nonnegative()),
  status: z.enum(['recycled', 'dormant']),
});

export const handler = taskHandler(async (event) => {
  const req = payload.parse(event);
  const result = await setLeadStatus(deps, req);
  logger.info('lead status set', { ...req, ...result });
  return result;
});
