/** Reading leads (GET /leads/{leadId}, GET /leads). */
import { NotFoundError, ValidationError } from './errors.js';
import type { Lead, Stage, TimelineEntry } from './model.js';
import type { LeadStore, Page } from './ports.js';

export interface LeadView {
  lead: Lead;
  timeline: TimelineEntry[];
}

export async function getLead(store: LeadStore, leadId: string): Promise<LeadView> {
  const [lead, timeline] = await Promise.all([store.get(leadId), store.timeline(leadId)]);
  if (!lead) throw new NotFoundError(`Lead ${leadId} not found`);
  return { lead, timeline };
}

export interface ListQuery {
  stage?: Stage;
  /** A rep id, or 'unassigned' for leads without an owner. */
  owner?: string;
  limit: number;
  cursor?: string;
}

export async function listLeads(store: LeadStore, query: ListQuery): Promise<Page<Lead>> {
  const { stage, owner, limit, cursor } = query;
  if (stage && owner) throw new ValidationError('Filter by stage or by owner, not both', [{ path: 'owner', message: 'not allowed with stage' }]);
  if (stage) return store.listByStage(stage, { limit, cursor });
  if (owner) return store.listByOwner(owner === 'unassigned' ? undefined : owner, { limit, cursor });
  throw new ValidationError('A stage or an owner is required', [{ path: 'stage', message: 'required unless owner is given' }]);
}
