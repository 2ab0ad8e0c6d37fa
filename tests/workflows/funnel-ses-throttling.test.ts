/**
 * SES over its sending rate, on the synthesized LeadFunnel at a minute per second: the local SES takes
 * 5 emails a second, and a crowd of leads whose runs start together (the run outbox held until all are
 * captured, however slowly the machine captures them) is programmed three emails each (the shipped
 * awareness emails, a few minutes apart), far more than 5 in a second. SES answers the surplus as it
 * does on AWS (429 TooManyRequestsException); the send chokepoint gives those claims back and fails with
 * SendThrottled, the engine retries with backoff and jitter, and every lead gets every email exactly
 * once, in the programme's order.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleApp } from '../../infra/assemble-app.js';
import { REPO_ROOT } from '../../local/stack.js';
import { funnelProgramme } from '../../workflows/programmes/funnel.js';
import type { FunnelProgramme } from '../../workflows/programmes/types.js';
import { bootApp, entriesOf, eventually, uniqueEmail, type App } from '../support/app.js';

const MINUTE_PER_SECOND = 60;
const SES_RATE = 5;
const LEADS = 24;

/** The shipped awareness emails (same steps, same templates) a few minutes apart instead of days. */
const minutesApart: FunnelProgramme = {
  ...funnelProgramme,
  stages: { ...funnelProgramme.stages, awareness: funnelProgramme.stages.awareness.map((s) => (s.kind === 'wait' ? { kind: 'wait' as const, minutes: 4 } : s)) },
};
const PROGRAMMED = funnelProgramme.stages.awareness.flatMap((s) => (s.kind === 'send' ? [s.id] : []));

let app: App;
beforeAll(async () => {
  const outdir = path.join(REPO_ROOT, '.tmp', `cdk.out-ses-throttling-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  const { app: cdkApp, stack } = assembleApp(minutesApart, { bundling: false, nag: false, outdir });
  const template = cdkApp.synth().getStackByName(stack.stackName).template;
  app = await bootApp(MINUTE_PER_SECOND, { app: { template, stackName: stack.stackName } });
  app.stack.faults.throttleSes(SES_RATE);
}, 120_000);
afterAll(() => app?.stop());

describe('LeadFunnel sends while SES throttles', () => {
  it('delivers every programmed email exactly once per lead, in order, though SES refused many at first', async () => {
    const emails = Array.from({ length: LEADS }, (_, i) => uniqueEmail(`throttled-${i}`));
    // As an integration would: a 503 (a dependency busy under the burst) is retried as it is.
    const capture = async (email: string): Promise<string> => {
      for (;;) {
        const { status, body } = await app.capture({ email, firstName: 'Rate', consent: true });
        if (status !== 503) {
          expect(status).toBe(201);
          return body.leadId as string;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    // Their runs start together once all are stored: the welcomes arrive as one burst.
    await app.stack.streams.pause();
    const leadIds = await Promise.all(emails.map(capture));
    app.stack.streams.resume();

    // An email_sent entry is written with the claim, before SES answers (and a throttled claim is withdrawn
    // again): wait until every lead's timeline AND inbox hold all of them, not the timeline alone.
    const leads = await eventually(async () => {
      const all = await Promise.all(leadIds.map((id) => app.lead(id)));
      for (const lead of all) expect(entriesOf(lead, 'email_sent').map((e) => e.data?.stepId)).toEqual(PROGRAMMED);
      for (const email of emails) expect(await app.mailTo(email)).toHaveLength(PROGRAMMED.length);
      return all;
    }, 90_000, 500);

    // SES itself: each lead's inbox holds the programmed emails once each, in the order the timeline sent them.
    for (const [i, lead] of leads.entries()) {
      const sentSubjects = entriesOf(lead, 'email_sent').map((e) => e.summary.replace(/^Sent "(.*)"$/, '$1'));
      expect((await app.mailTo(emails[i]!)).map((m) => m.subject)).toEqual(sentSubjects);
      // A throttled attempt leaves nothing behind: no failure, no deferral, no second "sent".
      expect(entriesOf(lead, 'email_failed')).toEqual([]);
      expect(entriesOf(lead, 'workflow_failed')).toEqual([]);
    }

    // It was throttled: SES refused sends, and send tasks failed with SendThrottled and were retried.
    expect(app.stack.faults.sesThrottleStats().throttled).toBeGreaterThan(0);
    const throttledTasks = app.stack.executions
      .list('LeadFunnel')
      .flatMap((e) => e.history)
      .filter((h: any) => h.type === 'TaskFailed' && h.taskFailedEventDetails?.error === 'SendThrottled');
    expect(throttledTasks.length).toBeGreaterThan(0);
    expect(app.stack.executions.list('LeadFunnel', 'FAILED')).toEqual([]);
    // The wait above allows 90 s: the test's own limit is above it, so a slow run fails on what is missing, not on time.
  }, 180_000);
});
