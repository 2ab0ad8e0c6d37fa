/**
 * EraseClosedLeads — run daily by an EventBridge schedule: erases closed leads (lost, disqualified,
 * dormant) whose last activity is older than CLOSED_LEAD_RETENTION_MONTHS.
 */
import { eraseClosedLeads } from '../core/privacy.js';
import { loadConfig } from '../shared/config.js';
import { logger, taskHandler } from '../shared/logger.js';
import { privacyDeps } from '../shared/privacy-deps.js';
import * as z from '../shared/schema.js';

const config = loadConfig('table', 'funnel', 'signing', 'retention');
const deps = privacyDeps(config);

/**
 * The scheduled event is EventBridge's (ignored). `now` lets an operator (or a test) run the job as
 * of another day, e.g. to see what a shorter period would erase; it never changes the period itself.
 */
const overrides = z.looseObject({ now: z.optional(z.iso.datetime()) });

export const handler = taskHandler(async (event) => {
  const parsed = overrides.safeParse(event ?? {});
  const now = parsed.success && parsed.data.now ? new Date(parsed.data.now) : undefined;
  const run = await eraseClosedLeads(deps, { retentionMonths: config.closedLeadRetentionMonths, now });
  logger.info('closed leads past retention erased', { cutoff: run.cutoff, erased: run.erased.length, skipped: run.skipped });
  return run;
});
