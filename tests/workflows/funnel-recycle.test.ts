/**
 * The LeadFunnel as synthesized, on a clock fast enough (3 000 000×) that a lead's whole silent life —
 * 14 days of awareness nurture, then four monthly recycle emails (134 virtual days) — passes in seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, entriesOf, eventually, uniqueEmail, type App } from '../support/app.js';

const SCALE = 3_000_000;

let app: App;
beforeAll(async () => {
  app = await bootApp(SCALE);
});
afterAll(() => app?.stop());

const execution = (leadId: string, run: number) => app.stack.executions.list().find((e) => e.name === `${leadId}-r${run}`);
const sentSteps = (lead: any) => entriesOf(lead, 'email_sent').map((e) => e.data?.stepId as string);

describe('LeadFunnel recycle', () => {
  it('recycles a silent lead into the monthly nurture, closes it as dormant, and wakes it on any engagement without resending its nurture', async () => {
    const email = uniqueEmail('silent');
    const captured = await app.capture({ email, firstName: 'Sam', consent: true });
    expect(captured.status).toBe(201);
    const { leadId } = captured.body;

    const firstRun = await eventually(() => {
      const run = execution(leadId, 1);
      expect(run).toBeDefined();
      return run!;
    });
    await app.stack.executions.waitForStatus(firstRun.executionArn, 'SUCCEEDED', { timeoutMs: 30_000 });

    const dormant = await app.lead(leadId);
    expect(dormant.status).toBe('dormant');
    const statusChanges = entriesOf(dormant, 'status_changed').map((e) => e.data?.to);
    expect(statusChanges).toEqual(['recycled', 'dormant']);
    // The awareness programme first, then the four monthly emails, each once and in order.
    expect(sentSteps(dormant)).toEqual(['welcome', 'educational-1', 'educational-2', 'monthly-1', 'monthly-2', 'monthly-3', 'monthly-4']);
    const at = (type: string, match: (data: any) => boolean) => dormant.timeline.findIndex((e: any) => e.type === type && match(e.data));
    const recycledAt = at('status_changed', (d) => d?.to === 'recycled');
    expect(at('email_sent', (d) => d?.stepId === 'educational-2')).toBeLessThan(recycledAt);
    expect(recycledAt).toBeLessThan(at('email_sent', (d) => d?.stepId === 'monthly-1'));
    expect(at('email_sent', (d) => d?.stepId === 'monthly-4')).toBeLessThan(at('status_changed', (d) => d?.to === 'dormant'));
    expect(await app.mailTo(email)).toHaveLength(7);
    await eventually(() =>
      expect(app.domainEvents('LeadClosed').filter((e) => e.detail.leadId === leadId).map((e) => e.detail.status)).toEqual(['dormant']),
    );

    const opened = await app.event({ eventId: `${leadId}-open`, type: 'email_opened', leadId });
    expect(opened).toMatchObject({ status: 202, body: { status: 'active' } });
    expect((await app.lead(leadId)).status).toBe('active');
    const secondRun = await eventually(() => {
      const run = execution(leadId, 2);
      expect(run).toBeDefined();
      return run!;
    });

    // The new run walks the awareness programme again; its emails were sent once already, so none goes twice.
    await eventually(async () => expect(entriesOf(await app.lead(leadId), 'status_changed').map((e) => e.data?.to)).toContain('recycled'), 30_000);
    const subjects = (await app.mailTo(email)).map((m) => m.subject);
    for (const nurture of subjects.slice(0, 3)) expect(subjects.filter((s) => s === nurture)).toHaveLength(1);
    const awake = await app.lead(leadId);
    expect(sentSteps(awake).filter((s) => !s.startsWith('monthly-'))).toEqual(['welcome', 'educational-1', 'educational-2']);
    expect(app.stack.executions.describe(secondRun.executionArn).status).not.toBe('FAILED');
  });
});
