/**
 * Unsubscribing (GET|POST /unsubscribe): suppress the lead at once so the send chokepoint sends no
 * more marketing or nurture email. Idempotent: a second click changes nothing.
 */
import type { Clock } from './clock.js';
import { NotFoundError, VersionConflictError } from './errors.js';
import type { IdGenerator, LeadStore } from './ports.js';
import { timelineEntry } from './timeline.js';

const MAX_ATTEMPTS = 5;

export async function unsubscribeLead(
  deps: { store: LeadStore; clock: Clock; ids: IdGenerator },
  leadId: string,
): Promise<{ leadId: string; alreadySuppressed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const lead = await deps.store.get(leadId);
    if (!lead) throw new NotFoundError(`Lead ${leadId} not found`);
    if (lead.suppressed) return { leadId, alreadySuppressed: true };
    const now = deps.clock.now();
    const at = now.toISOString();
    try {
      await deps.store.save({ ...lead, suppressed: { at, reason: 'unsubscribed' }, updatedAt: at }, lead.version, [
        timelineEntry(deps.ids, leadId, now, 'unsubscribed', 'Unsubscribed by link'),
      ]);
      return { leadId, alreadySuppressed: false };
    } catch (err) {
      if (!(err instanceof VersionConflictError) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}
