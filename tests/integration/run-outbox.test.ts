/**
 * The run outbox and the confirmation outbox on the real local system (synthesized template, DynamoDB Local's stream feeding
 * StartRuns through the event source mapping, the local Step Functions with its StartExecution quota):
 * whatever fails between storing a lead and starting its run, the run starts, exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, entriesOf, eventually, sleep, uniqueEmail, type App } from '../support/app.js';

let app: App;
beforeAll(async () => {
  app = await bootApp(1);
});
afterAll(() => app?.stop());

const executionsOf = (id: string) => app.stack.executions.list().filter((e) => e.name.startsWith(`${id}-`));

describe('the run outbox', () => {
  it('answers a form post without waiting for Step Functions, and starts the run once StartExecution is accepted again', async () => {
    app.stack.startQuota.refuseFor(3);
    const before = app.stack.startQuota.throttled;
    const captured = await app.capture({ email: uniqueEmail('refused'), firstName: 'Rita' });
    // Stored and answered while every start is refused: the request never called StartExecution.
    expect(captured.status).toBe(201);
    const { leadId } = captured.body;
    await eventually(() => expect(app.stack.startQuota.throttled).toBeGreaterThan(before), 10_000);
    expect(executionsOf(leadId)).toEqual([]);

    // StartRuns backs off with jitter inside its invocation and starts it once the refusal is over.
    await eventually(() => expect(executionsOf(leadId).map((e) => e.name)).toEqual([`${leadId}-r1`]), 30_000);
    const lead = await eventually(async () => {
      const read = await app.lead(leadId);
      expect(entriesOf(read, 'workflow_started')).toHaveLength(1);
      return read;
    });
    expect(entriesOf(lead, 'workflow_started')[0]).toMatchObject({ data: { run: 1, stage: 'awareness', execution: `${leadId}-r1` } });
    await eventually(async () => expect((await app.mailTo(lead.email)).map((m) => m.subject)).toHaveLength(1));
  });

  it('leaves nothing behind when the stream path is lost: the sweeper starts what is still pending, and only that', async () => {
    // As if every record of this write were lost (an invocation crashed past its retries).
    await app.stack.streams.pause();
    const captured = await app.capture({ email: uniqueEmail('swept'), firstName: 'Sam' });
    const { leadId } = captured.body;
    await sleep(300);
    expect(executionsOf(leadId)).toEqual([]);

    // The scheduled sweep takes runs pending for over a minute: this one is too young for it.
    expect(await app.stack.invoke('StartRuns', { source: 'aws.events', 'detail-type': 'Scheduled Event' })).toMatchObject({ started: 0 });
    expect(executionsOf(leadId)).toEqual([]);

    // An operator's sweep of everything pending (or the scheduled one, a minute later) starts it.
    expect(await app.stack.invoke('StartRuns', { olderThanSeconds: 0 })).toMatchObject({ started: 1, leftPending: 0 });
    expect(executionsOf(leadId).map((e) => e.name)).toEqual([`${leadId}-r1`]);

    // The stream's record arrives late (resumed): it finds the run started and starts nothing more.
    app.stack.streams.resume();
    await app.stack.streams.idle();
    expect(executionsOf(leadId)).toHaveLength(1);
    expect(entriesOf(await app.lead(leadId), 'workflow_started')).toHaveLength(1);
    expect(await app.stack.invoke('StartRuns', { olderThanSeconds: 0 })).toMatchObject({ started: 0 });
  });

  it('starts a stage change’s new run through the outbox too, and a rep’s onboarding run', async () => {
    const { body } = await app.capture({ email: uniqueEmail('mover'), firstName: 'Mo' });
    await eventually(() => expect(executionsOf(body.leadId)).toHaveLength(1));
    // A form submission (10 points) moves an awareness lead to interest: run 2.
    expect((await app.event({ eventId: `form-${body.leadId}`, type: 'form_submitted', leadId: body.leadId })).status).toBe(202);
    await eventually(() => expect(executionsOf(body.leadId).filter((e) => e.status === 'RUNNING').map((e) => e.name)).toEqual([`${body.leadId}-r2`]));

    const rep = await fetch(`${app.stack.apiUrl}/reps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.stack.apiKey}` },
      body: JSON.stringify({ email: uniqueEmail('newhire'), firstName: 'Nia', lastName: 'Hire', role: 'sdr', managerEmail: 'boss@example.com' }),
    });
    expect(rep.status).toBe(201);
    const { repId } = (await rep.json()) as { repId: string };
    await eventually(() => expect(executionsOf(repId).map((e) => e.name)).toEqual([`${repId}-r1`]));
  });
});

describe('the confirmation outbox', () => {
  it('mails each double opt-in link exactly once though SES refuses most of them at first, and the form posts never wait for it', async () => {
    app.stack.faults.throttleSes(1);
    try {
      const people = [uniqueEmail('doi-a'), uniqueEmail('doi-b'), uniqueEmail('doi-c'), uniqueEmail('doi-d')];
      for (const email of people) {
        const res = await app.captureAnonymous({ email, firstName: 'Dee', consent: true });
        expect(res.status).toBe(202);
      }
      await eventually(
        async () => {
          for (const email of people) expect((await app.mailTo(email)).filter((m) => /Please confirm/.test(m.subject)), email).toHaveLength(1);
        },
        45_000,
        250,
      );
      expect(app.stack.faults.sesThrottleStats().throttled).toBeGreaterThan(0);
    } finally {
      app.stack.faults.throttleSes(undefined);
    }
  });
});
