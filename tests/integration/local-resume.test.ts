/**
 * npm start resumes the funnel runs of leads kept in .data/ (executions live in memory): a lead
 * whose execution was lost gets its run back, without the emails it already had.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLeadStore } from '../../functions/adapters/dynamodb/lead-store.js';
import { fixedClock } from '../../functions/core/clock.js';
import type { Lead } from '../../functions/core/model.js';
import { documentClient } from '../../functions/shared/clients.js';
import { resumeFunnelRuns } from '../../local/resume.js';
import { bootApp, eventually, sleep, uniqueEmail, type App } from '../support/app.js';

let app: App;
let store: DynamoLeadStore;
beforeAll(async () => {
  app = await bootApp(1);
  store = new DynamoLeadStore(documentClient(), app.stack.tableName);
});
afterAll(() => app?.stop());

const T0 = new Date().toISOString();
const aLead = (over: Partial<Lead>): Lead => ({
  leadId: `lead-${Math.random().toString(36).slice(2, 10)}`,
  email: uniqueEmail('kept'),
  stage: 'awareness',
  status: 'active',
  score: 0,
  run: 2,
  // Started before the restart (the run outbox had marked it): only the execution was lost with the process.
  startedRun: 2,
  consent: { given: true, textVersion: 'v1', at: T0, sourceForm: 'web-form' },
  createdAt: T0,
  updatedAt: T0,
  version: 1,
  ...over,
});

const resume = () =>
  resumeFunnelRuns({
    dynamodbEndpoint: app.stack.dynamodbEndpoint,
    sfnEndpoint: app.stack.sfnEndpoint,
    tableName: app.stack.tableName,
    funnelArn: app.stack.stateMachines.LeadFunnel!,
    clock: fixedClock(T0),
  });

describe('resuming funnel runs after a local restart', () => {
  it('starts the current run of a nurturing lead without resending what it already had, and leaves closed leads alone', async () => {
    const kept = aLead({});
    await store.create(kept, []);
    // It had its welcome before the restart: the ledger says so.
    const saved = await store.save(kept, 1, [], { ledgerKey: 'awareness#welcome' });
    await store.markSent(kept.leadId, 'awareness#welcome', 'msg-before-restart');
    const closed = aLead({ status: 'lost', email: uniqueEmail('closed') });
    await store.create(closed, []);

    expect(await resume()).toBe(1);
    const name = `${kept.leadId}-r2`;
    const execution = app.stack.executions.list().find((e) => e.name === name);
    expect(execution?.status).toBe('RUNNING');
    expect(app.stack.executions.list().some((e) => e.name.startsWith(closed.leadId))).toBe(false);

    // The welcome step ran again and found its ledger entry: no second welcome.
    await eventually(() =>
      expect(app.stack.executions.history(execution!.executionArn).some((h) => h.type === 'WaitStateEntered')).toBe(true),
    );
    await sleep(500);
    expect(await app.mailTo(kept.email)).toHaveLength(0);
    const timeline = await store.timeline(kept.leadId);
    expect(timeline.map((e) => e.summary)).toContain('Funnel run 2 resumed at awareness after a local restart');
    expect(saved.version).toBe(2);

    expect(await resume()).toBe(0);
  });
});
