import type { IdGenerator } from './ports.js';
import type { TimelineEntry, TimelineEntryType } from './model.js';

/**
 * Entries written by one change share a timestamp; numbering them under the first one's id keeps
 * the timeline in the order they were made (ids alone are random within a millisecond).
 */
export function inWriteOrder(entries: TimelineEntry[]): TimelineEntry[] {
  const base = entries[0]?.entryId;
  return entries.map((e, i) => ({ ...e, entryId: `${base}.${String(i).padStart(2, '0')}` }));
}

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
