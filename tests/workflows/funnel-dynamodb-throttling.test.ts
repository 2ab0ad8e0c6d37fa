/**
 * DynamoDB throttling 30% of the handlers' writes (the local fault proxy answering as an on-demand table
 * does), on the synthesized LeadFunnel at 3 000 000× so a silent lead's whole life passes in seconds:
 * 14 days of awareness nurture, four monthly recycle emails, then closed as dormant. Tasks can wait: the
 * SDK retries a throttled write, the engine retries a task whose writes stayed throttled, and every lead
 * still gets each of its seven programmed emails exactly once, with one timeline entry each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { funnelProgramme } from '../../workflows/programmes/funnel.js';
import { bootApp, entriesOf, eventually, uniqueEmail, type App } from '../support/app.js';

const SCALE = 3_000_000;
const LEADS = 5;
const WRITE_FAILURE_RATE = 0.3;
/** The silent life: the awareness steps, then the recycle steps. */
const PROGRAMMED = [...funnelProgramme.stages.awareness, ...funnelProgramme.recycle].flatMap((s) => (s.kind === 'send' ? [s.id] : []));

let app: App;
beforeAll(async () => {
  app = await bootApp(SCALE, { dynamodbFaults: { seed: 30 } });
});
afterAll(() => app?.stop());

/**
 * POST /leads as an integration that honours 503: a capture whose writes stayed throttled through the
 * SDK's retries is answered 503 with nothing stored, and the same request is simply sent again.
 */
async function capture(email: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const { status, body } = await app.capture({ email, firstName: 'Thea', consent: true });
    if (status === 201 || status === 200) return body.leadId as string;
    expect(status).toBe(503);
    if (attempt === 5) throw new Error(`POST /leads answered 503 five times for ${email}`);
  }
}

describe('LeadFunnel while DynamoDB throttles writes', () => {
  it('sends every programmed email exactly once per lead, with one timeline entry each, though 30% of the writes were throttled', async () => {
    expect(PROGRAMMED).toHaveLength(7);
    app.stack.faults.failDynamoDbWrites(WRITE_FAILURE_RATE);
    const emails = Array.from({ length: LEADS }, (_, i) => uniqueEmail(`ddb-throttled-${i}`));
    const leadIds = await Promise.all(emails.map(capture));

    // Each run ends on its own: closed as dormant after the last recycle email, or failed if a task gave up.
    for (const leadId of leadIds) {
      const run = await eventually(() => {
        const started = app.stack.executions.list().find((e) => e.name === `${leadId}-r1`);
        expect(started, leadId).toBeDefined();
        return started!;
      });
      const ended = await app.stack.executions.waitForStatus(run.executionArn, ['SUCCEEDED', 'FAILED', 'ABORTED'], { timeoutMs: 50_000 });
      expect(ended.status, leadId).toBe('SUCCEEDED');
    }
    const { writes, throttled } = app.stack.faults.dynamoDbWriteStats();
    app.stack.faults.failDynamoDbWrites(0);
    // The faults were real: a share of the write attempts were answered as throttled.
    expect(throttled).toBeGreaterThan(0);
    expect(throttled).toBeLessThan(writes);

    for (const [i, leadId] of leadIds.entries()) {
      const lead = await app.lead(leadId);
      expect(lead.status).toBe('dormant');
      // The timeline: each programmed email sent once, in order; no failed send, no failed run.
      expect(entriesOf(lead, 'email_sent').map((e) => e.data?.stepId)).toEqual(PROGRAMMED);
      expect(entriesOf(lead, 'email_failed')).toEqual([]);
      expect(entriesOf(lead, 'workflow_failed')).toEqual([]);
      expect(entriesOf(lead, 'status_changed').map((e) => e.data?.to)).toEqual(['recycled', 'dormant']);
      expect(entriesOf(lead, 'lead_captured')).toHaveLength(1);
      // The inbox: the same emails, once each, in the order the timeline sent them.
      const sentSubjects = entriesOf(lead, 'email_sent').map((e) => e.summary.replace(/^Sent "(.*)"$/, '$1'));
      expect((await app.mailTo(emails[i]!)).map((m) => m.subject)).toEqual(sentSubjects);
    }
  });
});
