/** POST /events — engagement and business events from webhooks (API key). */
import { secretReader } from '../adapters/secrets.js';
import { completeIntake } from '../core/capture.js';
import { ingestAnyEvent } from '../core/events.js';
import { captureDeps } from '../shared/capture-deps.js';
import { secretsClient } from '../shared/clients.js';
import { EVENT_TYPES } from '../core/model.js';
import { loadConfig } from '../shared/config.js';
import { funnelDeps } from '../shared/funnel-deps.js';
import { customerEventDeps } from '../shared/retention-deps.js';
import { httpRoute, json } from '../shared/http.js';
import { countNpsAnswer } from '../shared/metrics.js';
import * as z from '../shared/schema.js';
import { emailAddress, identifier, jsonProperties, plainText } from '../shared/validation.js';

const config = loadConfig('table', 'funnel', 'customers', 'events', 'signing');
const customers = customerEventDeps(config);
const intakeDeps = captureDeps(config, customers, secretReader(secretsClient()));
// An event for a lead whose submission's intake is still pending completes it first (core/capture.ts).
const deps = { ...funnelDeps(config), customers, intake: (leadId: string) => completeIntake(intakeDeps, leadId) };

export const eventBody = z
  .strictObject({
    eventId: z.pipe(plainText(200), z.string().check(z.minLength(1, 'must not be empty'))),
    type: z.enum(EVENT_TYPES),
    email: z.optional(emailAddress()),
    leadId: z.optional(identifier(100)),
    customerId: z.optional(identifier(120)),
    occurredAt: z.optional(z.iso.datetime({ offset: true })),
    /** Free-form, but storable as it is: finite numbers within 2^53, non-empty keys, at most 8 levels deep. */
    properties: z.optional(jsonProperties()),
  })
  .check(
    z.refine((e) => [e.email, e.leadId, e.customerId].filter((v) => v !== undefined).length === 1, {
      message: 'exactly one of email, leadId or customerId is required',
      path: ['leadId'],
    }),
  );

export const handler = httpRoute(
  async (event) => {
    const body = eventBody.parse(event.parsedBody);
    const occurredAt = new Date(Math.min(config.clock.now().getTime(), body.occurredAt ? config.clock.fromWallClock(new Date(body.occurredAt)).getTime() : Infinity)).toISOString();
    const result = await ingestAnyEvent(deps, { ...body, occurredAt });
    if (result.subject === 'customer') {
      const { customerId, leadId, status, health } = result.customer;
      if (result.outcome === 'duplicate') return json(200, { status: 'duplicate', customerId, leadId });
      // Stage changes, cancellations and the like are counted as their domain events are published.
      if (body.type === 'nps_submitted') countNpsAnswer(Number(body.properties?.score));
      return json(202, { customerId, leadId, status: status ?? 'active', ...(health ? { health: { score: health.score, band: health.band } } : {}) });
    }
    const { leadId, stage, score, status } = result.lead;
    if (result.outcome === 'duplicate') return json(200, { status: 'duplicate', leadId });
    return json(202, { leadId, stage, score, status });
  },
  { body: 'json' },
);
