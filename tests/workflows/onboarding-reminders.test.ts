/**
 * RepOnboarding's reminder ladder on the synthesized machine at 12 virtual hours per real second: a
 * new SDR in New York who does nothing gets at most one digest a day, each inside business hours in
 * New York on the virtual clock, listing everything due; after the configured number of overdue
 * digests the manager gets one escalation naming what is overdue, and the overdue digests stop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localParts } from '../../functions/core/business-hours.js';
import { onboardingProgramme } from '../../workflows/programmes/onboarding.js';
import { bootApp, eventually, realMs, sleep, type App } from '../support/app.js';
import { newRep, rep } from '../support/reps.js';

const SCALE = 43_200;
const ZONE = 'America/New_York';
const ESCALATE_AFTER = onboardingProgramme.reminders.escalateAfterOverdueReminders;
const titles = new Map(onboardingProgramme.paths.sdr.modules.map((m) => [m.id, m.title]));
let app: App;

beforeAll(async () => {
  app = await bootApp(SCALE);
});
afterAll(() => app?.stop());

const isDigest = (subject: string) => /training modules? (overdue|due soon)/.test(subject);

describe('RepOnboarding reminders', () => {
  it('sends a rep who does nothing one digest a day at most, inside business hours in their zone, then escalates once to the manager with what is overdue', async () => {
    const { repId, email, managerEmail } = await newRep(app, 'Idle', { timeZone: ZONE });

    const escalation = await eventually(async () => {
      const mails = (await app.mailTo(managerEmail)).filter((m) => m.subject.startsWith('ESCALATION'));
      expect(mails).toHaveLength(1);
      return mails[0]!;
    }, realMs(24 * 30, SCALE) + 20_000, 250);
    // A few more virtual days: nothing more comes of the overdue modules.
    await sleep(realMs(24 * 4, SCALE));

    const digests = (await app.mailTo(email)).filter((m) => isDigest(m.subject));
    const overdueDigests = digests.filter((m) => /overdue/.test(m.subject));
    expect(overdueDigests).toHaveLength(ESCALATE_AFTER);
    expect((await app.mailTo(managerEmail)).filter((m) => m.subject.startsWith('ESCALATION'))).toHaveLength(1);

    const profile = await rep(app, repId);
    const sends = profile.timeline.filter((e: any) => e.type === 'email_sent' && String(e.data?.step).startsWith('digest#'));
    expect(sends.length).toBe(digests.length);
    const local = sends.map((e: any) => ({ at: e.at, ...localParts(new Date(e.at), ZONE) }));
    // One a local day, on a weekday, between 09:00 and 17:00 in New York — on the virtual clock.
    expect(new Set(local.map((d: any) => d.date)).size).toBe(local.length);
    for (const d of local) expect(d.hour >= 9 && d.hour < 17 && d.weekday <= 5, `digest at ${d.at} is ${JSON.stringify(d)} in ${ZONE}`).toBe(true);
    // The ledger key is the local day: no two digests share one.
    expect(new Set(sends.map((e: any) => e.data.step)).size).toBe(sends.length);

    // Everything due is in the digest: the last overdue digest lists every module overdue by then,
    // and the escalation names every module overdue when it went.
    const escalatedAt = Date.parse(profile.escalatedAt);
    const overdueAtEscalation = profile.modules.filter((m: any) => m.status !== 'passed' && Date.parse(m.dueAt) <= escalatedAt);
    expect(overdueAtEscalation.length).toBeGreaterThan(0);
    for (const m of overdueAtEscalation) expect(escalation.text).toContain(titles.get(m.moduleId));
    const lastOverdueSend = sends.filter((e: any) => /overdue/.test(e.summary)).at(-1);
    const overdueThen = profile.modules.filter((m: any) => Date.parse(m.dueAt) <= Date.parse(lastOverdueSend.at));
    for (const m of overdueThen) expect(overdueDigests.at(-1)!.text).toContain(titles.get(m.moduleId));
    expect(escalation.text).toContain(`after ${ESCALATE_AFTER} daily reminders`);

    const overdueEvents = app.domainEvents('RepModuleOverdue').filter((e) => e.detail.repId === repId);
    expect(new Set(overdueEvents.map((e) => e.detail.moduleId)).size).toBe(overdueEvents.length);
    expect(overdueEvents.length).toBeGreaterThan(0);
  }, realMs(24 * 40, SCALE) + 60_000);
});
