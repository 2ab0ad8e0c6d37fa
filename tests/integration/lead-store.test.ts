import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aLead as baseLead } from '../fakes/leads.js';
import { DynamoLeadStore } from '../../functions/adapters/dynamodb/lead-store.js';
import {
  DuplicateEventError,
  DuplicateSendError,
  EmailTakenError,
  ValidationError,
  VersionConflictError,
} from '../../functions/core/errors.js';
import type { Lead } from '../../functions/core/model.js';
import { createTableInput } from '../../functions/table/definition.js';
import { keys } from '../../functions/table/keys.js';

const tableName = `lead-store-${randomUUID()}`;
const raw = new DynamoDBClient({});
const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
const store = new DynamoLeadStore(doc, tableName, () => new Date('2026-03-01T09:00:00.000Z'));

const T0 = '2026-03-01T09:00:00.000Z';
let n = 0;
/** Random ids (the table is shared by the file), distinct creation times for the list order. */
const aLead = (over: Partial<Lead> = {}) =>
  baseLead({ leadId: `lead-${randomUUID()}`, createdAt: `2026-03-01T09:00:${String(n++ % 60).padStart(2, '0')}.000Z`, ...over });
const entry = (leadId: string, at: string, entryId: string) => ({ leadId, entryId, at, type: 'event' as const, summary: entryId });

beforeAll(async () => {
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
});
afterAll(() => raw.destroy());

describe('the DynamoDB lead store', () => {
  it('creates a lead with its timeline and finds it by email', async () => {
    const lead = aLead();
    await store.create(lead, [entry(lead.leadId, T0, 'a')]);
    expect(await store.get(lead.leadId)).toEqual(lead);
    expect(await store.findByEmail(lead.email)).toEqual(lead);
    expect(await store.timeline(lead.leadId)).toEqual([entry(lead.leadId, T0, 'a')]);
  });

  it('indexes a closed lead for retention, and takes it out of that index when the lead is woken', async () => {
    const lead = aLead();
    await store.create(lead, []);
    const closed = await store.save({ ...lead, status: 'dormant' }, 1, []);
    const item = async () => (await doc.send(new GetCommand({ TableName: tableName, Key: keys.lead(lead.leadId) }))).Item!;
    expect(await item()).toMatchObject({ gsi3pk: keys.closedPartition() });
    // The store's reads carry no key attributes, so a read-modify-write cannot carry the index along.
    expect(await store.get(lead.leadId)).not.toHaveProperty('gsi3pk');
    await store.save({ ...(await store.get(lead.leadId))!, status: 'active' }, closed.version, []);
    expect(await item()).not.toHaveProperty('gsi3pk');
    expect(await item()).not.toHaveProperty('gsi3sk');
  });

  it('refuses a second lead with the same email and writes none of it', async () => {
    const first = aLead();
    await store.create(first, []);
    const second = aLead({ email: first.email });
    await expect(store.create(second, [entry(second.leadId, T0, 'x')])).rejects.toBeInstanceOf(EmailTakenError);
    expect(await store.get(second.leadId)).toBeUndefined();
    expect(await store.timeline(second.leadId)).toEqual([]);
  });

  it('saves with the expected version and refuses a stale one', async () => {
    const lead = aLead();
    await store.create(lead, []);
    const saved = await store.save({ ...lead, score: 5 }, 1, [entry(lead.leadId, T0, 's1')]);
    expect(saved.version).toBe(2);
    await expect(store.save({ ...lead, score: 99 }, 1, [entry(lead.leadId, T0, 's2')])).rejects.toBeInstanceOf(VersionConflictError);
    expect(await store.get(lead.leadId)).toMatchObject({ score: 5, version: 2 });
    expect((await store.timeline(lead.leadId)).map((e) => e.entryId)).toEqual(['s1']);
  });

  it('marks an event processed once, with a TTL, and reports a duplicate over a version conflict', async () => {
    const lead = aLead();
    await store.create(lead, []);
    await store.save({ ...lead, score: 1 }, 1, [], { processedEventId: `evt-${lead.leadId}` });
    expect(await store.isEventProcessed(`evt-${lead.leadId}`)).toBe(true);
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: keys.processedEvent(`evt-${lead.leadId}`) }));
    expect(Item?.expiresAt).toBeGreaterThan(Date.parse(T0) / 1000 + 360 * 86_400);
    await expect(store.save({ ...lead, score: 2 }, 1, [], { processedEventId: `evt-${lead.leadId}` })).rejects.toBeInstanceOf(DuplicateEventError);
    expect((await store.get(lead.leadId))?.score).toBe(1);
  });

  it('keeps the domain events of a processed event until they are marked published', async () => {
    const lead = aLead();
    await store.create(lead, []);
    const domainEvent = { type: 'LeadStageChanged' as const, id: `${lead.leadId}:LeadStageChanged:2`, at: T0, detail: { leadId: lead.leadId, to: 'decision' } };
    await store.save({ ...lead, stage: 'decision', run: 2 }, 1, [], { processedEventId: `demo-${lead.leadId}`, domainEvents: [domainEvent] });
    expect(await store.unpublishedEventsOf(`demo-${lead.leadId}`)).toEqual([domainEvent]);
    await store.markEventsPublished(`demo-${lead.leadId}`);
    expect(await store.unpublishedEventsOf(`demo-${lead.leadId}`)).toEqual([]);
    expect(await store.isEventProcessed(`demo-${lead.leadId}`)).toBe(true);
  });

  it('claims a send ledger key once and records the delivery', async () => {
    const lead = aLead();
    await store.create(lead, []);
    const saved = await store.save(lead, 1, [], { ledgerKey: 'r1:awareness:welcome' });
    await expect(store.save(saved, 2, [], { ledgerKey: 'r1:awareness:welcome' })).rejects.toBeInstanceOf(DuplicateSendError);
    await store.markSent(lead.leadId, 'r1:awareness:welcome', 'msg-1');
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: keys.sendLedger(lead.leadId, 'r1:awareness:welcome') }));
    expect(Item).toMatchObject({ status: 'sent', messageId: 'msg-1', claimedAt: expect.any(String) });
  });

  it('gives back a claimed-but-unsent ledger key with its timeline entry, and never a sent one', async () => {
    const lead = aLead();
    await store.create(lead, []);
    const saved = await store.save(lead, 1, [], { ledgerKey: 'awareness#educational-1' });
    await store.releaseClaim(lead.leadId, 'awareness#educational-1', [entry(lead.leadId, '2026-03-01T10:00:00.000Z', 'failed')]);
    expect((await store.timeline(lead.leadId)).map((e) => e.entryId)).toContain('failed');
    const again = await store.save(saved, 2, [], { ledgerKey: 'awareness#educational-1' });
    await store.markSent(lead.leadId, 'awareness#educational-1', 'msg-2');
    await store.releaseClaim(lead.leadId, 'awareness#educational-1', []);
    await expect(store.save(again, 3, [], { ledgerKey: 'awareness#educational-1' })).rejects.toBeInstanceOf(DuplicateSendError);
  });

  it('creates a customer with the lead in one save', async () => {
    const lead = aLead();
    await store.create(lead, []);
    const customer = { customerId: `cus-${lead.leadId}`, leadId: lead.leadId, email: lead.email, since: T0 };
    await store.save({ ...lead, status: 'won', stage: 'purchase', customerId: customer.customerId }, 1, [], { customer });
    expect(await store.getCustomer(customer.customerId)).toMatchObject({ ...customer, version: 1 });
  });

  it('returns the timeline in time order, across appends', async () => {
    const lead = aLead();
    await store.create(lead, [entry(lead.leadId, '2026-03-01T10:00:00.000Z', 'b')]);
    await store.appendTimeline([entry(lead.leadId, '2026-03-01T09:30:00.000Z', 'a'), entry(lead.leadId, '2026-03-02T00:00:00.000Z', 'c')]);
    const many = Array.from({ length: 30 }, (_, i) => entry(lead.leadId, `2026-03-03T00:00:${String(i).padStart(2, '0')}.000Z`, `m${i}`));
    await store.appendTimeline(many);
    const ids = (await store.timeline(lead.leadId)).map((e) => e.entryId);
    expect(ids.slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect(ids).toHaveLength(33);
  });

  it('pages through a stage with cursors and moves a lead between stages', async () => {
    const stage = 'consideration';
    const leads = Array.from({ length: 5 }, () => aLead({ stage }));
    for (const l of leads) await store.create(l, []);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listByStage(stage, { limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((l) => l.leadId));
      cursor = page.cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(leads.map((l) => l.leadId).sort());

    await store.save({ ...leads[0]!, stage: 'decision', ownerId: 'rep-int' }, 1, []);
    expect((await store.listByStage('decision', { limit: 100 })).items.map((l) => l.leadId)).toContain(leads[0]!.leadId);
    expect((await store.listByOwner('rep-int', { limit: 10 })).items.map((l) => l.leadId)).toEqual([leads[0]!.leadId]);
  });

  it('refuses a cursor it did not issue', async () => {
    const forged = Buffer.from(JSON.stringify({ pk: 'x' })).toString('base64url');
    await expect(store.listByStage('interest', { limit: 5, cursor: forged })).rejects.toBeInstanceOf(ValidationError);
  });
});
