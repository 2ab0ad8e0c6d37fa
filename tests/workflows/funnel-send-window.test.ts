/**
 * A send step marked `window: 'business-hours'` on the synthesized LeadFunnel at 6 hours per second: the
 * programme is the shipped one with its welcome email windowed, the deployment's business hours 9–17
 * Monday–Friday in New York. A lead captured over the weekend gets the welcome at Monday's opening, once,
 * after a deferral the timeline records with its reason — through the same SendDeferred path as the cap.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localParts } from '../../functions/core/business-hours.js';
import { assembleApp } from '../../infra/assemble-app.js';
import { REPO_ROOT } from '../../local/stack.js';
import { funnelProgramme } from '../../workflows/programmes/funnel.js';
import type { FunnelProgramme } from '../../workflows/programmes/types.js';
import { bootApp, entriesOf, eventually, uniqueEmail, type App } from '../support/app.js';

// Slow enough that booting the stack (a few real seconds) stays inside the weekend on the virtual clock.
const SIX_HOURS_PER_SECOND = 6 * 3_600;
const ZONE = 'America/New_York';

/** The shipped programme with awareness's welcome (its first step) sent only in business hours. */
const windowed: FunnelProgramme = {
  ...funnelProgramme,
  stages: { ...funnelProgramme.stages, awareness: funnelProgramme.stages.awareness.map((s, i) => (i === 0 && s.kind === 'send' ? { ...s, window: 'business-hours' as const } : s)) },
};

/** 18:00 on the first Friday in New York at least a week from now (the local clock never starts before now). */
function nextFridayEvening(): number {
  let t = Math.ceil((Date.now() + 7 * 86_400_000) / 3_600_000) * 3_600_000;
  for (;;) {
    const p = localParts(new Date(t), ZONE);
    if (p.weekday === 5 && p.hour === 18) return t;
    t += 3_600_000;
  }
}

let app: App;
beforeAll(async () => {
  const outdir = path.join(REPO_ROOT, '.tmp', `cdk.out-send-window-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  const { app: cdkApp, stack } = assembleApp(windowed, { bundling: false, nag: false, outdir, context: { businessHours: '9-17/1-5', defaultTimeZone: ZONE } });
  const template = cdkApp.synth().getStackByName(stack.stackName).template;
  app = await bootApp(SIX_HOURS_PER_SECOND, { app: { template, stackName: stack.stackName }, virtualStartMs: nextFridayEvening() });
}, 120_000);
afterAll(() => app?.stop());

describe('LeadFunnel send window', () => {
  it('sends a windowed email scheduled over the weekend at Monday’s opening in the recipient’s zone, exactly once', async () => {
    const email = uniqueEmail('windowed');
    const { body } = await app.capture({ email, firstName: 'Win', consent: true });
    const { leadId } = body;

    const lead = await eventually(async () => {
      const current = await app.lead(leadId);
      expect(entriesOf(current, 'email_sent').map((e: any) => e.data?.stepId)).toContain('welcome');
      return current;
    }, 40_000);

    // Deferred to Monday's opening. At six hours per second a millisecond of timer slack is 22 virtual seconds, so
    // a busy machine can wake the send just before 09:00 and defer it again, to the same opening: every deferral
    // must name that one instant, and the email must still go exactly once.
    const deferred = entriesOf(lead, 'email_deferred');
    expect(deferred.length).toBeGreaterThanOrEqual(1);
    for (const d of deferred) {
      expect(d.data).toMatchObject({ stepId: 'welcome', reason: 'business-hours', until: deferred[0]!.data!.until });
      expect(d.summary).toMatch(/outside business hours in America\/New_York/);
    }
    const until = Date.parse(deferred[0]!.data!.until);
    expect(localParts(new Date(until), ZONE)).toMatchObject({ weekday: 1, hour: 9, minute: 0 });

    const sent = entriesOf(lead, 'email_sent').filter((e: any) => e.data?.stepId === 'welcome');
    expect(sent).toHaveLength(1);
    // Sent at the opening (not a day later), inside business hours in New York.
    const sentAt = Date.parse(sent[0]!.at);
    expect(sentAt).toBeGreaterThanOrEqual(until);
    expect(localParts(new Date(sentAt), ZONE)).toMatchObject({ weekday: 1, hour: 9 });
    const welcomes = (await app.mailTo(email)).filter((m) => m.subject === 'Thanks for getting in touch with Brightline Analytics');
    expect(welcomes).toHaveLength(1);
  });
});
