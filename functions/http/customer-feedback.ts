/**
 * POST /customers/{customerId}/feedback (API key): an NPS answer collected elsewhere (a survey tool, a
 * CSM's call) runs the same closed loop as the survey link — health, the detractor's call-back task and
 * quiet period, the run's follow-up. `responseId` makes a retry harmless; without it every post is an
 * answer of its own. `respondentEmail` is checked but not kept: the customer record already names them.
 */
import { recordNps } from '../core/customers.js';
import { npsCategory } from '../core/nps.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { countNpsAnswer } from '../shared/metrics.js';
import { customerEventDeps } from '../shared/retention-deps.js';
import * as z from '../shared/schema.js';
import { emailAddress, identifier, plainText } from '../shared/validation.js';

const config = loadConfig('table', 'customers', 'events');
const deps = customerEventDeps(config);

const params = z.object({ customerId: identifier(120) });

export const feedbackBody = z.strictObject({
  nps: z.number().check(z.int('must be a whole number from 0 to 10'), z.gte(0), z.lte(10)),
  comment: z.optional(plainText(2000, { multiline: true })),
  respondentEmail: z.optional(emailAddress()),
  responseId: z.optional(z.pipe(plainText(200), z.string().check(z.minLength(1, 'must not be empty')))),
});

export const handler = httpRoute(
  async (event) => {
    const { customerId } = params.parse(event.pathParameters ?? {});
    const body = feedbackBody.parse(event.parsedBody);
    const answerId = body.responseId ? `feedback:${body.responseId}` : deps.ids.next('feedback_');
    const { outcome, customer } = await recordNps(deps, customerId, { score: body.nps, ...(body.comment ? { comment: body.comment } : {}), source: 'api' }, answerId);
    if (outcome === 'duplicate') return json(200, { status: 'duplicate', customerId });
    countNpsAnswer(body.nps);
    return json(202, { customerId, nps: body.nps, category: npsCategory(body.nps), ...(customer.health ? { health: { score: customer.health.score, band: customer.health.band } } : {}) });
  },
  { body: 'json' },
);
