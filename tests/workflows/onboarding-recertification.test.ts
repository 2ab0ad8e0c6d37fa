/**
 * Certification cycles of RepOnboarding on the synthesized machine at two virtual days per real
 * second. A rep seeded a month before their certification expires gets the 30- and 7-day reminders;
 * one who lets it expire lapses — no longer eligible, their open lead handed to a certified rep,
 * `RepCertificationLapsed` — and one who recertifies in time stays active for another year. Each
 * cycle is a new execution.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardingProgramme } from '../../workflows/programmes/onboarding.js';
import { bootApp, entriesOf, eventually, realMs, uniqueEmail, type App } from '../support/app.js';
import { onboardingExecutions, post, rep, seedCertifiedRep, startOnboardingRun } from '../support/reps.js';

const SCALE = 172_800;
const DAY_H = 24;
let app: App;

beforeAll(async () => {
  app = await bootApp(SCALE);
});
afterAll(() => app?.stop());

const certSubjects = async (email: string) => (await app.mailTo(email)).map((m) => m.subject).filter((s) => s.startsWith('Your certification expires'));

/** A decision-stage lead; its owner contacts it at once, so the SLA ladder never moves it. */
async function contactedLead(name: string, ownerId: string) {
  const { body } = await app.capture({ email: uniqueEmail(name), firstName: name, consent: true });
  const leadId = body.leadId as string;
  await app.event({ eventId: `${leadId}-demo`, type: 'demo_requested', leadId });
  await eventually(async () => expect((await app.lead(leadId)).ownerId).toBe(ownerId));
  await app.event({ eventId: `${leadId}-contacted`, type: 'rep_contacted', leadId });
  return leadId;
}

describe('RepOnboarding certification cycles', () => {
  it('reminds a rep 30 and 7 days before expiry and, without recertification, lapses them and hands their open lead to a certified rep', async () => {
    const lapsing = await seedCertifiedRep(app, 'Lapsing', 34);
    await startOnboardingRun(app, lapsing.repId);
    await eventually(async () => expect(await certSubjects(lapsing.email)).toHaveLength(1), realMs(6 * DAY_H, SCALE) + 15_000);
    expect((await certSubjects(lapsing.email))[0]).toMatch(/in 30 days/);

    // Still eligible while recertifying: a lead reaching decision 12 days before the expiry is theirs
    // (and still open at the expiry: its decision programme runs longer than that).
    await eventually(() => expect(app.stack.clock.now().getTime()).toBeGreaterThan(Date.parse(lapsing.expiresAt) - 12 * 86_400_000), realMs(30 * DAY_H, SCALE) + 10_000, 50);
    const leadId = await contactedLead('kept-lead', lapsing.repId);
    await app.addRep({ repId: 'rep-backup', name: 'Backup Rep' });
    await eventually(async () => expect((await rep(app, lapsing.repId)).status).toBe('lapsed'), realMs(40 * DAY_H, SCALE) + 20_000, 200);
    expect((await certSubjects(lapsing.email)).map((s) => s.match(/in (\d+) days/)![1])).toEqual(['30', '7']);

    const profile = await rep(app, lapsing.repId);
    expect(profile.timeline.map((e: any) => e.type)).toEqual(expect.arrayContaining(['recertification_started', 'certification_lapsed']));
    await eventually(async () => expect((await app.lead(leadId)).ownerId).toBe('rep-backup'));
    const lead = await app.lead(leadId);
    expect(entriesOf(lead, 'rep_unavailable')).toHaveLength(1);
    expect(entriesOf(lead, 'rep_assigned').map((e) => e.data?.repId)).toEqual([lapsing.repId, 'rep-backup']);
    await eventually(async () => expect((await rep(app, lapsing.repId)).timeline.map((e: any) => e.type)).toContain('leads_reassigned'));
    await eventually(() => expect(app.domainEvents('RepCertificationLapsed').filter((e) => e.detail.repId === lapsing.repId).map((e) => e.detail.leadsReassigned)).toEqual([1]));
    await eventually(async () => expect((await app.mailTo(lapsing.managerEmail)).map((m) => m.subject)).toContain('Lapsing Certified\'s certification has lapsed'));

    // No longer eligible: the next decision lead goes to the certified rep, never to the lapsed one.
    const next = await contactedLead('after-lapse', 'rep-backup');
    expect(entriesOf(await app.lead(next), 'rep_assigned').map((e) => e.data?.repId)).toEqual(['rep-backup']);

    // The recertification cycle ran as an execution of its own, after the certified one.
    const names = onboardingExecutions(app, lapsing.repId).map((e) => e.name);
    expect(names[0]).toBe(`${lapsing.repId}-r1`);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(new Set(names).size).toBe(names.length);
  }, realMs(50 * DAY_H, SCALE) + 90_000);

  it('renews the certification of a rep who passes the recertification path in time, in a new execution, and never lapses them', async () => {
    const renewing = await seedCertifiedRep(app, 'Renewing', 33);
    await startOnboardingRun(app, renewing.repId);
    await eventually(async () => expect((await rep(app, renewing.repId)).track).toBe('recertification'), realMs(6 * DAY_H, SCALE) + 15_000);
    for (const m of onboardingProgramme.recertification.modules) {
      const res = await post(app, `/reps/${renewing.repId}/modules/${m.id}/completions`, { attemptId: `${m.id}-1`, ...(m.kind === 'quiz' ? { score: 90 } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const renewed = await rep(app, renewing.repId);
    expect(renewed).toMatchObject({ status: 'active', certification: { cycle: 2 } });
    expect(Date.parse(renewed.certification.expiresAt)).toBe(Date.parse(renewing.expiresAt) + 365 * 86_400_000);
    await eventually(() => expect(app.domainEvents('RepCertified').filter((e) => e.detail.repId === renewing.repId).map((e) => e.detail.cycle)).toEqual([2]));

    // Past the old expiry: still active, and no lapse.
    await eventually(() => expect(app.stack.clock.now().getTime()).toBeGreaterThan(Date.parse(renewing.expiresAt) + 86_400_000), realMs(40 * DAY_H, SCALE) + 10_000, 200);
    const after = await rep(app, renewing.repId);
    expect(after.status).toBe('active');
    expect(after.timeline.map((e: any) => e.type)).not.toContain('certification_lapsed');
    const runs = onboardingExecutions(app, renewing.repId).map((e) => Number(e.name.split('-r').at(-1)));
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect([...runs].sort((a, b) => a - b)).toEqual(runs);
  }, realMs(50 * DAY_H, SCALE) + 90_000);
});
