/**
 * Issue 9's burst: 3,000 leads posted at once while StartExecution is throttled as AWS throttles it in
 * the large regions (a bucket of 1,300, refilled at 300 per second). Every lead must get exactly one
 * run and exactly one welcome email; none is lost.
 *
 * The stream is paused while the leads are posted, so the whole burst reaches StartRuns together (as a
 * trade show's upload would), and StartRuns is allowed 1,000 starts a second (START_RATE) — far over
 * the refill — so the throttling path is really taken: the drain then runs at whatever Step Functions
 * accepts, backing off with jitter, never in a tight loop. (With the default START_RATE of 250 the
 * same burst drains without a single throttle: `npm run load -- --burst`.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '../../scripts/bench-support.js';
import { bootApp, eventually, type App } from '../support/app.js';

const LEADS = 3_000;
const QUOTA = { bucket: 1_300, refillPerSecond: 300 };

let app: App;
beforeAll(async () => {
  app = await bootApp(1, { startQuota: QUOTA, env: { START_RATE: '1000', SEND_RATE_CEILING: '100000' } });
});
afterAll(() => app?.stop());

describe('a burst over the StartExecution quota', () => {
  it('gives every one of 3,000 leads exactly one run and one welcome email', { timeout: 600_000 }, async () => {
    await app.stack.streams.pause();
    const leads: Array<{ leadId: string; email: string }> = [];
    await pool(
      Array.from({ length: LEADS }, (_, i) => i),
      32,
      async (i) => {
        const email = `burst.${i}.${Date.now().toString(36)}@example.com`;
        const res = await app.capture({ email, firstName: `Burst${i}` });
        expect(res.status).toBe(201);
        leads.push({ leadId: res.body.leadId, email });
      },
    );
    expect(new Set(leads.map((l) => l.leadId)).size).toBe(LEADS);

    const released = Date.now();
    // The account's StartExecution capacity is gone for a moment as the burst arrives (another burst,
    // another app): its first 300 start calls are refused, so the drain must back off and come back. (A
    // refusal by the clock could pass unseen: each new lead's intake comes before its start.)
    app.stack.startQuota.refuseNext(300);
    app.stack.streams.resume();
    const funnel = () => app.stack.executions.list('LeadFunnel');
    await eventually(() => expect(funnel().length).toBeGreaterThanOrEqual(LEADS), 300_000, 500);
    const drainMs = Date.now() - released;
    await app.stack.streams.idle({ timeoutMs: 120_000 });

    // Throttled, and yet exactly one run each.
    expect(app.stack.startQuota.throttled).toBeGreaterThanOrEqual(300);
    const names = funnel().map((e) => e.name);
    expect(names).toHaveLength(LEADS);
    expect(new Set(names)).toEqual(new Set(leads.map((l) => `${l.leadId}-r1`)));

    // Exactly one welcome each.
    const welcomes = await eventually(
      async () => {
        const mail = await app.stack.mail.list();
        const byRecipient = new Map<string, number>();
        for (const m of mail) for (const to of m.destination.to as string[]) byRecipient.set(to, (byRecipient.get(to) ?? 0) + 1);
        expect(byRecipient.size).toBe(LEADS);
        return byRecipient;
      },
      300_000,
      1_000,
    );
    expect(leads.filter((l) => welcomes.get(l.email) !== 1)).toEqual([]);

    // Figures for the closing note (not assertions: the machine is shared and noisy).
    const starts = funnel().map((e) => e.startDate.getTime());
    console.log(
      `[burst] ${LEADS} leads, StartExecution ${QUOTA.bucket}/${QUOTA.refillPerSecond}: all runs started ${(drainMs / 1000).toFixed(1)} s after release ` +
        `(longest wait ${((Math.max(...starts) - released) / 1000).toFixed(1)} s), ${app.stack.startQuota.throttled} start calls throttled, ` +
        `${app.stack.startQuota.accepted} accepted (${app.stack.startQuota.accepted - LEADS} of them refused as duplicates)`,
    );
  });
});
