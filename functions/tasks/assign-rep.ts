/**
 * LeadFunnel task: assign a decision-stage lead to a rep, or take the next step of the SLA ladder
 * after a miss. Answers `next` (watch-sla | queue | nurture), which the state machine routes on.
 */
import { DynamoRepRoster } from '../adapters/dynamodb/rep-roster.js';
import { DynamoRepStore } from '../adapters/dynamodb/rep-store.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import { assignRep } from '../core/assignment.js';
import { randomIds } from '../core/ids.js';
import { documentClient, sesClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { eventPublisher } from '../shared/event-publisher.js';
import { leadStore } from '../shared/lead-store.js';
import { logger, taskHandler } from '../shared/logger.js';
import { countMetric, withMetrics } from '../shared/metrics.js';
import * as z from '../shared/schema.js';
import { funnelProgramme } from '../../workflows/programmes/funnel.js';
import { teamMessages } from '../../workflows/templates/team.js';

// Rep and manager emails only: no footer address or unsubscribe links.
const config = loadConfig('table', 'manager', 'events', 'sender');
const deps = {
  leads: leadStore(config),
  roster: new DynamoRepRoster(documentClient(), config.tableName),
  // Records a rep's first lead on the rep (ramp).
  reps: new DynamoRepStore(documentClient(), config.tableName, () => config.clock.now()),
  mailer: new SesMailer(sesClient(), { from: config.senderAddress, configurationSetName: config.sesConfigurationSet }),
  publisher: eventPublisher(config),
  clock: config.clock,
  ids: randomIds,
  team: teamMessages,
};

const payload = z.object({
  leadId: z.string().check(z.minLength(1)),
  run: z.number().check(z.int(), z.nonnegative()),
  reason: z.enum(['decision', 'queue-retry', 'sla-miss']),
  // Sent by the state machine (the SLA it actually waits for); the programme's values otherwise.
  slaHours: z._default(z.number().check(z.positive()), funnelProgramme.handoff.slaHours),
  escalateAfterMisses: z._default(z.number().check(z.int(), z.gte(1)), funnelProgramme.handoff.escalateAfterMisses),
});

export const handler = withMetrics(taskHandler(async (event) => {
  const { slaHours, escalateAfterMisses, ...req } = payload.parse(event);
  const result = await assignRep({ ...deps, settings: { managerEmail: config.managerEmail, slaHours, escalateAfterMisses } }, req);
  logger.info('assignment finished', { ...req, ...result });
  if (result.slaMissed) countMetric('SlaMisses');
  return result;
}));
