/**
 * LeadFunnel catch path: records the failure on the lead's timeline. The payload is validated
 * leniently on purpose — a catch that rejects its own input would lose the very failure it records.
 */
import { recordFailure } from '../core/failure.js';
import { randomIds } from '../core/ids.js';
import { loadConfig } from '../shared/config.js';
import { leadStore } from '../shared/lead-store.js';
import { logger, taskHandler } from '../shared/logger.js';
import * as z from '../shared/schema.js';

const config = loadConfig('table');
const leads = leadStore(config);

const payload = z.object({
  leadId: z.string().check(z.minLength(1)),
  run: z.catch(z.optional(z.coerce.number()), undefined),
  error: z.catch(z.optional(z.string()), undefined),
  cause: z.optional(z.unknown()),
});

export const handler = taskHandler(async (event) => {
  const req = payload.parse(event);
  logger.error('funnel step failed', { ...req });
  return recordFailure({ leads, clock: config.clock, ids: randomIds }, req);
});
