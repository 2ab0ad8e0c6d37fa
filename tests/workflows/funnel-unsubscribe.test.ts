/**
 * The send chokepoint seen from outside, on the synthesized LeadFunnel at a day per second: a lost
 * Lambda response retried without a second email, the consent policy, and one-click unsubscribe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, entriesOf, eventually, uniqueEmail, type App } from '../support/app.js';

const DAY_PER_SECOND = 86_400;
const WELCOME_STATE = 'Awareness: send 1 (welcome)';

let app: App;
beforeAll(async () => {
  app = await bootApp(DAY_PER_SECOND);
});
afterAll(() => app?.stop());

const firstRun = (leadId: string) =>
  eventually(() => {
    const run = app.stack.executions.list().find((e) => e.name === `${leadId}-r1`);
    expect(run).toBeDefined();
    return run!;
  });
const stepsOf = (lead: any, type: string) => entriesOf(lead, type).map((e) => e.data?.stepId);
const unsubscribe = (url: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
const unsubscribeUrlOf = (header: string | undefined) => header?.match(/^<(.+)>$/)?.[1];

describe('LeadFunnel sending', () => {
  // First in the file: the armed fault hits the next SendEmail invocation, and no other run exists yet.
  it('retries a send whose Lambda response was lost and still delivers the welcome exactly once', async () => {
    app.stack.faults.failNext('SendEmail', { after: true });
    const email = uniqueEmail('lost-response');
    const { body } = await app.capture({ email, consent: true });
    const run = await firstRun(body.leadId);

    await eventually(() => {
      const welcome = app.stack.executions.history(run.executionArn).filter((e) => e.stateName === WELCOME_STATE);
      expect(welcome.map((e) => e.type).filter((t) => t === 'TaskFailed' || t === 'TaskSucceeded')).toEqual(['TaskFailed', 'TaskSucceeded']);
    });
    const failed = app.stack.executions.history(run.executionArn).find((e) => e.type === 'TaskFailed') as any;
    expect(failed.taskFailedEventDetails.error).toBe('Lambda.ServiceException');
    expect(app.stack.executions.describe(run.executionArn).status).toBe('RUNNING');

    expect(await app.mailTo(email)).toHaveLength(1);
    expect(stepsOf(await app.lead(body.leadId), 'email_sent')).toEqual(['welcome']);
    // The run goes on with its programme: educational-1 follows at day 3.
    await eventually(async () => expect(stepsOf(await app.lead(body.leadId), 'email_sent')).toEqual(['welcome', 'educational-1']), 20_000);
    expect(await app.mailTo(email)).toHaveLength(2);
  });

  it('sends a lead without marketing consent the welcome but skips its educational emails', async () => {
    const email = uniqueEmail('no-consent');
    const { body } = await app.capture({ email, consent: false });
    await eventually(async () => expect(await app.mailTo(email)).toHaveLength(1));

    const lead = await eventually(async () => {
      const current = await app.lead(body.leadId);
      expect(stepsOf(current, 'email_skipped')).toContain('educational-1');
      return current;
    }, 20_000);
    expect(entriesOf(lead, 'email_skipped').find((e) => e.data?.stepId === 'educational-1')?.data?.reason).toBe('no-consent');
    expect(stepsOf(lead, 'email_sent')).toEqual(['welcome']);
    expect(await app.mailTo(email)).toHaveLength(1);
  });

  it('stops every email to a lead that unsubscribed with one click from the welcome’s List-Unsubscribe header', async () => {
    const email = uniqueEmail('unsubscriber');
    const { body } = await app.capture({ email, consent: true });
    const [welcome] = await eventually(async () => {
      const mails = await app.mailTo(email);
      expect(mails).toHaveLength(1);
      return mails;
    });
    expect(welcome!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const url = unsubscribeUrlOf(welcome!.headers['list-unsubscribe']);
    expect(url).toMatch(/\/unsubscribe\?token=/);

    const res = await unsubscribe(url!);
    expect(res.status).toBe(200);

    // Educational-1 (day 3) and educational-2 (day 8) both come due and are skipped at send time.
    const lead = await eventually(async () => {
      const current = await app.lead(body.leadId);
      expect(stepsOf(current, 'email_skipped')).toEqual(['educational-1', 'educational-2']);
      return current;
    }, 30_000);
    expect(lead.timeline.findIndex((e: any) => e.type === 'unsubscribed')).toBeLessThan(lead.timeline.findIndex((e: any) => e.type === 'email_skipped'));
    expect(entriesOf(lead, 'email_skipped').map((e) => e.data?.reason)).toEqual(['unsubscribed', 'unsubscribed']);
    expect(stepsOf(lead, 'email_sent')).toEqual(['welcome']);
    expect(await app.mailTo(email)).toHaveLength(1);
  });

  it('refuses an unsubscribe link with a tampered token and leaves the lead subscribed', async () => {
    const email = uniqueEmail('tampered');
    const { body } = await app.capture({ email, consent: true });
    const [welcome] = await eventually(async () => {
      const mails = await app.mailTo(email);
      expect(mails).toHaveLength(1);
      return mails;
    });
    const url = new URL(unsubscribeUrlOf(welcome!.headers['list-unsubscribe'])!);
    const token = url.searchParams.get('token')!;
    url.searchParams.set('token', `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`);

    const res = await unsubscribe(url.toString());
    expect(res.status).toBe(400);
    const lead = await app.lead(body.leadId);
    expect(lead.suppressed).toBeUndefined();
    expect(entriesOf(lead, 'unsubscribed')).toHaveLength(0);
    await eventually(async () => expect(stepsOf(await app.lead(body.leadId), 'email_sent')).toContain('educational-1'), 20_000);
  });
});
