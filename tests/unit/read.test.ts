import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.js';
import { NotFoundError, ValidationError } from '../../functions/core/errors.js';
import type { Lead } from '../../functions/core/model.js';
import { getLead, listLeads } from '../../functions/core/read.js';
import { unsubscribeLead } from '../../functions/core/unsubscribe.js';
import { timelineEntry } from '../../functions/core/timeline.js';
import { aLead as baseLead } from '../fakes/leads.js';
import { InMemoryContactStore, InMemoryLeadStore, sequentialIds } from '../fakes/index.js';

const T0 = '2026-03-01T09:00:00.000Z';
const aLead = (leadId: string, over: Partial<Lead> = {}) => baseLead({ leadId, ...over });

describe('reading leads', () => {
  it('returns a lead with its timeline oldest first', async () => {
    const store = new InMemoryLeadStore();
    const ids = sequentialIds();
    await store.create(aLead('a'), [timelineEntry(ids, 'a', '2026-03-02T00:00:00.000Z', 'event', 'later')]);
    await store.appendTimeline([timelineEntry(ids, 'a', T0, 'lead_captured', 'first')]);
    const view = await getLead(store, 'a');
    expect(view.lead.leadId).toBe('a');
    expect(view.timeline.map((e) => e.summary)).toEqual(['first', 'later']);
  });

  it('says not found for an unknown lead', async () => {
    await expect(getLead(new InMemoryLeadStore(), 'nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists by stage and by owner, with "unassigned" meaning no owner', async () => {
    const store = new InMemoryLeadStore();
    await store.create(aLead('a', { stage: 'decision', ownerId: 'rep-1' }), []);
    await store.create(aLead('b', { stage: 'decision' }), []);
    await store.create(aLead('c'), []);
    expect((await listLeads(store, { stage: 'decision', limit: 25 })).items.map((l) => l.leadId).sort()).toEqual(['a', 'b']);
    expect((await listLeads(store, { owner: 'rep-1', limit: 25 })).items.map((l) => l.leadId)).toEqual(['a']);
    expect((await listLeads(store, { owner: 'unassigned', limit: 25 })).items.map((l) => l.leadId).sort()).toEqual(['b', 'c']);
  });

  it('requires a stage or an owner, not both', async () => {
    const store = new InMemoryLeadStore();
    await expect(listLeads(store, { limit: 25 })).rejects.toBeInstanceOf(ValidationError);
    await expect(listLeads(store, { stage: 'interest', owner: 'r', limit: 25 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('unsubscribing a lead', () => {
  it('suppresses the lead at once and records it, once', async () => {
    const store = new InMemoryLeadStore();
    await store.create(aLead('a'), []);
    const contacts = new InMemoryContactStore();
    const deps = { store, contacts, clock: fixedClock(T0), ids: sequentialIds() };
    expect(await unsubscribeLead(deps, 'a')).toEqual({ leadId: 'a', alreadySuppressed: false });
    expect(await unsubscribeLead(deps, 'a')).toEqual({ leadId: 'a', alreadySuppressed: true });
    expect((await contacts.get((await store.get('a'))!.email))?.suppressed).toEqual({ at: T0, reason: 'unsubscribed' });
    expect((await store.timeline('a')).map((e) => e.type)).toEqual(['unsubscribed']);
  });

  it('says not found for a lead that does not exist', async () => {
    const deps = { store: new InMemoryLeadStore(), contacts: new InMemoryContactStore(), clock: fixedClock(T0), ids: sequentialIds() };
    await expect(unsubscribeLead(deps, 'gone')).rejects.toBeInstanceOf(NotFoundError);
  });
});
