/**
 * The report projections: stream record facts → counters, exactly once; and the stage history on the lead
 * they read (entered and left each stage, cumulative time surviving re-entry).
 */
import { describe, expect, it } from 'vitest';
import type { Customer, Lead, Rep } from '../../functions/core/model.js';
import { Increments } from '../../functions/core/reports/aggregates.js';
import { projectCustomer } from '../../functions/core/reports/customer-projection.js';
import { bucketOf, quantile } from '../../functions/core/reports/histogram.js';
import { projectLead, revOf } from '../../functions/core/reports/lead-projection.js';
import { batchCached, projectCustomerRecord, projectLeadRecord, projectRepRecord, projectTimelineRecord } from '../../functions/core/reports/project.js';
import { projectRep } from '../../functions/core/reports/rep-projection.js';
import { projectTimelineEntry } from '../../functions/core/reports/timeline-projection.js';
import { hoursInStage, trackStage } from '../../functions/core/stage-history.js';
import { aLead } from '../fakes/leads.js';
import { InMemoryReportStore } from '../fakes/reports.js';

const H = 3_600_000;
const at = (hours: number) => new Date(Date.parse('2026-03-02T00:00:00.000Z') + hours * H).toISOString();

/** A lead after a change made the way core/events.ts and core/lead-status.ts make it. */
function change(lead: Lead, next: Partial<Lead>, when: string): Lead {
  const merged = { ...lead, ...next, updatedAt: when, version: lead.version + 1 };
  return { ...merged, ...trackStage(lead, merged, when) };
}

describe('the stage history on the lead', () => {
  it('records when the lead entered and left each stage, and keeps the time in a stage across a re-entry', () => {
    const captured = aLead({ createdAt: at(0), updatedAt: at(0) });
    const interest = change(captured, { stage: 'interest' }, at(10));
    const dormant = change(interest, { status: 'dormant' }, at(30));
    const back = change(dormant, { status: 'active' }, at(100));
    const moved = change(back, { stage: 'consideration' }, at(105));

    expect(moved.stageHistory).toEqual([
      { stage: 'awareness', enteredAt: at(0), leftAt: at(10) },
      { stage: 'interest', enteredAt: at(10), leftAt: at(30) },
      { stage: 'interest', enteredAt: at(100), leftAt: at(105) },
      { stage: 'consideration', enteredAt: at(105) },
    ]);
    expect(moved.timeInStage).toEqual({ awareness: 10 * H, interest: 25 * H });
    expect(hoursInStage(moved, 'interest', new Date(at(200)))).toBe(25);
    expect(hoursInStage(moved, 'consideration', new Date(at(110)))).toBe(5);
  });

  it('changes nothing on a score change or a recycle, and a purchase is a stay that ends as it begins', () => {
    const lead = aLead({ createdAt: at(0), updatedAt: at(0), stage: 'decision' });
    expect(trackStage(lead, { stage: 'decision', status: 'recycled' }, at(5))).toEqual({});
    const won = change(lead, { stage: 'purchase', status: 'won' }, at(8));
    expect(won.stageHistory).toEqual([
      { stage: 'decision', enteredAt: at(0), leftAt: at(8) },
      { stage: 'purchase', enteredAt: at(8), leftAt: at(8) },
    ]);
  });
});

describe('log-scale histograms', () => {
  it('reads a median and p90 within one bucket of the exact figure, and merges by adding counts', () => {
    const inc = new Increments();
    const a = { kind: 'onboarding' as const };
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    for (const h of samples) inc.sample(a, 'x', h);
    const hist = Object.fromEntries(Object.entries(inc.list()[0]!.counts).map(([k, n]) => [k.split(':h:')[1]!, n]));
    expect(Math.abs(quantile(hist, 0.5)! - 50) / 50).toBeLessThan(0.11);
    expect(Math.abs(quantile(hist, 0.9)! - 90) / 90).toBeLessThan(0.11);
    expect(bucketOf(0)).toBe('z');
    expect(quantile({}, 0.5)).toBeNull();
  });
});

describe('the lead projection', () => {
  const captured = aLead({ leadId: 'lead-p', createdAt: at(0), updatedAt: at(0), source: 'web', utm_campaign: 'spring' });

  it('counts a capture once: captured, entered awareness, in awareness now, by source, campaign and cohort', () => {
    const p = projectLead(undefined, captured)!;
    const counts = (kind: string, dims = '*') => Object.assign({}, ...p.increments.filter((i) => i.at.kind === kind && (!('dims' in i.at) || i.at.dims === dims)).map((i) => i.counts));
    expect(counts('funnel-day')).toMatchObject({ captured: 1, 'entered:awareness': 1, 'src:web:captured': 1, 'camp:spring:captured': 1 });
    expect(counts('funnel-now')).toEqual({ 'in:awareness': 1 });
    expect(counts('funnel-now', 's=web&c=spring')).toEqual({ 'in:awareness': 1 });
    expect(counts('cohort')).toEqual({ captured: 1, 'reach:awareness:w0': 1 });
    // The same record again, or an older one, is not applied.
    expect(projectLead(p.shadow, captured)).toBeUndefined();
  });

  it('turns a stage move into moved on, time in stage, entered and the gauge moving along', () => {
    const first = projectLead(undefined, captured)!;
    const moved = change(captured, { stage: 'interest' }, at(50));
    const p = projectLead(first.shadow, moved)!;
    const day = p.increments.find((i) => i.at.kind === 'funnel-day' && i.at.dims === '*')!;
    expect(day.counts).toEqual({ 'movedOn:awareness': 1, [`tis:awareness:h:${bucketOf(50)}`]: 1, 'entered:interest': 1 });
    expect(p.increments.find((i) => i.at.kind === 'funnel-now' && i.at.dims === '*')!.counts).toEqual({ 'in:awareness': -1, 'in:interest': 1 });
    expect(projectLead(p.shadow, captured)).toBeUndefined();
  });

  it('counts a close by what it was, for the stage it happened in, and takes the lead out of the gauge', () => {
    const first = projectLead(undefined, captured)!;
    const lost = change(captured, { status: 'lost' }, at(20));
    const p = projectLead(first.shadow, lost)!;
    const all = p.increments.filter((i) => i.at.kind === 'funnel-day' && i.at.dims === '*').map((i) => i.counts);
    expect(Object.assign({}, ...all)).toMatchObject({ 'lost:awareness': 1 });
    expect(p.increments.find((i) => i.at.kind === 'funnel-now' && i.at.dims === '*')!.counts).toEqual({ 'in:awareness': -1 });
  });

  it('counts a win with its velocity and the owner’s won deal, and the rep’s contact within the SLA', () => {
    const assigned = change({ ...captured, stage: 'decision' }, { ownerId: 'rep-a', assignedAt: at(1) }, at(1));
    const s1 = projectLead(undefined, assigned)!;
    expect(s1.increments.find((i) => i.at.kind === 'activity-day')!.counts).toEqual({ 'rep:rep-a:assigned': 1 });
    const contacted = change(assigned, { contactedAt: at(4) }, at(4));
    const s2 = projectLead(s1.shadow, contacted)!;
    expect(s2.increments.find((i) => i.at.kind === 'activity-day')!.counts).toEqual({ 'rep:rep-a:contacted': 1, [`rep:rep-a:contact:h:${bucketOf(3)}`]: 1, 'rep:rep-a:slaMet': 1 });
    const won = change(contacted, { stage: 'purchase', status: 'won' }, at(48));
    const s3 = projectLead(s2.shadow, won)!;
    const day = Object.assign({}, ...s3.increments.filter((i) => i.at.kind === 'funnel-day' && i.at.dims === '*').map((i) => i.counts));
    expect(day).toMatchObject({ won: 1, 'movedOn:decision': 1, 'entered:purchase': 1, 'movedOn:purchase': 1, [`velocity:h:${bucketOf(48)}`]: 1 });
    expect(s3.increments.find((i) => i.at.kind === 'activity-day')!.counts).toEqual({ 'rep:rep-a:closed': 1, 'rep:rep-a:won': 1 });
  });

  it('does not count a lead whose submission is still being taken in', () => {
    expect(projectLead(undefined, { ...captured, intake: { receivedAt: at(0) } } as never)).toBeUndefined();
  });
});

describe('the timeline projection', () => {
  it('counts sends, skips and deferrals per template, opens and clicks by the template the event names', () => {
    const sent = projectTimelineEntry({ leadId: 'l', entryId: 'e1', at: at(1), type: 'email_sent', data: { stage: 'awareness', stepId: 'welcome', template: 'awareness-welcome' } }, [], 'awareness');
    expect(sent.increments).toEqual([{ at: { kind: 'activity-day', day: '2026-03-02' }, counts: { 'tpl:awareness-welcome:sent': 1 } }]);
    const opened = projectTimelineEntry({ leadId: 'l', entryId: 'e2', at: at(2), type: 'event', data: { eventType: 'email_opened', properties: { template: 'awareness-welcome' } } }, [], 'awareness');
    expect(opened.increments[0]!.counts).toEqual({ 'tpl:awareness-welcome:opened': 1 });
    const scored = projectTimelineEntry({ leadId: 'l', entryId: 'e3', at: at(2), type: 'score_changed', data: {} }, [], 'awareness');
    expect(scored.increments).toEqual([]);
  });

  it('records a split arm once, counts the arm’s sends in its stage, and its outcome when the lead moves on', async () => {
    const store = new InMemoryReportStore();
    const lead = aLead({ leadId: 'lead-s', createdAt: at(0), updatedAt: at(0) });
    await projectLeadRecord(store, lead.leadId, lead);
    const arm = { leadId: lead.leadId, entryId: 'e1', at: at(1), type: 'split_arm', data: { splitId: 'subject-test', arm: 'b' } };
    await projectTimelineRecord(store, 'r1', arm, async () => true);
    await projectTimelineRecord(store, 'r2', { ...arm, entryId: 'e2', at: at(2) }, async () => true);
    await projectTimelineRecord(store, 'r3', { leadId: lead.leadId, entryId: 'e3', at: at(3), type: 'email_sent', data: { stage: 'awareness', template: 't' } }, async () => true);
    await projectLeadRecord(store, lead.leadId, change(lead, { stage: 'interest' }, at(5)));
    expect(store.total('activity-day')).toMatchObject({ 'split:subject-test:b:leads': 1, 'split:subject-test:b:sent': 1, 'split:subject-test:b:outcome': 1 });
  });
});

describe('exactly once', () => {
  it('adds nothing when a lead’s records are delivered again, or an older one after a newer one', async () => {
    const store = new InMemoryReportStore();
    const l0 = aLead({ leadId: 'lead-r', createdAt: at(0), updatedAt: at(0) });
    const l1 = change(l0, { stage: 'interest' }, at(3));
    const l2 = change(l1, { status: 'lost' }, at(9));
    for (const l of [l0, l1, l2]) await projectLeadRecord(store, l.leadId, l);
    const once = structuredClone([...store.aggregates.entries()]);
    for (const l of [l0, l1, l2, l1, l2, l0]) await projectLeadRecord(store, l.leadId, l);
    expect([...store.aggregates.entries()]).toEqual(once);
    expect(store.total('funnel-now')).toEqual({ 'in:awareness': 0, 'in:interest': 0 });
  });

  it('applies a timeline entry once, and takes back a withdrawn send once, only while the lead exists', async () => {
    const store = new InMemoryReportStore();
    const sent = { leadId: 'l', entryId: 'e1', at: at(1), type: 'email_sent', data: { stage: 'awareness', template: 't' } };
    expect(await projectTimelineRecord(store, 'LEAD#l|TL#1', sent, async () => true)).toBe('applied');
    expect(await projectTimelineRecord(store, 'LEAD#l|TL#1', sent, async () => true)).toBe('duplicate');
    expect(store.total('activity-day')).toEqual({ 'tpl:t:sent': 1 });
    expect(await projectTimelineRecord(store, 'LEAD#l|TL#1', undefined, async () => true)).toBe('reverted');
    expect(await projectTimelineRecord(store, 'LEAD#l|TL#1', undefined, async () => true)).toBe('unchanged');
    expect(store.total('activity-day')).toEqual({ 'tpl:t:sent': 0 });
    // An erasure deletes the entries of a lead that is gone: what it was sent stays counted.
    await projectTimelineRecord(store, 'LEAD#l|TL#2', { ...sent, entryId: 'e2' }, async () => true);
    expect(await projectTimelineRecord(store, 'LEAD#l|TL#2', undefined, async () => false)).toBe('unchanged');
    expect(store.total('activity-day')).toEqual({ 'tpl:t:sent': 1 });
  });

  it('refuses to apply against a state that moved since it was read (stale), and applies after reading again', async () => {
    const store = new InMemoryReportStore();
    const l0 = aLead({ leadId: 'lead-c', createdAt: at(0), updatedAt: at(0) });
    const p = projectLead(undefined, l0)!;
    expect(await store.applyLead(p, undefined)).toBe('applied');
    expect(await store.applyLead(p, undefined)).toBe('stale');
    expect(await store.applyLead(p, revOf(0, ''))).toBe('stale');
    expect(store.total('funnel-day')).toMatchObject({ captured: 1 });
  });
});

describe('the rep projection', () => {
  const rep: Rep = {
    repId: 'rep-1', name: 'Ana Rep', email: 'ana@example.com', status: 'onboarding', role: 'ae', createdAt: at(0), startDate: '2026-03-02', track: 'onboarding', version: 1, updatedAt: at(0),
    modules: [
      { moduleId: 'product', status: 'open', dueAt: '2026-03-09T17:00:00.000Z', attempts: 0, attemptIds: [] },
      { moduleId: 'quiz', status: 'open', dueAt: '2026-03-16T17:00:00.000Z', attempts: 0, attemptIds: [] },
    ],
  };
  const next = (r: Rep, over: Partial<Rep>, hours: number): Rep => ({ ...r, ...over, version: (r.version ?? 0) + 1, updatedAt: at(hours) });

  it('counts attempts, passes and first-attempt passes per module, open modules by due day, and certification by role', async () => {
    const store = new InMemoryReportStore();
    await projectRepRecord(store, rep.repId, rep);
    const failed = next(rep, { modules: [{ ...rep.modules![0]!, attempts: 1, attemptIds: ['a1'] }, rep.modules![1]!] }, 5);
    const passed = next(failed, { modules: [{ ...failed.modules![0]!, status: 'passed', attempts: 2, attemptIds: ['a1', 'a2'] }, { ...rep.modules![1]!, status: 'passed', attempts: 1, attemptIds: ['q1'] }] }, 24);
    const certified = next(passed, { status: 'active', track: 'none', certification: { certifiedAt: at(240), expiresAt: '2027-03-12T00:00:00.000Z', cycle: 1 } }, 240);
    for (const r of [failed, passed, certified, passed, failed]) await projectRepRecord(store, r.repId, r);

    expect(store.total('onboarding')).toMatchObject({
      'reps:onboarding': 0, 'reps:active': 1,
      'mod:product:attempts': 2, 'mod:product:passed': 1, 'mod:product:first': 1,
      'mod:quiz:attempts': 1, 'mod:quiz:passed': 1, 'mod:quiz:first': 1, 'mod:quiz:firstPassed': 1,
      'cert:ae:count': 1, [`cert:ae:h:${bucketOf(240)}`]: 1,
    });
    expect(store.total('onboarding')['mod:product:firstPassed']).toBeUndefined();
    expect(Object.values(store.total('open-modules')).every((n) => n === 0)).toBe(true);
    expect([...store.certs.values()]).toEqual([{ repId: 'rep-1', name: 'Ana Rep', expiresAt: '2027-03-12T00:00:00.000Z' }]);
  });

  it('is not applied again for the same record', () => {
    const p = projectRep(undefined, rep)!;
    expect(projectRep(p.shadow, rep)).toBeUndefined();
  });
});

describe('the customer projection', () => {
  const customer: Customer = {
    customerId: 'cus-1', leadId: 'lead-1', email: 'c@example.com', since: at(0), status: 'active', version: 1, updatedAt: at(0),
    term: { number: 1, startDate: '2026-03-02', renewalDate: '2027-03-02', termMonths: 12 },
  };

  it('counts the cohort, churn and a reactivation, health bands of active customers, and each NPS answer once', async () => {
    const store = new InMemoryReportStore();
    const scored: Customer = { ...customer, version: 2, updatedAt: at(5), health: { score: 30, band: 'at-risk', at: at(5), reasons: [] }, nps: [{ score: 3, at: at(5), source: 'api' }] };
    const more: Customer = { ...scored, version: 3, updatedAt: at(800), nps: [...scored.nps!, { score: 10, at: at(800), source: 'link' }] };
    const cancelled: Customer = { ...more, version: 4, updatedAt: at(900), status: 'cancelled' };
    for (const c of [customer, scored, more, more, cancelled, scored]) await projectCustomerRecord(store, c.customerId, c);
    expect(store.total('retention')).toEqual({ 'customers:active': 0, 'customers:cancelled': 1, 'health:unscored': 0, 'health:at-risk': 0 });
    expect(store.total('customer-cohort')).toEqual({ started: 1, churned: 1 });
    expect(store.total('nps-month')).toEqual({ detractor: 1, promoter: 1 });
    const back: Customer = { ...cancelled, version: 5, updatedAt: at(1000), status: 'active' };
    await projectCustomerRecord(store, back.customerId, back);
    expect(store.total('customer-cohort')).toEqual({ started: 1, churned: 0 });
    expect(store.total('retention')).toMatchObject({ 'customers:active': 1, 'health:at-risk': 1 });
    expect(projectCustomer((await store.customerState('cus-1'))!, back)).toBeUndefined();
  });
});

describe('records that change nothing counted', () => {
  it('write nothing (a run marked started, a send claimed), and stay harmless when delivered again', async () => {
    const store = new InMemoryReportStore();
    const lead = aLead({ leadId: 'lead-q', createdAt: at(0), updatedAt: at(0) });
    await projectLeadRecord(store, lead.leadId, lead);
    const writes = store.writes;
    const claimed = { ...lead, version: 2, updatedAt: at(1), recentMarketingSends: [at(1)] };
    expect(await projectLeadRecord(store, lead.leadId, claimed)).toBe('unchanged');
    expect(await projectLeadRecord(store, lead.leadId, { ...claimed, startedRun: 1 })).toBe('unchanged');
    expect(store.writes).toBe(writes);
    const moved = change(claimed, { stage: 'interest' }, at(2));
    expect(await projectLeadRecord(store, lead.leadId, moved)).toBe('applied');
    for (const l of [lead, claimed, moved]) expect(await projectLeadRecord(store, l.leadId, l)).toBe('unchanged');
    expect(store.total('funnel-day')).toMatchObject({ captured: 1, 'entered:awareness': 1, 'entered:interest': 1, 'movedOn:awareness': 1 });
  });
});

describe('a batch of records', () => {
  it('reads a subject’s state once per batch and counts the same as record by record, even when another writer moved it', async () => {
    const l0 = aLead({ leadId: 'lead-b', createdAt: at(0), updatedAt: at(0) });
    const l1 = change(l0, { stage: 'interest' }, at(3));
    const l2 = change(l1, { stage: 'consideration' }, at(6));
    const plain = new InMemoryReportStore();
    for (const l of [l0, l1, l2]) await projectLeadRecord(plain, l.leadId, l);

    const store = new InMemoryReportStore();
    const batch = batchCached(store);
    await projectLeadRecord(batch, l0.leadId, l0);
    await projectLeadRecord(batch, l1.leadId, l1);
    expect(store.reads).toBe(1);
    // Another writer applies l2 behind the batch's back: the batch's write is stale, it reads again, adds nothing twice.
    await projectLeadRecord(store, l2.leadId, l2);
    await projectLeadRecord(batch, l2.leadId, l2);
    expect(store.total('funnel-day')).toEqual(plain.total('funnel-day'));
    expect(store.total('funnel-now')).toEqual(plain.total('funnel-now'));
  });
});
