/**
 * Processed-event markers: one item per event id (keys.processedEvent), written in the same transaction
 * as the change the event made, so a repeated delivery (same eventId) changes nothing. Whichever store
 * the event changed (a lead, a customer) stages the marker with this one builder.
 */
import type { DomainEvent } from '../../core/model.js';
import { keys } from '../../table/keys.js';
import type { TransactItem } from './unit-of-work.js';

/** Markers expire after a year and a day: a redelivery later than that is not a retry. */
export const PROCESSED_EVENT_TTL_SECONDS = 366 * 86_400;

export function processedEventPut(tableName: string, eventId: string, subject: Record<string, string>, at: Date, domainEvents: DomainEvent[] = []): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.processedEvent(eventId),
        entity: 'processedEvent',
        ...subject,
        processedAt: at.toISOString(),
        expiresAt: Math.floor(at.getTime() / 1000) + PROCESSED_EVENT_TTL_SECONDS,
        ...(domainEvents.length ? { unpublished: domainEvents } : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
