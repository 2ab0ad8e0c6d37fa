/**
 * The reports against the history they summarize: a generated population (30 leads driven through the
 * stages by POST /events, three reps, the customers the wins make, NPS answers) on the real local system,
 * whose report aggregates the ProjectReports stream consumer keeps. The counts the routes answer must equal
 * the counts taken from the raw history (every lead's timeline and profile from GET /leads/{leadId}); a
 * replay of the whole stream into the consumer must change none of them; and the routes refuse bad input.
 *
 * The clock runs at ×60 (a virtual minute a second): the nurture waits (days) never end during the test, so
 * the population settles and the comparison is taken of a still picture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGES, stageIndex, type Stage } from '../../functions/core/model.js';
import { onboardingProgramme } from '../../workflows/programmes/onboarding.js';
import { adminGet, bootApp, eventually, uniqueEmail, type App, type TimelineItem } from '../support/app.js';

const SCALE = 60;
const REPS = ['rep-a', 'rep-b', 'rep-c'];
const SOURCES = ['web', 'ads', 'partner'];
const CLOSED = ['lost', 'disqualified', 'dormant', 'won'];
/** What happens to lead i (by i % 6). */
const PATHS = ['stays', 'interest', 'consideration', 'decision', 'won', 'lost'] as const;

let app: App;
const leadIds: string[] = [];
let day = { from: '', to: '' };

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${app.stack.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${app.stack.apiKey}` }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => undefined) };
};
/** Sends until answered below 300; a 503 (a dependency busy on 2 shared cores) is retried, as Retry-After asks. */
const ok = async (send: () => Promise<{ status: number; body: any }>) => {
  for (let attempt = 1; ; attempt++) {
    const res = await send();
    if (res.status === 503 && attempt < 5) {
      await new Promise((r) => setTimeout(r, 1_000));
      continue;
    }
    if (res.status >= 300) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
};

beforeAll(async () => {
  app = await bootApp(SCALE);
  for (const repId of REPS) await app.addRep({ repId, name: `Rep ${repId}`, role: 'ae' });
  const now = app.stack.clock.now().getTime();
  day = { from: new Date(now - 2 * 86_400_000).toISOString().slice(0, 10), to: new Date(now + 2 * 86_400_000).toISOString().slice(0, 10) };

  for (let i = 0; i < 30; i++) {
    const campaign = i % 5 === 0 ? {} : { utm_campaign: i % 2 ? 'spring' : 'fall' };
    const { leadId } = await ok(() => app.capture({ email: uniqueEmail(`report-${i}`), firstName: `L${i}`, consent: true, source: SOURCES[i % 3], ...campaign }));
    leadIds.push(leadId);
  }
  await Promise.all(leadIds.map((leadId, i) => drive(leadId, PATHS[i % 6]!)));
  // Five wins: five customers; three answer the survey.
  const won = leadIds.filter((_, i) => PATHS[i % 6] === 'won');
  for (const [k, leadId] of won.slice(0, 3).entries()) {
    const lead = await app.lead(leadId);
    await ok(() => post(`/customers/${lead.customerId}/feedback`, { nps: [10, 9, 4][k], comment: 'ok' }));
  }
}, 240_000);
afterAll(() => app?.stop());

async function drive(leadId: string, path: (typeof PATHS)[number]) {
  const event = (type: string, properties?: Record<string, unknown>) => ok(() => app.event({ eventId: `${leadId}-${type}`, type, leadId, ...(properties ? { properties } : {}) }));
  if (path === 'stays') return;
  if (path === 'lost') return event('lost');
  await event('content_downloaded');
  await event('email_clicked', { template: 'awareness-welcome' });
  if (path === 'interest') return;
  await event('form_submitted');
  await event('page_viewed', { path: '/pricing' });
  await ok(() => app.event({ eventId: `${leadId}-dl2`, type: 'content_downloaded', leadId }));
  if (path === 'consideration') return;
  await event('demo_requested');
  await eventually(async () => expect((await app.lead(leadId)).ownerId).toBeDefined(), 60_000);
  await event('rep_contacted');
  if (path === 'won') await event('purchased', { plan: 'Growth', amount: 1200 });
}

/** The figures, counted from every lead's timeline and profile (GET /leads/{leadId}). */
async function fromHistory() {
  // GET /leads/{leadId} answers the profile with its timeline.
  const views = (await Promise.all(leadIds.map((id) => app.lead(id)))).map((lead: any) => ({ lead, timeline: lead.timeline as TimelineItem[] }));
  const zero = () => Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  const entered = zero(), movedOn = zero(), lost = zero(), currentlyIn = zero(), ended = zero();
  const captured: Record<string, number> = {}, wonBySource: Record<string, number> = {}, byCampaign: Record<string, number> = {};
  const templates: Record<string, { sent: number; skipped: number; deferred: number; clicked: number }> = {};
  const assigned: Record<string, number> = {}, repWon: Record<string, number> = {}, slaMet: Record<string, number> = {}, slaMissed: Record<string, number> = {};
  let won = 0;
  for (const { lead, timeline } of views) {
    captured[lead.source] = (captured[lead.source] ?? 0) + 1;
    const campaign = lead.utm_campaign ?? '(none)';
    byCampaign[campaign] = (byCampaign[campaign] ?? 0) + 1;
    if (['active', 'recycled'].includes(lead.status)) currentlyIn[lead.stage as Stage]++;
    for (const e of timeline) {
      if (e.type === 'lead_captured') entered.awareness++;
      if (e.type === 'stage_changed') {
        entered[e.data!.to as Stage]++;
        ended[e.data!.from as Stage]++;
        if (stageIndex(e.data!.to) > stageIndex(e.data!.from)) movedOn[e.data!.from as Stage]++;
      }
      if (e.type === 'status_changed' && CLOSED.includes(e.data!.to)) {
        // Closes happen where the lead still is (nothing here moves a closed lead again).
        ended[lead.stage as Stage]++;
        if (e.data!.to === 'won') movedOn.purchase++;
        if (['lost', 'disqualified'].includes(e.data!.to)) lost[lead.stage as Stage]++;
      }
      const t = (name: unknown) => (templates[String(name)] ??= { sent: 0, skipped: 0, deferred: 0, clicked: 0 });
      if (e.type === 'email_sent') t(e.data!.template).sent++;
      if (e.type === 'email_skipped') t(e.data!.template).skipped++;
      if (e.type === 'email_deferred') t(e.data!.template).deferred++;
      if (e.type === 'event' && e.data!.eventType === 'email_clicked' && e.data!.properties?.template) t(e.data!.properties.template).clicked++;
      if (e.type === 'rep_assigned') assigned[e.data!.repId] = (assigned[e.data!.repId] ?? 0) + 1;
    }
    if (lead.status === 'won') {
      won++;
      wonBySource[lead.source] = (wonBySource[lead.source] ?? 0) + 1;
      if (lead.ownerId) repWon[lead.ownerId] = (repWon[lead.ownerId] ?? 0) + 1;
    }
    if (lead.ownerId && lead.contactedAt > lead.assignedAt && !(lead.missedBy ?? []).includes(lead.ownerId)) slaMet[lead.ownerId] = (slaMet[lead.ownerId] ?? 0) + 1;
    for (const repId of lead.missedBy ?? []) slaMissed[repId] = (slaMissed[repId] ?? 0) + 1;
  }
  const stages = STAGES.map((stage) => ({ stage, entered: entered[stage], movedOn: movedOn[stage], lost: lost[stage], currentlyIn: currentlyIn[stage], samples: ended[stage] }));
  const sources = Object.entries(captured).map(([key, n]) => ({ key, captured: n, won: wonBySource[key] ?? 0 })).sort((a, b) => a.key.localeCompare(b.key));
  const campaigns = Object.entries(byCampaign).map(([key, n]) => ({ key, captured: n })).sort((a, b) => a.key.localeCompare(b.key));
  const tpl = Object.entries(templates).map(([template, c]) => ({ template, ...c })).filter((t) => t.sent + t.skipped + t.deferred + t.clicked > 0).sort((a, b) => a.template.localeCompare(b.template));
  const slaMetPct = (repId: string) => {
    const met = slaMet[repId] ?? 0;
    const all = met + (slaMissed[repId] ?? 0);
    return all ? Math.round((met / all) * 10_000) / 10_000 : null;
  };
  const reps = Object.keys({ ...assigned, ...repWon }).sort().map((repId) => ({ repId, assigned: assigned[repId] ?? 0, won: repWon[repId] ?? 0, slaMetPct: slaMetPct(repId) }));
  return { captured: leadIds.length, won, stages, sources, campaigns, templates: tpl, reps };
}

/** The same figures, from GET /reports/funnel. */
async function fromReport(query = `from=${day.from}&to=${day.to}`) {
  const res = await adminGet(app, `/reports/funnel?${query}`);
  expect(res.status).toBe(200);
  const r = res.body;
  return {
    captured: r.captured,
    won: r.velocity.won,
    stages: r.stages.map((s: any) => ({ stage: s.stage, entered: s.entered, movedOn: s.movedOn, lost: s.lost, currentlyIn: s.currentlyIn, samples: s.timeInStage.samples })),
    sources: r.bySource.map((s: any) => ({ key: s.key, captured: s.captured, won: s.won })).sort((a: any, b: any) => a.key.localeCompare(b.key)),
    campaigns: r.byCampaign.map((s: any) => ({ key: s.key, captured: s.captured })).sort((a: any, b: any) => a.key.localeCompare(b.key)),
    templates: r.templates.map((t: any) => ({ template: t.template, sent: t.sent, skipped: t.skipped, deferred: t.deferred, clicked: t.clicked })).filter((t: any) => t.sent + t.skipped + t.deferred + t.clicked > 0),
    reps: r.reps.map((x: any) => ({ repId: x.repId, assigned: x.assigned, won: x.won, slaMetPct: x.slaMetPct })).sort((a: any, b: any) => a.repId.localeCompare(b.repId)),
  };
}

/** Reads the whole table stream from its start, as a mapping that starts at TRIM_HORIZON would. */
async function wholeStream(): Promise<any[]> {
  const call = async (target: string, body: unknown) => {
    const res = await fetch(process.env.AWS_ENDPOINT_URL_DYNAMODB!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target, authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as any;
  };
  const arn = (await call('DynamoDB_20120810.DescribeTable', { TableName: app.stack.tableName })).Table.LatestStreamArn;
  const shards = (await call('DynamoDBStreams_20120810.DescribeStream', { StreamArn: arn })).StreamDescription.Shards as Array<{ ShardId: string }>;
  const records: any[] = [];
  for (const shard of shards) {
    let iterator = (await call('DynamoDBStreams_20120810.GetShardIterator', { StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator;
    for (let empty = 0; iterator && empty < 2; ) {
      const out = await call('DynamoDBStreams_20120810.GetRecords', { ShardIterator: iterator, Limit: 1000 });
      records.push(...(out.Records ?? []));
      empty = out.Records?.length ? 0 : empty + 1;
      iterator = out.NextShardIterator;
    }
  }
  return records;
}

describe('the reports against the history they summarize', () => {
  it('counts in the funnel report what the leads’ timelines hold: stages, closes, sources, campaigns, templates, reps', async () => {
    await app.stack.streams.idle({ timeoutMs: 60_000 });
    // The funnel's welcome sends may still be under way: the two pictures must meet once it is still.
    await eventually(async () => expect(await fromReport()).toEqual(await fromHistory()), 90_000, 500);
    const history = await fromHistory();
    expect(history.captured).toBe(30);
    expect(history.won).toBe(5);
    expect(history.stages.find((s) => s.stage === 'awareness')!.lost).toBe(5);
    expect(history.templates.some((t) => t.sent > 0)).toBe(true);
    expect(history.reps.reduce((n, r) => n + r.assigned, 0)).toBe(10);
  }, 180_000);

  it('narrows the funnel to one source or campaign, counting only those leads', async () => {
    const ads = (await adminGet(app, `/reports/funnel?from=${day.from}&to=${day.to}&source=ads`)).body;
    expect(ads.filters).toEqual({ source: 'ads' });
    expect(ads.captured).toBe(10);
    expect(ads.stages[0].entered).toBe(10);
    expect(ads.bySource).toEqual([expect.objectContaining({ key: 'ads', captured: 10 })]);
    const none = (await adminGet(app, `/reports/funnel?from=${day.from}&to=${day.to}&utm_campaign=${encodeURIComponent('(none)')}`)).body;
    expect(none.captured).toBe(6);
    const both = (await adminGet(app, `/reports/funnel?from=${day.from}&to=${day.to}&source=web&utm_campaign=spring`)).body;
    // web: i % 3 = 0; spring: odd i not a multiple of 5 → i = 3, 9, 21, 27.
    expect(both.captured).toBe(4);
    expect(both.cohorts.reduce((n: number, c: any) => n + c.captured, 0)).toBe(4);
  });

  it('counts reps, customers, NPS answers and referrals in the onboarding and retention reports', async () => {
    const onboarding = (await adminGet(app, '/reports/onboarding')).body;
    expect(onboarding.reps).toMatchObject({ active: 3, total: 3 });
    const retention = (await eventually(async () => {
      const r = (await adminGet(app, '/reports/retention')).body;
      expect(r.nps.responses).toBe(3);
      return r;
    }));
    expect(retention.customers).toEqual({ active: 5, cancelled: 0, total: 5 });
    expect(retention.nps).toMatchObject({ score: 33, promoters: 2, passives: 0, detractors: 1 });
    expect(retention.cohorts.reduce((n: number, c: any) => n + c.started, 0)).toBe(5);
    expect(Object.values(retention.health as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(5);
    expect(retention.renewalsDue).toEqual([]);
  });

  it('counts in the onboarding report the quiz attempts and passes the reps’ timelines hold', async () => {
    // Two new SDRs through their modules: one passes every quiz at once, the other fails each quiz first.
    const modules = onboardingProgramme.paths.sdr.modules;
    const trainees: string[] = [];
    for (const [k, name] of ['Ola', 'Ben'].entries()) {
      const rep = await ok(() => post('/reps', { email: uniqueEmail(name.toLowerCase()), firstName: name, lastName: 'Trainee', role: 'sdr', managerEmail: uniqueEmail('manager'), timeZone: 'Europe/Berlin' }));
      trainees.push(rep.repId);
      for (const m of modules) {
        if (m.kind === 'quiz' && k === 1) await ok(() => post(`/reps/${rep.repId}/modules/${m.id}/completions`, { attemptId: `${m.id}-fail`, score: 10 }));
        await ok(() => post(`/reps/${rep.repId}/modules/${m.id}/completions`, { attemptId: `${m.id}-pass`, ...(m.kind === 'quiz' ? { score: 95 } : {}) }));
      }
    }
    const fromTimelines = async () => {
      const rows: Record<string, { attempts: number; passed: number; firstAttempts: number; firstPassed: number }> = {};
      for (const repId of trainees) {
        const { timeline } = (await adminGet(app, `/reps/${repId}`)).body as { timeline: TimelineItem[] };
        const seen = new Set<string>();
        for (const e of timeline.filter((x) => ['module_passed', 'module_failed', 'module_locked'].includes(x.type))) {
          const row = (rows[e.data!.moduleId] ??= { attempts: 0, passed: 0, firstAttempts: 0, firstPassed: 0 });
          row.attempts++;
          if (e.type === 'module_passed') row.passed++;
          if (!seen.has(e.data!.moduleId)) {
            seen.add(e.data!.moduleId);
            row.firstAttempts++;
            if (e.type === 'module_passed') row.firstPassed++;
          }
        }
      }
      return Object.entries(rows).map(([moduleId, r]) => ({ moduleId, ...r })).sort((a, b) => a.moduleId.localeCompare(b.moduleId));
    };
    const fromOnboardingReport = async () => {
      const r = (await adminGet(app, '/reports/onboarding')).body;
      return {
        onboarding: r.reps.onboarding,
        modules: r.modules
          .map((m: any) => ({ moduleId: m.moduleId, attempts: m.attempts, passed: m.passed, firstAttempts: m.firstAttempts, firstPassed: Math.round((m.firstAttemptPassRate ?? 0) * m.firstAttempts) }))
          .filter((m: any) => m.attempts > 0),
      };
    };
    const history = await fromTimelines();
    expect(history.find((m) => modules.find((x) => x.id === m.moduleId)?.kind === 'quiz')).toMatchObject({ attempts: 3, passed: 2, firstAttempts: 2, firstPassed: 1 });
    await eventually(async () => expect(await fromOnboardingReport()).toEqual({ onboarding: 2, modules: history }), 30_000, 250);
  });

  it('counts nothing twice when the whole stream is delivered again, in order and out of it', async () => {
    await app.stack.streams.idle({ timeoutMs: 60_000 });
    const records = await wholeStream();
    expect(records.length).toBeGreaterThan(100);
    // Again in order, in the mapping's batches, then once more backwards (old records after newer ones).
    // Unfiltered, as a mapping without its filters would deliver them: every record must be taken (no failures).
    const deliver = async (batch: unknown[]) => expect(await app.stack.invoke('ProjectReports', { Records: batch })).toEqual({ batchItemFailures: [] });
    for (let i = 0; i < records.length; i += 100) await deliver(records.slice(i, i + 100));
    for (const record of [...records].reverse()) await deliver([record]);
    await eventually(async () => expect(await fromReport()).toEqual(await fromHistory()), 60_000, 500);
    expect((await adminGet(app, '/reports/retention')).body.nps.responses).toBe(3);
    expect((await adminGet(app, '/reports/onboarding')).body.reps).toMatchObject({ active: 3, onboarding: 2, total: 5 });
  }, 180_000);
});

describe('bad input to the report routes', () => {
  const problem = async (path: string) => {
    const res = await adminGet(app, path);
    return { status: res.status, error: res.body?.error, paths: (res.body?.issues ?? []).map((i: any) => i.path), message: res.body?.message };
  };

  it('names an unknown parameter, a bad date, a from after to, and says the limit of a range over 400 days', async () => {
    expect(await problem('/reports/funnel?stage=interest')).toMatchObject({ status: 400, error: 'ValidationError', paths: ['stage'] });
    expect(await problem('/reports/funnel?from=2026-02-30')).toMatchObject({ status: 400, paths: ['from'] });
    expect(await problem('/reports/funnel?from=2026-03-05&to=2026-03-04')).toMatchObject({ status: 400, paths: ['from'] });
    const long = await problem('/reports/funnel?from=2025-01-01&to=2026-02-05');
    expect(long).toMatchObject({ status: 400, paths: ['from'] });
    expect(long.message).toContain('at most 400 days');
    expect(await problem('/reports/onboarding?from=2026-01-01')).toMatchObject({ status: 400, paths: ['from'] });
    expect(await problem('/reports/retention?x=1')).toMatchObject({ status: 400, paths: ['x'] });
  });

  it('asks for the API key', async () => {
    for (const path of ['/reports/funnel', '/reports/onboarding', '/reports/retention']) expect((await fetch(`${app.stack.apiUrl}${path}`)).status).toBe(401);
  });
});
