/**
 * Unsubscribing (GET|POST /unsubscribe): suppress the lead at once so the send chokepoint sends no
 * more marketing or nurture email. Idempotent: a second click changes nothing.
 */
import type { Clock } from './clock.js';
import { NotFoundError } from './errors.js';
import type { IdGenerator, LeadStore } from './ports.js';
import { withOptimisticRetry } from './retry.js';
import { timelineEntry } from './timeline.js';

export async function unsubscribeLead(
  deps: { store: LeadStore; clock: Clock; ids: IdGenerator },
  leadId: string,
): Promise<{ leadId: string; alreadySuppressed: boolean }> {
  return withOptimisticRetry(async () => {
    const lead = await deps.store.get(leadId);
    if (!lead) throw new NotFoundError(`Lead ${leadId} not found`);
    if (lead.suppressed) return { leadId, alreadySuppressed: true };
    const now = deps.clock.now();
    const at = now.toISOString();
    await deps.store.save({ ...lead, suppressed: { at, reason: 'unsubscribed' }, updatedAt: at }, lead.version, [
      timelineEntry(deps.ids, leadId, now, 'unsubscribed', 'Unsubscribed by link'),
    ]);
    return { leadId, alreadySuppressed: false };
  });
}
