/**
 * RepOnboarding on the synthesized state machine at one virtual hour per real second, driven over the
 * HTTP API as an LMS and a manager would: a new SDR gets the welcome and their plan, completes every
 * module (a quiz failed, retaken, then locked and reset on another rep), the manager is asked to sign
 * off, approves or rejects, and only then does the rep receive a decision-stage lead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardingProgramme } from '../../workflows/programmes/onboarding.js';
import { adminGet, bootApp, eventually, uniqueEmail, type App } from '../support/app.js';

const SCALE = 3600;
let app: App;

beforeAll(async () => {
  app = await bootApp(SCALE);
});
afterAll(() => app?.stop());

async function post(path: string, body: unknown) {
  const res = await fetch(`${app.stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${app.stack.apiKey}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const newRep = async (name: string, role = 'sdr') => {
  const email = uniqueEmail(name.toLowerCase());
  const managerEmail = uniqueEmail(`${name.toLowerCase()}-manager`);
  const res = await post('/reps', { email, firstName: name, lastName: 'Trainee', role, managerEmail, timeZone: 'Europe/Berlin' });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ status: 'onboarding' });
  return { repId: res.body.repId as string, email, managerEmail };
};

const passAll = async (repId: string, role: 'sdr' | 'ae' | 'csm' = 'sdr') => {
  for (const m of onboardingProgramme.paths[role].modules) {
    const res = await post(`/reps/${repId}/modules/${m.id}/completions`, { attemptId: `${m.id}-pass`, ...(m.kind === 'quiz' ? { score: 95 } : {}) });
    expect(res.status, `${m.id}: ${JSON.stringify(res.body)}`).toBe(201);
    expect(res.body.outcome).toBe('passed');
  }
};

describe('RepOnboarding', () => {
  it('welcomes a new rep with their plan, asks the manager to sign off once every module passed, certifies on approval, and only then routes a lead to them', async () => {
    const { repId, email, managerEmail } = await newRep('Nia');
    const [welcome] = await eventually(async () => {
      const mails = await app.mailTo(email);
      expect(mails.length).toBeGreaterThanOrEqual(1);
      return mails;
    });
    expect(welcome!.subject).toMatch(/^Welcome to .*, Nia: your onboarding plan/);
    expect(welcome!.text).toContain('Product and playbook quiz');
    await eventually(async () => expect((await app.mailTo(managerEmail)).map((m) => m.subject)).toContain('Nia Trainee starts onboarding (SDR)'));
    expect(app.domainEvents('RepOnboardingStarted').map((e) => e.detail.repId)).toContain(repId);

    // An uncertified rep gets no lead: a decision-stage lead waits in the unassigned queue.
    const early = await app.capture({ email: uniqueEmail('early-lead'), consent: true });
    await app.event({ eventId: `${early.body.leadId}-demo`, type: 'demo_requested', leadId: early.body.leadId });
    await eventually(async () => expect((await app.lead(early.body.leadId)).timeline.map((e: any) => e.type)).toContain('rep_queue'));

    await passAll(repId);
    await eventually(async () => expect((await app.mailTo(managerEmail)).map((m) => m.subject)).toContain('Sign-off needed: Nia Trainee has passed every onboarding module'));

    const signed = await post(`/reps/${repId}/signoff`, { decision: 'approve', by: 'Maya Manager' });
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ status: 'active', certification: { cycle: 1 } });
    const rep = (await adminGet(app, `/reps/${repId}`)).body;
    expect(rep.status).toBe('active');
    expect(Date.parse(rep.certification.expiresAt) - Date.parse(rep.certification.certifiedAt)).toBe(365 * 86_400_000);
    expect(rep.modules.every((m: any) => m.status === 'passed')).toBe(true);
    expect(rep.ramp.daysToCertification).toEqual(expect.any(Number));
    await eventually(() => expect(app.domainEvents('RepCertified').map((e) => e.detail.repId)).toContain(repId));

    // The queued lead and a new one both go to the newly certified rep.
    await eventually(async () => expect((await app.lead(early.body.leadId)).ownerId).toBe(repId), 30_000);
    const lead = await app.capture({ email: uniqueEmail('late-lead'), consent: true });
    await app.event({ eventId: `${lead.body.leadId}-demo`, type: 'demo_requested', leadId: lead.body.leadId });
    await eventually(async () => expect((await app.lead(lead.body.leadId)).ownerId).toBe(repId));
    await eventually(async () => expect((await app.mailTo(email)).some((m) => m.subject.startsWith('New lead assigned to you'))).toBe(true));
  });

  it('tells a rep what remains after a failed quiz, locks the quiz after its last attempt and tells the manager, and a reset gives fresh attempts', async () => {
    const { repId, email, managerEmail } = await newRep('Omar');
    const [first, second] = onboardingProgramme.paths.sdr.modules;
    for (const m of [first!, second!, onboardingProgramme.paths.sdr.modules[2]!])
      expect((await post(`/reps/${repId}/modules/${m.id}/completions`, { attemptId: `${m.id}-1` })).status).toBe(201);
    const quiz = 'product-certification-quiz';
    const failed = await post(`/reps/${repId}/modules/${quiz}/completions`, { attemptId: 'q-1', score: 40 });
    expect(failed).toMatchObject({ status: 201, body: { outcome: 'failed', module: { attempts: 1, bestScore: 40 } } });
    expect(failed.body.remaining).toContain(quiz);
    // Repeating an attemptId changes nothing.
    expect(await post(`/reps/${repId}/modules/${quiz}/completions`, { attemptId: 'q-1', score: 99 })).toMatchObject({ status: 200, body: { outcome: 'duplicate', module: { attempts: 1 } } });
    await eventually(async () => expect((await app.mailTo(email)).map((m) => m.subject)).toContain('Product and playbook quiz: not passed yet (2 attempts left)'));
    await post(`/reps/${repId}/modules/${quiz}/completions`, { attemptId: 'q-2', score: 55 });
    const locked = await post(`/reps/${repId}/modules/${quiz}/completions`, { attemptId: 'q-3', score: 79 });
    expect(locked.body).toMatchObject({ outcome: 'locked', module: { status: 'locked', attempts: 3, bestScore: 79 } });
    await eventually(async () => expect((await app.mailTo(managerEmail)).map((m) => m.subject)).toContain('Omar Trainee is locked out of "Product and playbook quiz"'));
    expect((await post(`/reps/${repId}/modules/${quiz}/completions`, { attemptId: 'q-4', score: 100 })).status).toBe(409);

    const reset = await post(`/reps/${repId}/modules/${quiz}/reset`, {});
    expect(reset).toMatchObject({ status: 200, body: { module: { status: 'open', attempts: 0 } } });
    expect(await post(`/reps/${repId}/modules/${quiz}/completions`, { attemptId: 'q-5', score: 85 })).toMatchObject({ status: 201, body: { outcome: 'passed' } });
  });

  it('reopens the modules a manager names when they reject the sign-off', async () => {
    const { repId, email } = await newRep('Pia');
    await passAll(repId);
    const rejected = await post(`/reps/${repId}/signoff`, { decision: 'reject', by: 'Maya Manager', notes: 'Redo the role-play', reopen: ['cold-call-roleplay'] });
    expect(rejected).toMatchObject({ status: 200, body: { status: 'onboarding', certification: null } });
    const rep = (await adminGet(app, `/reps/${repId}`)).body;
    expect(rep.modules.find((m: any) => m.moduleId === 'cold-call-roleplay')).toMatchObject({ status: 'open', attempts: 0 });
    await eventually(async () => expect((await app.mailTo(email)).map((m) => m.subject)).toContain('Your sign-off: a few modules to revisit'));
  });

  it('refuses bad progress with the right status', async () => {
    const { repId } = await newRep('Quinn');
    expect((await post(`/reps/${repId}/modules/no-such-module/completions`, { attemptId: 'a' })).status).toBe(404);
    expect((await post(`/reps/rep_nobody/modules/company-and-product/completions`, { attemptId: 'a' })).status).toBe(404);
    const blocked = await post(`/reps/${repId}/modules/product-certification-quiz/completions`, { attemptId: 'a', score: 90 });
    expect(blocked.status).toBe(409);
    expect(blocked.body.message).toMatch(/ideal-customer-profile/);
    const outOfRange = await post(`/reps/${repId}/modules/company-and-product/completions`, { attemptId: 'a', score: 101 });
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.issues[0].path).toBe('score');
    expect((await post('/reps', { email: 'x@example.com', firstName: 'X', lastName: 'Y', role: 'boss', managerEmail: 'm@example.com' })).body.issues[0].path).toBe('role');
    expect((await post(`/reps/${repId}/status`, { status: 'inactive' })).body).toMatchObject({ status: 'inactive', changed: true });
    expect((await post(`/reps/${repId}/modules/company-and-product/completions`, { attemptId: 'b' })).status).toBe(409);
  });
});
