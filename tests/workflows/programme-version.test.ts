/**
 * Every run records the programme version it started on, on the synthesized LeadFunnel run locally: the
 * execution's input carries the version the stack gave the starter (from workflows/programmes.lock.json),
 * the lead's workflow_started entry records it, and the send's timeline entry carries the version it was
 * sent under.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionOf, workflowEntry } from '../../workflows/registry.js';
import { bootApp, entriesOf, eventually, uniqueEmail, type App } from '../support/app.js';

let app: App;
beforeAll(async () => {
  app = await bootApp(28_800);
});
afterAll(() => app?.stop());

describe('the programme version of a run', () => {
  it('is in the execution input, on workflow_started and on the welcome email’s timeline entry', async () => {
    const version = versionOf(workflowEntry('LeadFunnel'));
    const captured = await app.capture({ email: uniqueEmail('version'), firstName: 'Vi', consent: true });
    expect(captured.status).toBe(201);
    const { leadId } = captured.body;

    const execution = await eventually(() => app.stack.executions.list().find((e) => e.name === `${leadId}-r1`) ?? expect.fail('not started yet'));
    expect(JSON.parse(execution.input)).toMatchObject({ leadId, run: 1, stage: 'awareness', version });

    await eventually(async () => expect(entriesOf(await app.lead(leadId), 'email_sent')).toHaveLength(1));
    const lead = await eventually(async () => {
      const read = await app.lead(leadId);
      expect(entriesOf(read, 'workflow_started')).toHaveLength(1);
      return read;
    });
    expect(entriesOf(lead, 'workflow_started')).toEqual([expect.objectContaining({ data: expect.objectContaining({ run: 1, version }) })]);
    expect(entriesOf(lead, 'email_sent')[0]).toMatchObject({ data: { stepId: 'welcome', version } });
  });
});
