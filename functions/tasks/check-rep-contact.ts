/** LeadFunnel task: has the assigned rep logged contact since the assignment? */
import { checkRepContact } from '../core/assignment.js';
import { loadConfig } from '../shared/config.js';
import { leadStore } from '../shared/lead-store.js';
import { logger, taskHandler } from '../shared/logger.js';
import * as z from '../shared/schema.js';

const config = loadConfig('table');
const leads = leadStore(config);

const payload = z.object({ leadId: z.string().check(z.minLength(1)), run: z.number().check(z.int(), z.nonnegative()) });

export const handler = taskHandler(async (event) => {
  const req = payload.parse(event);
  const result = await checkRepContact({ leads }, req);
  logger.info('rep contact checked', { ...req, ...result });
  return result;
});
