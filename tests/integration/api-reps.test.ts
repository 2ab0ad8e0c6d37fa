/**
 * The rep routes over real HTTP (API key, real handlers, DynamoDB Local): every route's happy path and
 * its bad input — 400 naming the field, 404 for an unknown rep or module, 409 naming the missing
 * module, a repeated attemptId answered 200 with no change — and GET /reps?status= paging with a
 * cursor that cannot be forged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardingProgramme } from '../../workflows/programmes/onboarding.js';
import { adminGet, bootApp, uniqueEmail, type App } from '../support/app.js';
import { newRep, post, rep } from '../support/reps.js';

let app: App;
beforeAll(async () => {
  app = await bootApp(1);
});
afterAll(() => app?.stop());

/** The contract's error body: `{error, message, issues?}`; a 400 names the field. */
function expectError(answer: { status: number; body: any }, status: number, field?: string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  expect(Object.keys(answer.body).every((k) => ['error', 'message', 'issues'].includes(k))).toBe(true);
  if (field) expect(answer.body.issues.map((i: any) => i.path)).toContain(field);
}

const valid = () => ({ email: uniqueEmail('ada'), firstName: 'Ada', lastName: 'Lovelace', role: 'ae', managerEmail: 'boss@example.com' });
const complete = (repId: string, moduleId: string, body: Record<string, unknown>) => post(app, `/reps/${repId}/modules/${moduleId}/completions`, body);
const sdr = onboardingProgramme.paths.sdr.modules;

async function passAll(repId: string) {
  for (const m of sdr) expect((await complete(repId, m.id, { attemptId: `${m.id}-ok`, ...(m.kind === 'quiz' ? { score: 100 } : {}) })).status).toBe(201);
}

describe('POST /reps', () => {
  it('creates a rep (201) and answers the same rep for a known email (200)', async () => {
    const body = { ...valid(), timeZone: 'Europe/Berlin', startDate: '2026-03-02' };
    const created = await post(app, '/reps', body);
    expect(created).toMatchObject({ status: 201, body: { repId: expect.stringMatching(/^rep_/), status: 'onboarding', role: 'ae' } });
    const again = await post(app, '/reps', { ...body, email: body.email.toUpperCase(), firstName: 'Someone' });
    expect(again).toMatchObject({ status: 200, body: { repId: created.body.repId, status: 'onboarding' } });
  });

  it.each([
    ['email', { email: 'not-an-email' }],
    ['firstName', { firstName: '' }],
    ['role', { role: 'boss' }],
    ['managerEmail', { managerEmail: 42 }],
    ['startDate', { startDate: '2026-02-30' }],
    ['timeZone', { timeZone: 'Mars/Olympus' }],
    ['timeZone', { timeZone: '../etc/passwd' }],
  ])('refuses a bad %s with 400 naming it', async (field, patch) => {
    expectError(await post(app, '/reps', { ...valid(), ...patch }), 400, field);
  });

  it('refuses a missing field, an unknown field and a body that is not JSON', async () => {
    const { email: _e, ...noEmail } = valid();
    expectError(await post(app, '/reps', noEmail), 400, 'email');
    expectError(await post(app, '/reps', { ...valid(), admin: true }), 400);
    const res = await fetch(`${app.stack.apiUrl}/reps`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${app.stack.apiKey}` }, body: '{nope' });
    expect(res.status).toBe(400);
  });

  it('refuses a call without the API key', async () => {
    const res = await fetch(`${app.stack.apiUrl}/reps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(valid()) });
    expect([401, 403]).toContain(res.status);
  });
});

describe('GET /reps/{repId}', () => {
  it('answers the profile, every module with due date and lateness, ramp and timeline', async () => {
    const { repId } = await newRep(app, 'Reader');
    const profile = await rep(app, repId);
    expect(profile).toMatchObject({ repId, status: 'onboarding', role: 'sdr', ramp: { daysToCertification: null } });
    expect(profile.modules.map((m: any) => m.moduleId)).toEqual(sdr.map((m) => m.id));
    expect(profile.modules[3]).toMatchObject({ kind: 'quiz', attempts: 0, maxAttempts: 3, daysOverdue: 0, dueAt: expect.any(String) });
    expect(profile.timeline.map((e: any) => e.type)).toContain('rep_registered');
    expect(profile).not.toHaveProperty('version');
  });

  it('answers 404 for an unknown rep', async () => {
    expectError(await adminGet(app, '/reps/rep_nobody'), 404);
  });
});

describe('GET /reps?status=', () => {
  it('pages through every rep of a status with the cursor it returns, each exactly once', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await newRep(app, `Pager${n}`)).repId));
    await post(app, `/reps/${ids[0]}/status`, { status: 'inactive' });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await adminGet(app, `/reps?status=onboarding&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      expect(res.body.items.every((r: any) => r.status === 'onboarding')).toBe(true);
      seen.push(...res.body.items.map((r: any) => r.repId));
      cursor = res.body.cursor;
      pages++;
    } while (cursor && pages < 50);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids.slice(1)));
    expect(seen).not.toContain(ids[0]);
    const inactive = await adminGet(app, '/reps?status=inactive&limit=100');
    expect(inactive.body.items.map((r: any) => r.repId)).toContain(ids[0]);
  });

  it('refuses a forged or foreign cursor, an unknown status and a bad limit with 400 naming the parameter', async () => {
    await Promise.all([1, 2, 3].map((n) => newRep(app, `Cursor${n}`)));
    const first = await adminGet(app, '/reps?status=onboarding&limit=1');
    const real = first.body.cursor as string;
    expect(real).toBeTruthy();
    const decoded = JSON.parse(Buffer.from(real, 'base64url').toString('utf8'));
    const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const cursor of ['AAAA', 'not-a-cursor', forge({ ...decoded, extra: 'x' }), forge({ ...decoded, gsi1pk: 'LEAD#x' }), forge({ ...decoded, pk: 'LEAD#x' }), forge([1]), forge('x')]) {
      expectError(await adminGet(app, `/reps?status=onboarding&cursor=${encodeURIComponent(cursor)}`), 400, 'cursor');
    }
    // A cursor of one status's list is not a cursor of another's.
    expectError(await adminGet(app, `/reps?status=active&cursor=${real}`), 400, 'cursor');
    expectError(await adminGet(app, '/reps?status=boss'), 400, 'status');
    expectError(await adminGet(app, '/reps?limit=0'), 400, 'limit');
    expectError(await adminGet(app, '/reps?limit=101'), 400, 'limit');
  });
});

describe('POST /reps/{repId}/modules/{moduleId}/completions', () => {
  it('records a pass (201) and answers a repeated attemptId with 200 and no change', async () => {
    const { repId } = await newRep(app, 'Completer');
    const first = await complete(repId, 'company-and-product', { attemptId: 'a-1' });
    expect(first).toMatchObject({ status: 201, body: { outcome: 'passed', module: { status: 'passed', attempts: 1 } } });
    expect(first.body.remaining).not.toContain('company-and-product');
    const before = await rep(app, repId);
    const again = await complete(repId, 'company-and-product', { attemptId: 'a-1' });
    expect(again).toMatchObject({ status: 200, body: { outcome: 'duplicate', module: { attempts: 1 } } });
    const after = await rep(app, repId);
    expect(after.modules).toEqual(before.modules);
    // No new run and no second entry (the welcome of the run itself may land meanwhile).
    expect(after.run).toBe(before.run);
    expect(after.timeline.filter((e: any) => e.type.startsWith('module_'))).toHaveLength(1);
  });

  it('answers 404 for an unknown rep or module and 409 naming the missing prerequisite', async () => {
    const { repId } = await newRep(app, 'Blocked');
    expectError(await complete('rep_nobody', 'company-and-product', { attemptId: 'a' }), 404);
    expectError(await complete(repId, 'no-such-module', { attemptId: 'a' }), 404);
    const blocked = await complete(repId, 'product-certification-quiz', { attemptId: 'a', score: 90 });
    expectError(blocked, 409);
    expect(blocked.body.message).toMatch(/ideal-customer-profile/);
  });

  it.each([
    ['score', { attemptId: 'a', score: 101 }],
    ['score', { attemptId: 'a', score: -1 }],
    ['score', { attemptId: 'a', score: '90' }],
    ['attemptId', { attemptId: '' }],
    ['attemptId', { score: 10 }],
    ['completedAt', { attemptId: 'a', completedAt: 'yesterday' }],
  ])('refuses a bad %s with 400 naming it', async (field, body) => {
    const { repId } = await newRep(app, 'Bad');
    expectError(await complete(repId, 'company-and-product', body), 400, field);
  });

  it('answers 409 for a rep who is not onboarding', async () => {
    const { repId } = await newRep(app, 'Gone');
    await post(app, `/reps/${repId}/status`, { status: 'inactive' });
    expectError(await complete(repId, 'company-and-product', { attemptId: 'a' }), 409);
  });
});

describe('POST /reps/{repId}/modules/{moduleId}/reset', () => {
  it('unlocks a locked quiz with fresh attempts, and refuses an unknown module (404) or a passed one (409)', async () => {
    const { repId } = await newRep(app, 'Locked');
    for (const m of sdr.slice(0, 3)) await complete(repId, m.id, { attemptId: `${m.id}-1` });
    for (const n of [1, 2, 3]) await complete(repId, 'product-certification-quiz', { attemptId: `q-${n}`, score: 10 });
    expectError(await complete(repId, 'product-certification-quiz', { attemptId: 'q-4', score: 100 }), 409);
    const reset = await post(app, `/reps/${repId}/modules/product-certification-quiz/reset`, {});
    expect(reset).toMatchObject({ status: 200, body: { repId, module: { status: 'open', attempts: 0 } } });
    expectError(await post(app, `/reps/${repId}/modules/no-such-module/reset`, {}), 404);
    expectError(await post(app, `/reps/rep_nobody/modules/company-and-product/reset`, {}), 404);
    expectError(await post(app, `/reps/${repId}/modules/company-and-product/reset`, {}), 409);
  });
});

describe('POST /reps/{repId}/signoff', () => {
  it('refuses an approval with modules open (409), approves a rep who passed them all, and refuses a second sign-off', async () => {
    const { repId } = await newRep(app, 'Signed');
    expectError(await post(app, `/reps/${repId}/signoff`, { decision: 'approve', by: 'Boss' }), 409);
    await passAll(repId);
    const approved = await post(app, `/reps/${repId}/signoff`, { decision: 'approve', by: 'Boss', notes: 'Well done' });
    expect(approved).toMatchObject({ status: 200, body: { status: 'active', certification: { cycle: 1 }, signOff: { decision: 'approve', by: 'Boss' } } });
    expectError(await post(app, `/reps/${repId}/signoff`, { decision: 'approve', by: 'Boss' }), 409);
  });

  it('reopens the named modules on a rejection', async () => {
    const { repId } = await newRep(app, 'Rejected');
    await passAll(repId);
    const rejected = await post(app, `/reps/${repId}/signoff`, { decision: 'reject', by: 'Boss', reopen: ['cold-call-roleplay'] });
    expect(rejected).toMatchObject({ status: 200, body: { status: 'onboarding', certification: null } });
    expect((await rep(app, repId)).modules.find((m: any) => m.moduleId === 'cold-call-roleplay')).toMatchObject({ status: 'open', attempts: 0 });
  });

  it.each([
    ['decision', { decision: 'maybe', by: 'Boss' }],
    ['by', { decision: 'approve', by: '' }],
    ['reopen', { decision: 'reject', by: 'Boss', reopen: ['no-such-module'] }],
    ['reopen', { decision: 'reject', by: 'Boss', reopen: 'cold-call-roleplay' }],
  ])('refuses a bad %s with 400 naming it', async (field, body) => {
    const { repId } = await newRep(app, 'BadSign');
    expectError(await post(app, `/reps/${repId}/signoff`, body), 400, field);
  });

  it('answers 404 for an unknown rep', async () => {
    expectError(await post(app, '/reps/rep_nobody/signoff', { decision: 'approve', by: 'Boss' }), 404);
  });
});

describe('POST /reps/{repId}/status', () => {
  it('makes a rep inactive once (changed), then answers the same without change', async () => {
    const { repId } = await newRep(app, 'Leaver');
    expect(await post(app, `/reps/${repId}/status`, { status: 'inactive' })).toMatchObject({ status: 200, body: { repId, status: 'inactive', changed: true, leadsReassigned: 0 } });
    expect(await post(app, `/reps/${repId}/status`, { status: 'inactive' })).toMatchObject({ status: 200, body: { status: 'inactive', changed: false } });
  });

  it('refuses another status (400 naming it) and an unknown rep (404)', async () => {
    const { repId } = await newRep(app, 'Stayer');
    expectError(await post(app, `/reps/${repId}/status`, { status: 'active' }), 400, 'status');
    expectError(await post(app, '/reps/rep_nobody/status', { status: 'inactive' }), 404);
  });
});
