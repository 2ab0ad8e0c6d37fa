/**
 * EventPublisher over EventBridge PutEvents. Each domain event's deterministic id travels in the
 * Detail, so consumers (CRM sync) can drop the duplicates that at-least-once publishing produces.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '../core/model.js';
import type { EventPublisher } from '../core/ports.js';

export const EVENT_SOURCE = 'sales-flow';
/** PutEvents accepts at most 10 entries per call. */
const BATCH = 10;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: DomainEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += BATCH) {
      const chunk = events.slice(i, i + BATCH);
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: chunk.map((e) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: e.type,
            Time: new Date(e.at),
            Detail: JSON.stringify({ id: e.id, at: e.at, ...e.detail }),
          })),
        }),
      );
      // PutEvents is not all-or-nothing: a partial failure must fail the caller so it retries
      // (the deterministic ids make the re-sent entries harmless).
      if (out.FailedEntryCount) {
        const reasons = (out.Entries ?? []).filter((e) => e.ErrorCode).map((e) => `${e.ErrorCode}: ${e.ErrorMessage}`);
        throw new Error(`EventBridge rejected ${out.FailedEntryCount} of ${chunk.length} events (${reasons.join('; ')})`);
      }
    }
  }
}
