/**
 * The submission outbox, for real (local runtime, DynamoDB Local and its stream): POST /leads answers once
 * the lead is stored; its intake (referral, Contact, erasure checks) and its first run follow from the
 * table's stream through StartRuns — or, when the stream's record is lost, from StartRuns' sweep — once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, eventually, timelineTypes, uniqueEmail, type App } from '../support/app.js';

let app: App;

beforeAll(async () => {
  app = await bootApp(1);
});

afterAll(async () => {
  await app?.stop();
});

const executionsOf = (leadId: string) => app.stack.executions.list().filter((e) => e.name.startsWith(leadId));

describe('the submission outbox', () => {
  it('answers once the lead is stored; the intake and the first run follow from the stream, once', async () => {
    await app.stack.streams.pause();
    let leadId: string;
    try {
      const email = uniqueEmail('outbox');
      const res = await app.capture({ email, firstName: 'Olive', consent: true });
      expect(res.status).toBe(201);
      leadId = res.body.leadId;
      // Stored and readable at once, with what the submission said; no run yet, nothing mailed.
      const stored = await app.lead(leadId);
      expect(stored).toMatchObject({ email, firstName: 'Olive', stage: 'awareness', consent: { given: true, method: 'integration' } });
      expect(stored).not.toHaveProperty('intake');
      expect(timelineTypes(stored)).toEqual(['lead_captured', 'consent_recorded']);
      expect(executionsOf(leadId)).toEqual([]);
      expect(await app.mailTo(email)).toEqual([]);
    } finally {
      app.stack.streams.resume();
    }
    await eventually(async () => expect(timelineTypes(await app.lead(leadId))).toContain('workflow_started'));
    const lead = await app.lead(leadId);
    expect(timelineTypes(lead).filter((t) => t === 'lead_captured')).toHaveLength(1);
    expect(timelineTypes(lead).filter((t) => t === 'workflow_started')).toHaveLength(1);
    expect(executionsOf(leadId)).toHaveLength(1);
  });

  it('takes in a lead whose stream record was lost from the sweep, and starts its run exactly once', async () => {
    await app.stack.streams.pause();
    const email = uniqueEmail('swept');
    let leadId: string;
    try {
      leadId = (await app.capture({ email, firstName: 'Sid', consent: true })).body.leadId;
      // The sweeper takes what waits longer than two minutes; an operator (here the test) may ask for less.
      const swept = (await app.stack.invoke('StartRuns', { olderThanSeconds: 0 })) as { started: number };
      expect(swept.started).toBeGreaterThanOrEqual(1);
      expect(executionsOf(leadId)).toHaveLength(1);
    } finally {
      app.stack.streams.resume();
    }
    // The stream's records, delivered late, find nothing left to do.
    await eventually(async () => expect(await app.mailTo(email)).toHaveLength(1));
    const lead = await app.lead(leadId);
    expect(timelineTypes(lead).filter((t) => t === 'workflow_started')).toHaveLength(1);
    expect(executionsOf(leadId)).toHaveLength(1);
  });

  it('asks an anonymous opt-in to confirm only after the intake, and mails the link once', async () => {
    const email = uniqueEmail('confirm');
    expect((await app.captureAnonymous({ email, firstName: 'Cora', consent: true })).status).toBe(202);
    await eventually(async () => expect((await app.mailTo(email)).filter((m) => /confirm/i.test(m.subject))).toHaveLength(1));
  });

  it('answers ten concurrent first submissions of one email with one 201 and nine 200s, one lead, each run once', async () => {
    const email = uniqueEmail('crowd');
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => app.capture({ email, firstName: 'Crowd', jobTitle: `T${i}` })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(answers.map((a) => a.body.leadId));
    expect(ids.size).toBe(1);
    const [leadId] = [...ids];
    // The repeats are a form engagement (scored once a day), which moves the lead on: run 2 at interest.
    const lead = await eventually(async () => {
      const read = await app.lead(leadId!);
      expect(read.stage).toBe('interest');
      expect(executionsOf(leadId!).map((e) => e.name)).toContain(`${leadId}-r${read.run}`);
      return read;
    });
    const names = executionsOf(leadId!).map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(timelineTypes(lead).filter((t) => t === 'lead_captured')).toHaveLength(1);
    expect(timelineTypes(lead).filter((t) => t === 'form_submitted').length).toBeGreaterThanOrEqual(1);
  });

  it('a second submission meeting a lead whose intake is still pending takes it in first, then merges', async () => {
    await app.stack.streams.pause();
    const email = uniqueEmail('twice');
    let leadId: string;
    try {
      leadId = (await app.capture({ email, firstName: 'Tess', consent: true })).body.leadId;
      const again = await app.capture({ email, jobTitle: 'CTO' });
      expect(again).toMatchObject({ status: 200, body: { leadId } });
      const types = timelineTypes(await app.lead(leadId));
      expect(types.indexOf('lead_captured')).toBeLessThan(types.indexOf('form_submitted'));
    } finally {
      app.stack.streams.resume();
    }
    await eventually(async () => expect(executionsOf(leadId)).toHaveLength(1));
    expect(await app.lead(leadId)).toMatchObject({ jobTitle: 'CTO' });
  });
});
