/**
 * The domain-event publisher every handler uses: EventBridge on the configured bus, counting the
 * business facts among the events it publishes (shared/metrics.ts) — stage changes, certifications,
 * cancellations are metrics wherever in the app they happen.
 */
import { EventBridgePublisher } from '../adapters/eventbridge.js';
import type { EventPublisher } from '../core/ports.js';
import { eventBridgeClient } from './clients.js';
import type { Config } from './config.js';
import { countingPublisher } from './metrics.js';

/** Needs the 'events' capability of the config. */
export const eventPublisher = (config: Pick<Config, 'eventBusName'>): EventPublisher =>
  countingPublisher(new EventBridgePublisher(eventBridgeClient(), config.eventBusName));
