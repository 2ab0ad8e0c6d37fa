import type { IdGenerator } from './ports.js';
import type { TimelineEntry, TimelineEntryType } from './model.js';

/** Builds a timeline entry; every state change and event of a lead is recorded through this. */
export function timelineEntry(
  ids: IdGenerator,
  leadId: string,
  at: Date | string,
  type: TimelineEntryType,
  summary: string,
  data?: Record<string, unknown>,
): TimelineEntry {
  return {
    leadId,
    entryId: ids.next(),
    at: typeof at === 'string' ? at : at.toISOString(),
    type,
    summary,
    ...(data ? { data } : {}),
  };
}
