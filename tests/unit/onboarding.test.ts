/**
 * The onboarding core with the in-memory fakes: registration, completions, resets, sign-off and
 * deactivation (the requests), and the schedule a RepOnboarding run keeps (driven plan → act on a
 * fixed clock): at most one reminder digest a rep per local day, inside business hours in their zone,
 * the escalation after the configured number of overdue digests, certification cycles and the lapse.
 */
import { describe, expect, it } from 'vitest';
import { localParts } from '../../functions/core/business-hours.js';
import { DAY_MS } from '../../functions/core/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../functions/core/errors.js';
import type { Lead } from '../../functions/core/model.js';
import { deactivateRep, recordCompletion, registerRep, resetModule, signOff, type NewRep } from '../../functions/core/onboarding.js';
import { onboardingProgramme } from '../../workflows/programmes/onboarding.js';
import { onboardingWorld } from '../fakes/reps.js';

const ZONE = 'Europe/Berlin';
const nia: NewRep = { email: 'Nia@Example.com', firstName: 'Nia', lastName: 'Trainee', role: 'sdr', managerEmail: 'Boss@Example.com', timeZone: ZONE, startDate: '2026-03-02' };
const sdrModules = onboardingProgramme.paths.sdr.modules;
const quiz = 'product-certification-quiz';

async function registered(world = onboardingWorld()) {
  const { rep } = await registerRep(world.deps, nia);
  return { world, repId: rep.repId };
}

async function passAll(world: ReturnType<typeof onboardingWorld>, repId: string, modules = sdrModules) {
  for (const m of modules) await recordCompletion(world.deps, repId, m.id, { attemptId: `${m.id}-pass`, ...(m.kind === 'quiz' ? { score: 95 } : {}) });
}

const passFoundations = async (world: ReturnType<typeof onboardingWorld>, repId: string) => {
  for (const id of ['company-and-product', 'ideal-customer-profile', 'sales-flow-playbook']) await recordCompletion(world.deps, repId, id, { attemptId: `${id}-1` });
};

const isReminder = (subject: string) => /overdue|due soon/.test(subject) && !subject.startsWith('ESCALATION');

describe('registerRep', () => {
  it('creates an onboarding rep with a module plan due from their start date, starts run 1 and publishes RepOnboardingStarted', async () => {
    const { world, repId } = await registered();
    const rep = (await world.reps.get(repId))!;
    expect(rep).toMatchObject({ status: 'onboarding', track: 'onboarding', email: 'nia@example.com', managerEmail: 'boss@example.com', run: 1, timeZone: ZONE });
    expect(rep.modules!.map((m) => m.moduleId)).toEqual(sdrModules.map((m) => m.id));
    // company-and-product is due two days after the start, at the end of that day in Berlin.
    expect(rep.modules![0]!.dueAt).toBe('2026-03-04T22:59:59.000Z');
    expect(world.runs.runsOf(repId)).toEqual([1]);
    expect(world.publisher.events.map((e) => e.type)).toEqual(['RepOnboardingStarted']);
    expect(await world.reps.types(repId)).toEqual(['rep_registered', 'workflow_started']);
    // The run records the programme version it started on.
    expect((await world.reps.timeline(repId)).find((e) => e.type === 'workflow_started')?.data).toMatchObject({ run: 1, version: 1 });
  });

  it('answers the same rep for a known email, however it is spelled, and starts nothing', async () => {
    const { world, repId } = await registered();
    const again = await registerRep(world.deps, { ...nia, email: ' NIA@example.COM ', firstName: 'Other' });
    expect(again).toMatchObject({ created: false, rep: { repId, firstName: 'Nia' } });
    expect(world.runs.started).toHaveLength(1);
  });

  it('refuses a time zone the runtime does not know, naming the field', async () => {
    const world = onboardingWorld();
    const err = await registerRep(world.deps, { ...nia, timeZone: 'Mars/Olympus' }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]!.path).toBe('timeZone');
    expect(world.reps.reps.size).toBe(0);
  });

  it('refuses an unknown time zone for a known email too: bad input is a 400 whoever it names', async () => {
    const { world } = await registered();
    const err = await registerRep(world.deps, { ...nia, timeZone: 'Mars/Olympus' }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
  });
});

describe('recordCompletion', () => {
  it('passes a reading on submission and starts the next run, and a repeated attemptId changes nothing', async () => {
    const { world, repId } = await registered();
    const first = await recordCompletion(world.deps, repId, 'company-and-product', { attemptId: 'a-1' });
    expect(first).toMatchObject({ outcome: 'passed', module: { status: 'passed', attempts: 1 } });
    expect(first.remaining).not.toContain('company-and-product');
    const before = await world.reps.get(repId);
    const again = await recordCompletion(world.deps, repId, 'company-and-product', { attemptId: 'a-1' });
    expect(again.outcome).toBe('duplicate');
    expect(await world.reps.get(repId)).toEqual(before);
    expect(world.runs.runsOf(repId)).toEqual([1, 2]);
  });

  it('treats a repeated attemptId of a failed quiz attempt as no change, even with another score', async () => {
    const { world, repId } = await registered();
    await passFoundations(world, repId);
    expect((await recordCompletion(world.deps, repId, quiz, { attemptId: 'q-1', score: 40 })).outcome).toBe('failed');
    const again = await recordCompletion(world.deps, repId, quiz, { attemptId: 'q-1', score: 99 });
    expect(again).toMatchObject({ outcome: 'duplicate', module: { attempts: 1, bestScore: 40, status: 'open' } });
  });

  it('passes a quiz at its pass mark and fails it one point below, telling the rep what remains', async () => {
    const { world, repId } = await registered();
    await passFoundations(world, repId);
    const failed = await recordCompletion(world.deps, repId, quiz, { attemptId: 'q-1', score: 79 });
    expect(failed).toMatchObject({ outcome: 'failed', module: { status: 'open', attempts: 1, bestScore: 79 } });
    const mail = world.mailTo('nia@example.com').at(-1)!;
    expect(mail.subject).toBe('Product and playbook quiz: not passed yet (2 attempts left)');
    expect(mail.text).toContain('Qualification quiz');
    const passed = await recordCompletion(world.deps, repId, quiz, { attemptId: 'q-2', score: 80 });
    expect(passed).toMatchObject({ outcome: 'passed', module: { status: 'passed', attempts: 2, bestScore: 80 } });
  });

  it('fails a quiz attempt that carries no score', async () => {
    const { world, repId } = await registered();
    await passFoundations(world, repId);
    expect((await recordCompletion(world.deps, repId, quiz, { attemptId: 'q-1' })).outcome).toBe('failed');
  });

  it('locks a quiz after maxAttempts failures, tells the manager once, refuses more attempts, and a reset gives fresh attempts', async () => {
    const { world, repId } = await registered();
    await passFoundations(world, repId);
    await recordCompletion(world.deps, repId, quiz, { attemptId: 'q-1', score: 10 });
    await recordCompletion(world.deps, repId, quiz, { attemptId: 'q-2', score: 20 });
    const locked = await recordCompletion(world.deps, repId, quiz, { attemptId: 'q-3', score: 30 });
    expect(locked).toMatchObject({ outcome: 'locked', module: { status: 'locked', attempts: 3, bestScore: 30 } });
    expect(world.mailTo('boss@example.com').map((m) => m.subject)).toEqual(['Nia Trainee is locked out of "Product and playbook quiz"']);
    await expect(recordCompletion(world.deps, repId, quiz, { attemptId: 'q-4', score: 100 })).rejects.toThrow(ConflictError);
    // The repeated last attempt is still only a duplicate.
    expect((await recordCompletion(world.deps, repId, quiz, { attemptId: 'q-3', score: 30 })).outcome).toBe('duplicate');

    const { module } = await resetModule(world.deps, repId, quiz);
    expect(module).toMatchObject({ status: 'open', attempts: 0, resets: 1 });
    expect((await recordCompletion(world.deps, repId, quiz, { attemptId: 'q-5', score: 85 })).outcome).toBe('passed');
    await expect(resetModule(world.deps, repId, quiz)).rejects.toThrow(ConflictError);
  });

  it('tells the manager again when a quiz locks a second time after a reset', async () => {
    const { world, repId } = await registered();
    await passFoundations(world, repId);
    for (const n of [1, 2, 3]) await recordCompletion(world.deps, repId, quiz, { attemptId: `q-${n}`, score: 0 });
    await resetModule(world.deps, repId, quiz);
    for (const n of [4, 5, 6]) await recordCompletion(world.deps, repId, quiz, { attemptId: `q-${n}`, score: 0 });
    expect(world.mailTo('boss@example.com').filter((m) => m.subject.includes('locked out'))).toHaveLength(2);
  });

  it('refuses a module whose prerequisites are not passed, naming the missing module', async () => {
    const { world, repId } = await registered();
    const err = await recordCompletion(world.deps, repId, quiz, { attemptId: 'q-1', score: 90 }).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toMatch(/missing prerequisite: ideal-customer-profile/);
    expect((await world.reps.get(repId))!.modules!.find((m) => m.moduleId === quiz)!.attempts).toBe(0);
  });

  it('answers 404s for an unknown rep or a module off the path', async () => {
    const { world, repId } = await registered();
    await expect(recordCompletion(world.deps, 'rep_nobody', 'company-and-product', { attemptId: 'a' })).rejects.toThrow(NotFoundError);
    await expect(recordCompletion(world.deps, repId, 'demo-storyline', { attemptId: 'a' })).rejects.toThrow(NotFoundError);
    await expect(resetModule(world.deps, repId, 'no-such-module')).rejects.toThrow(NotFoundError);
  });

  it('keeps a completedAt in the past and ignores one in the future', async () => {
    const { world, repId } = await registered();
    world.clock.advance(DAY_MS);
    const past = await recordCompletion(world.deps, repId, 'company-and-product', { attemptId: 'a', completedAt: '2026-03-02T10:00:00.000Z' });
    expect(past.module.passedAt).toBe('2026-03-02T10:00:00.000Z');
    const future = await recordCompletion(world.deps, repId, 'ideal-customer-profile', { attemptId: 'b', completedAt: '2030-01-01T00:00:00.000Z' });
    expect(future.module.passedAt).toBe(world.clock.now().toISOString());
  });
});

describe('signOff', () => {
  it('refuses an approval while modules are open, naming them', async () => {
    const { world, repId } = await registered();
    await expect(signOff(world.deps, repId, { decision: 'approve', by: 'Boss' })).rejects.toThrow(/company-and-product/);
  });

  it('certifies an approved rep for 365 days, makes them active and publishes RepCertified', async () => {
    const { world, repId } = await registered();
    await passAll(world, repId);
    const rep = await signOff(world.deps, repId, { decision: 'approve', by: 'Boss', notes: 'Great role-play' });
    expect(rep).toMatchObject({ status: 'active', track: 'none', certification: { cycle: 1 }, signOff: { decision: 'approve', by: 'Boss' } });
    expect(Date.parse(rep.certification!.expiresAt) - Date.parse(rep.certification!.certifiedAt)).toBe(365 * DAY_MS);
    expect(world.publisher.events.map((e) => e.type)).toContain('RepCertified');
    expect(world.mailTo('nia@example.com').at(-1)!.subject).toMatch(/^You are certified, Nia/);
    await expect(signOff(world.deps, repId, { decision: 'approve', by: 'Boss' })).rejects.toThrow(ConflictError);
  });

  it('reopens the named modules with fresh attempts and a new due date on a rejection, and refuses unknown ones', async () => {
    const { world, repId } = await registered();
    await passAll(world, repId);
    world.clock.advance(20 * DAY_MS);
    const err = await signOff(world.deps, repId, { decision: 'reject', by: 'Boss', reopen: ['no-such'] }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues[0].path).toBe('reopen');
    const rep = await signOff(world.deps, repId, { decision: 'reject', by: 'Boss', reopen: ['cold-call-roleplay'] });
    const reopened = rep.modules!.find((m) => m.moduleId === 'cold-call-roleplay')!;
    expect(reopened).toMatchObject({ status: 'open', attempts: 0 });
    expect(Date.parse(reopened.dueAt)).toBeGreaterThan(world.clock.now().getTime() + 4 * DAY_MS);
    expect(rep.status).toBe('onboarding');
    expect(world.mailTo('nia@example.com').at(-1)!.subject).toBe('Your sign-off: a few modules to revisit');
  });
});

describe('deactivateRep', () => {
  it('makes the rep inactive, stops the run, refuses completions and hands their open leads back to assignment', async () => {
    const { world, repId } = await registered();
    const lead: Lead = {
      leadId: 'lead-1', email: 'l@example.com', stage: 'decision', status: 'active', score: 70, run: 4, ownerId: repId,
      consent: { given: true, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web' },
      createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', version: 1,
    };
    await world.leads.create(lead, []);
    const result = await deactivateRep(world.deps, repId);
    expect(result).toMatchObject({ changed: true, leadsReassigned: 1, rep: { status: 'inactive' } });
    expect(world.runs.stopped.map((s) => s.run)).toContain(1);
    expect(world.funnel.started.map((s) => s.leadId)).toEqual(['lead-1']);
    await expect(recordCompletion(world.deps, repId, 'company-and-product', { attemptId: 'x' })).rejects.toThrow(ConflictError);
    expect((await deactivateRep(world.deps, repId)).changed).toBe(false);
    // An inactive rep has nothing on their agenda: the run ends at once.
    expect(await world.drive(repId, '2027-01-01T00:00:00.000Z')).toEqual([]);
  });
});

describe('the RepOnboarding schedule', () => {
  it('sends the welcome to the rep and the manager first', async () => {
    const { world, repId } = await registered();
    await world.drive(repId, '2026-03-02T08:00:01.000Z');
    expect(world.mailTo('nia@example.com').map((m) => m.subject)).toEqual([expect.stringMatching(/^Welcome to .*, Nia: your onboarding plan/)]);
    expect(world.mailTo('boss@example.com').map((m) => m.subject)).toEqual(['Nia Trainee starts onboarding (SDR)']);
  });

  it('sends a rep who does nothing at most one digest a local day, inside business hours, and escalates once after the configured overdue digests', async () => {
    const { world, repId } = await registered();
    await world.drive(repId, '2026-04-30T00:00:00.000Z');
    const reminders = world.mailTo('nia@example.com').filter((m) => isReminder(m.subject));
    const sentAt = (world.deps.reps as typeof world.reps).entries.get(repId)!.filter((e) => e.type === 'email_sent' && String(e.data?.step ?? '').startsWith('digest'));
    expect(sentAt.length).toBe(reminders.length);
    const days = sentAt.map((e) => localParts(new Date(e.at), ZONE));
    expect(new Set(days.map((d) => d.date)).size).toBe(days.length);
    for (const d of days) {
      expect(d.hour).toBeGreaterThanOrEqual(9);
      expect(d.hour).toBeLessThan(17);
      expect(d.weekday).toBeLessThanOrEqual(5);
    }
    const overdueDigests = reminders.filter((m) => /overdue/.test(m.subject));
    expect(overdueDigests).toHaveLength(onboardingProgramme.reminders.escalateAfterOverdueReminders);
    // Everything due is in the one digest: the first overdue digest lists every overdue module.
    const escalations = world.mailTo('boss@example.com').filter((m) => m.subject.startsWith('ESCALATION'));
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.text).toContain('Brightline in 30 minutes');
    const rep = (await world.reps.get(repId))!;
    expect(rep.escalatedAt).toBeDefined();
    expect(world.publisher.events.filter((e) => e.type === 'RepModuleOverdue').length).toBeGreaterThan(0);
  });

  it.each(['America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Auckland'])('keeps the digests inside business hours in %s', async (timeZone) => {
    const world = onboardingWorld('2026-03-02T00:00:00.000Z');
    const { rep } = await registerRep(world.deps, { ...nia, timeZone, startDate: undefined });
    await world.drive(rep.repId, '2026-04-15T00:00:00.000Z');
    const sends = (await world.reps.timeline(rep.repId)).filter((e) => e.type === 'email_sent' && String(e.data?.step).startsWith('digest'));
    expect(sends.length).toBeGreaterThan(3);
    const local = sends.map((e) => localParts(new Date(e.at), timeZone));
    expect(new Set(local.map((d) => d.date)).size).toBe(local.length);
    for (const d of local) expect(d.hour >= 9 && d.hour < 17 && d.weekday <= 5, JSON.stringify(d)).toBe(true);
  });

  it('escalates after the configured number of overdue digests', async () => {
    const programme = { ...onboardingProgramme, reminders: { ...onboardingProgramme.reminders, escalateAfterOverdueReminders: 1 } };
    const world = onboardingWorld(undefined, programme);
    const { rep } = await registerRep(world.deps, nia);
    await world.drive(rep.repId, '2026-04-30T00:00:00.000Z');
    expect(world.mailTo('nia@example.com').filter((m) => /overdue/.test(m.subject))).toHaveLength(1);
    expect(world.mailTo('boss@example.com').filter((m) => m.subject.startsWith('ESCALATION'))).toHaveLength(1);
  });

  it('names every overdue module in the escalation', async () => {
    const { world, repId } = await registered();
    await world.drive(repId, '2026-04-30T00:00:00.000Z');
    const [escalation] = world.mailTo('boss@example.com').filter((m) => m.subject.startsWith('ESCALATION'));
    const rep = (await world.reps.get(repId))!;
    const at = Date.parse(rep.escalatedAt!);
    const overdueThen = rep.modules!.filter((m) => Date.parse(m.dueAt) <= at).map((m) => sdrModules.find((x) => x.id === m.moduleId)!.title);
    expect(overdueThen.length).toBeGreaterThan(0);
    for (const title of overdueThen) expect(escalation!.text).toContain(title);
  });

  it('starts the reminder ladder afresh after progress', async () => {
    const { world, repId } = await registered();
    await world.drive(repId, '2026-03-20T00:00:00.000Z');
    await recordCompletion(world.deps, repId, 'company-and-product', { attemptId: 'late-1' });
    expect((await world.reps.get(repId))!).toMatchObject({ overdueReminders: 0 });
  });

  it('asks the manager to sign off once every module passed', async () => {
    const { world, repId } = await registered();
    await passAll(world, repId);
    await world.drive(repId, '2026-03-03T00:00:00.000Z');
    expect(world.mailTo('boss@example.com').map((m) => m.subject)).toContain('Sign-off needed: Nia Trainee has passed every onboarding module');
  });

  it('reminds a certified rep 30 and 7 days before expiry in a new run, and lapses them at expiry, reassigning their open leads', async () => {
    const { world, repId } = await registered();
    await passAll(world, repId);
    const certified = await signOff(world.deps, repId, { decision: 'approve', by: 'Boss' });
    const expiresAt = Date.parse(certified.certification!.expiresAt);
    const runBefore = certified.run!;
    const lead: Lead = {
      leadId: 'lead-9', email: 'l9@example.com', stage: 'decision', status: 'active', score: 70, run: 2, ownerId: repId,
      consent: { given: true, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web' },
      createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', version: 1,
    };
    await world.leads.create(lead, []);
    await world.drive(repId, new Date(expiresAt + 2 * DAY_MS));
    const certMails = world.mailTo('nia@example.com').filter((m) => m.subject.startsWith('Your certification expires'));
    expect(certMails.map((m) => m.subject.match(/in (\d+) days/)![1])).toEqual(['30', '7']);
    const rep = (await world.reps.get(repId))!;
    expect(rep).toMatchObject({ status: 'lapsed', track: 'recertification' });
    // The recertification cycle was a run of its own.
    expect(Math.max(...world.runs.runsOf(repId))).toBeGreaterThan(runBefore);
    expect(world.publisher.events.filter((e) => e.type === 'RepCertificationLapsed')).toHaveLength(1);
    expect(world.funnel.started.map((s) => s.leadId)).toContain('lead-9');
    expect((await world.leads.get('lead-9'))!.run).toBe(3);
    expect(await world.reps.types(repId)).toContain('certification_lapsed');
  });

  it('renews a certification from the old expiry when the recertification path is passed in time', async () => {
    const { world, repId } = await registered();
    await passAll(world, repId);
    const certified = await signOff(world.deps, repId, { decision: 'approve', by: 'Boss' });
    const expiresAt = Date.parse(certified.certification!.expiresAt);
    await world.drive(repId, new Date(expiresAt - 29 * DAY_MS));
    expect((await world.reps.get(repId))!.track).toBe('recertification');
    await passAll(world, repId, onboardingProgramme.recertification.modules);
    const rep = (await world.reps.get(repId))!;
    expect(rep).toMatchObject({ status: 'active', track: 'none', certification: { cycle: 2 } });
    expect(Date.parse(rep.certification!.expiresAt)).toBe(expiresAt + 365 * DAY_MS);
    await world.drive(repId, new Date(expiresAt + 2 * DAY_MS));
    expect((await world.reps.get(repId))!.status).toBe('active');
  });

  it('lets a lapsed rep recertify and become eligible again', async () => {
    const { world, repId } = await registered();
    await passAll(world, repId);
    const certified = await signOff(world.deps, repId, { decision: 'approve', by: 'Boss' });
    await world.drive(repId, new Date(Date.parse(certified.certification!.expiresAt) + DAY_MS));
    expect((await world.reps.get(repId))!.status).toBe('lapsed');
    await passAll(world, repId, onboardingProgramme.recertification.modules);
    const rep = (await world.reps.get(repId))!;
    expect(rep.status).toBe('active');
    expect(Date.parse(rep.certification!.expiresAt)).toBeGreaterThan(world.clock.now().getTime());
  });
});
