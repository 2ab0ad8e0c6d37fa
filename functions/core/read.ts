/** Reading leads (GET /leads/{leadId}, GET /leads). */
import { NotFoundError, ValidationError } from './errors.js';
import type { Lead, Stage, TimelineEntry } from './model.js';
import type { ContactStore, LeadStore, Page } from './ports.js';
import { consentFields, contactOfLead } from './contact.js';

export interface LeadView {
  lead: Lead;
  timeline: TimelineEntry[];
}

/**
 * The lead as the API shows it: its consent, pending request and suppression are its Contact's (the
 * person's), so GET /leads/{leadId} answers them as before contacts existed.
 */
export async function getLead(store: LeadStore, leadId: string, contacts?: ContactStore): Promise<LeadView> {
  const [stored, timeline] = await Promise.all([store.get(leadId), store.timeline(leadId)]);
  if (!stored) throw new NotFoundError(`Lead ${leadId} not found`);
  if (!contacts) return { lead: stored, timeline };
  const contact = await contactOfLead(contacts, stored);
  // A submission's intake (with the sender's IP) is the system's business, not the profile's.
  const { consentRequest: _request, suppressed: _suppressed, recentMarketingSends: _sends, intake: _intake, ...lead } = stored;
  return { lead: { ...lead, ...consentFields(contact) }, timeline };
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
