/**
 * The report store on DynamoDB Local: a projection's increments and the subject's state in one conditional
 * transaction (a second application is refused and adds nothing), a projection larger than one transaction
 * in chunks that are each written once, timeline markers, and the range reads the reports make.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoReportStore } from '../../functions/adapters/dynamodb/report-store.js';
import type { Increment } from '../../functions/core/reports/aggregates.js';
import { projectLead, type LeadProjection } from '../../functions/core/reports/lead-projection.js';
import { projectRep } from '../../functions/core/reports/rep-projection.js';
import { ensureTable } from '../../local/dynamodb.js';
import { aLead } from '../fakes/leads.js';

const dayPlus = (n: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + n * 86_400_000).toISOString().slice(0, 10);

describe('the DynamoDB report store', () => {
  const tableName = `report-store-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  let client: DynamoDBDocumentClient;
  let store: DynamoReportStore;

  beforeAll(async () => {
    await ensureTable(inject('dynamodbEndpoint'), tableName);
    client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    store = new DynamoReportStore(client, tableName);
  });
  afterAll(() => client?.destroy());

  it('writes a projection and its state once: the same projection again is stale and adds nothing', async () => {
    const lead = aLead({ leadId: 'once', source: 'web' });
    const p = projectLead(undefined, lead)!;
    expect(await store.applyLead(p, undefined)).toBe('applied');
    expect(await store.applyLead(p, undefined)).toBe('stale');
    expect(await store.applyLead(p, 'not-the-revision')).toBe('stale');
    expect((await store.leadState('once')).shadow).toEqual(p.shadow);
    const day = lead.createdAt.slice(0, 10);
    expect(await store.funnelDays('s=web', day, day)).toEqual([expect.objectContaining({ captured: 1, 'entered:awareness': 1, 'src:web:captured': 1 })]);
    expect(await store.funnelNow('s=web')).toEqual({ 'in:awareness': 1 });
  });

  it('writes a projection too large for one transaction in chunks, each once, the state last', async () => {
    const lead = aLead({ leadId: 'large', source: 'chunked' });
    const base = projectLead(undefined, lead)!;
    const increments: Increment[] = Array.from({ length: 230 }, (_, n) => ({ at: { kind: 'funnel-day', dims: 's=chunked-only', day: dayPlus(n) }, counts: { captured: 1, [`entered:awareness`]: 2 } }));
    const large: LeadProjection = { ...base, increments };
    expect(await store.applyLead(large, undefined)).toBe('applied');
    expect(await store.applyLead(large, undefined)).toBe('stale');
    const days = await store.funnelDays('s=chunked-only', dayPlus(0), dayPlus(400));
    expect(days).toHaveLength(230);
    expect(days.every((d) => d.captured === 1 && d['entered:awareness'] === 2)).toBe(true);
    expect(await store.funnelDays('s=chunked-only', dayPlus(10), dayPlus(19))).toHaveLength(10);
  });

  it('applies a timeline entry once under its marker, and takes it back once', async () => {
    const inc: Increment[] = [{ at: { kind: 'activity-day', day: '2026-02-01' }, counts: { 'tpl:welcome:sent': 1 } }];
    expect(await store.applyEntry('LEAD#x|TL#1', { increments: inc })).toBe('applied');
    expect(await store.applyEntry('LEAD#x|TL#1', { increments: inc })).toBe('duplicate');
    expect(await store.activityDays('2026-02-01', '2026-02-01')).toEqual([{ 'tpl:welcome:sent': 1 }]);
    expect(await store.revertEntry('LEAD#x|TL#1')).toBe('reverted');
    expect(await store.revertEntry('LEAD#x|TL#1')).toBe('none');
    expect(await store.revertEntry('LEAD#x|TL#never')).toBe('none');
    expect(await store.activityDays('2026-02-01', '2026-02-01')).toEqual([{ 'tpl:welcome:sent': 0 }]);
  });

  it('keeps the certification-expiry index in step with the rep, and reads it by range', async () => {
    const rep = { repId: 'r-exp', name: 'Ana', email: 'a@example.com', status: 'active' as const, createdAt: '2026-01-01T00:00:00.000Z', version: 1, updatedAt: '2026-01-01T00:00:00.000Z', certification: { certifiedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-03-01T00:00:00.000Z', cycle: 1 } };
    const first = projectRep(undefined, rep)!;
    expect(await store.applyRep(first, undefined)).toBe('applied');
    expect(await store.certsExpiring('2026-02-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z')).toEqual([{ repId: 'r-exp', name: 'Ana', expiresAt: '2026-03-01T00:00:00.000Z' }]);
    const renewed = { ...rep, version: 2, updatedAt: '2026-02-20T00:00:00.000Z', certification: { ...rep.certification, expiresAt: '2027-03-01T00:00:00.000Z', cycle: 2 } };
    const second = projectRep(first.shadow, renewed)!;
    expect(await store.applyRep(second, first.shadow.rev)).toBe('applied');
    expect(await store.certsExpiring('2026-02-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z')).toEqual([]);
    expect(await store.certsExpiring('2027-01-01T00:00:00.000Z', '2027-04-01T00:00:00.000Z')).toHaveLength(1);
    expect(await store.totals('onboarding')).toMatchObject({ 'reps:active': 1, 'cert:unknown:count': 1 });
  });
});
