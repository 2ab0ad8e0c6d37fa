import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Lead } from '../../functions/core/model.js';
import { keys } from '../../functions/table/keys.js';
import { aLead } from '../fakes/leads.js';
import { call, handlerEnv, httpEvent } from './handlers-support.js';

const ddb = mockClient(DynamoDBDocumentClient);
let getLead: typeof import('../../functions/http/get-lead.js').handler;
let listLeads: typeof import('../../functions/http/list-leads.js').handler;

const T0 = '2026-03-01T09:00:00.000Z';
const lead = aLead({ email: 'ann@example.com', stage: 'decision', score: 64, run: 3, ownerId: 'rep-7', version: 9 });
const leadItem = { ...keys.lead('lead-1'), ...keys.leadIndexes(lead), entity: 'lead', ...lead };

beforeAll(async () => {
  handlerEnv();
  vi.resetModules();
  ({ handler: getLead } = await import('../../functions/http/get-lead.js'));
  ({ handler: listLeads } = await import('../../functions/http/list-leads.js'));
});

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
});

describe('GET /leads/{leadId}', () => {
  it('returns the profile, state and timeline without storage attributes', async () => {
    ddb.on(GetCommand, { Key: keys.lead('lead-1') }).resolves({ Item: leadItem });
    const entry = { leadId: 'lead-1', entryId: 'e1', at: T0, type: 'lead_captured', summary: 'Lead captured' };
    ddb.on(QueryCommand).resolves({ Items: [{ ...keys.timelineEntry('lead-1', T0, 'e1'), entity: 'timeline', ...entry }] });
    const res = await call(getLead, httpEvent({ path: '/leads/lead-1', pathParameters: { leadId: 'lead-1' } }));
    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({ leadId: 'lead-1', stage: 'decision', score: 64, ownerId: 'rep-7', consent: { given: true } });
    expect(res.json.timeline).toEqual([entry]);
    expect(res.json).not.toHaveProperty('pk');
    expect(res.json).not.toHaveProperty('version');
  });

  it('answers 404 for an unknown lead', async () => {
    const res = await call(getLead, httpEvent({ path: '/leads/nope', pathParameters: { leadId: 'nope' } }));
    expect(res.statusCode).toBe(404);
  });
});

describe('GET /leads', () => {
  it('lists a stage through gsi1 and hands back an opaque cursor', async () => {
    ddb.on(QueryCommand).resolves({ Items: [leadItem], LastEvaluatedKey: { pk: 'LEAD#lead-1', sk: 'PROFILE', gsi1pk: 'STAGE#decision', gsi1sk: '2026-01-01T00:00:00.000Z#lead-1' } });
    const res = await call(listLeads, httpEvent({ path: '/leads', query: { stage: 'decision', limit: '1' } }));
    expect(res.statusCode).toBe(200);
    expect(res.json.items).toEqual([expect.objectContaining({ leadId: 'lead-1' })]);
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query).toMatchObject({ IndexName: 'gsi1', Limit: 1, ExpressionAttributeValues: { ':p': 'STAGE#decision' } });
    const next = await call(listLeads, httpEvent({ path: '/leads', query: { stage: 'decision', cursor: res.json.cursor } }));
    expect(next.statusCode).toBe(200);
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'LEAD#lead-1', sk: 'PROFILE', gsi1pk: 'STAGE#decision', gsi1sk: '2026-01-01T00:00:00.000Z#lead-1' });
  });

  it('lists an owner through gsi2', async () => {
    await call(listLeads, httpEvent({ path: '/leads', query: { owner: 'rep-7' } }));
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ IndexName: 'gsi2', Limit: 25, ExpressionAttributeValues: { ':p': 'OWNER#rep-7' } });
  });

  it('rejects an unknown stage, a limit out of range and a forged cursor with 400', async () => {
    for (const query of [{ stage: 'hot' }, { stage: 'interest', limit: '0' }, { stage: 'interest', limit: '101' }, { stage: 'interest', cursor: 'abc' }] as Record<string, string>[]) {
      const res = await call(listLeads, httpEvent({ path: '/leads', query }));
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
    }
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });
});
