/**
 * Hand-off to sales on the synthesized LeadFunnel at 8 virtual hours per second (the 24 h SLA is 3 real
 * seconds: room for a loaded machine to post rep_contacted in time): the unassigned queue when no
 * rep is active, SLA misses that reassign and then escalate once, and a contacted lead left with its rep.
 * The tests run in order and share the roster: the first starts with nobody active.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminGet, bootApp, entriesOf, eventually, realMs, sleep, qualifiedLead, teamMailAbout, type App } from '../support/app.js';

const SCALE = 28_800;
const QUEUE_RETRY_HOURS = 4;
const SLA_HOURS = 24;

let app: App;
let managerEmail: string;
const openLeads: string[] = [];

beforeAll(async () => {
  app = await bootApp(SCALE);
  managerEmail = process.env.MANAGER_EMAIL || 'sales-manager@example.com';
});
// A lead left open keeps missing SLAs in the background and would take turns from the next test.
afterEach(async () => {
  for (const leadId of openLeads.splice(0)) await app.event({ eventId: `${leadId}-closed`, type: 'lost', leadId });
});
afterAll(() => app?.stop());

const repEmail = (repId: string) => `${repId}@sales.example.com`;
const mailAbout = (to: string, leadEmail: string) => teamMailAbout(app, to, leadEmail);

const decisionLead = (name: string) => qualifiedLead(app, name, openLeads);

describe('LeadFunnel hand-off', () => {
  it('queues a decision lead while no rep is active, tells the manager once, and assigns the first rep who becomes active', async () => {
    const { leadId, email } = await decisionLead('queued');

    await eventually(async () => expect(entriesOf(await app.lead(leadId), 'rep_queue')).toHaveLength(1));
    const unassigned = await adminGet(app, '/leads?owner=unassigned&limit=100');
    expect(unassigned.status).toBe(200);
    expect(unassigned.body.items.map((l: { leadId: string }) => l.leadId)).toContain(leadId);
    await eventually(async () => expect(await mailAbout(managerEmail, email)).toHaveLength(1));

    // Several queue retries later the manager still has that one email: waiting is not news.
    await sleep(realMs(3 * QUEUE_RETRY_HOURS, SCALE) + 300);
    expect(await mailAbout(managerEmail, email)).toHaveLength(1);
    expect((await app.lead(leadId)).ownerId).toBeUndefined();

    await app.addRep({ repId: 'rep-quinn', name: 'Quinn Rep' });
    await eventually(async () => expect((await app.lead(leadId)).ownerId).toBe('rep-quinn'));
    const [summary] = await eventually(async () => {
      const mails = await mailAbout(repEmail('rep-quinn'), email);
      expect(mails).toHaveLength(1);
      return mails;
    });
    expect(summary!.subject).toMatch(/^New lead assigned to you: queued/);
    expect(entriesOf(await app.lead(leadId), 'rep_assigned').map((e) => e.data?.reason)).toEqual(['queue-retry']);
    const listed = await adminGet(app, '/leads?owner=rep-quinn');
    expect(listed.body.items.map((l: { leadId: string }) => l.leadId)).toContain(leadId);
    await eventually(() => expect(app.domainEvents('LeadAssigned').filter((e) => e.detail.leadId === leadId)).toHaveLength(1));

    await app.addRep({ repId: 'rep-quinn', name: 'Quinn Rep', status: 'inactive' });
  });

  it('reassigns a lead whose rep missed the contact SLA, notifies the manager, escalates the second miss and then stops', async () => {
    await app.addRep({ repId: 'rep-ana', name: 'Ana Rep' });
    await app.addRep({ repId: 'rep-bo', name: 'Bo Rep' });
    const { leadId, email } = await decisionLead('uncontacted');

    const first = await eventually(async () => {
      const owner = (await app.lead(leadId)).ownerId;
      expect(['rep-ana', 'rep-bo']).toContain(owner);
      return owner as string;
    });
    const second = first === 'rep-ana' ? 'rep-bo' : 'rep-ana';
    await eventually(async () => expect(await mailAbout(repEmail(first), email)).toHaveLength(1));

    // First miss: the other rep gets the lead, the manager hears about it (no escalation yet).
    await eventually(async () => {
      const lead = await app.lead(leadId);
      expect(entriesOf(lead, 'sla_missed')[0]?.data).toMatchObject({ repId: first, misses: 1 });
      expect(entriesOf(lead, 'rep_assigned')[1]?.data).toMatchObject({ repId: second, reason: 'sla-miss' });
    }, 20_000);
    await eventually(async () => expect(await mailAbout(repEmail(second), email)).toHaveLength(1));

    // Second miss: the one escalation; the ladder ends with the lead left with the second rep and
    // the decision programme going on.
    const notices = await eventually(async () => {
      const mails = await mailAbout(managerEmail, email);
      expect(mails).toHaveLength(2);
      return mails;
    }, 20_000);
    expect(notices[0]!.subject).toMatch(/^Contact SLA missed for uncontacted/);
    expect(notices[1]!.subject).toMatch(/^ESCALATION: Contact SLA missed/);
    expect(notices[1]!.text).toContain('missed the contact SLA 2 times');
    await eventually(async () => expect(entriesOf(await app.lead(leadId), 'email_sent').map((e) => e.data?.stepId)).toContain('proposal'));

    await sleep(realMs(3 * SLA_HOURS, SCALE) + 500);
    const lead = await app.lead(leadId);
    expect(lead.ownerId).toBe(second);
    expect(entriesOf(lead, 'sla_missed').map((e) => e.data?.repId)).toEqual([first, second]);
    expect(entriesOf(lead, 'rep_assigned').map((e) => [e.data?.repId, e.data?.reason])).toEqual([
      [first, 'decision'],
      [second, 'sla-miss'],
    ]);
    expect(await mailAbout(managerEmail, email)).toHaveLength(2);
    expect(await mailAbout(repEmail(first), email)).toHaveLength(1);
    expect(await mailAbout(repEmail(second), email)).toHaveLength(1);
  });

  it('leaves a lead with its rep when the rep logs contact within the SLA', async () => {
    const { leadId, email } = await decisionLead('contacted');
    const owner = await eventually(async () => {
      const current = (await app.lead(leadId)).ownerId;
      expect(current).toBeTruthy();
      return current as string;
    });
    await app.event({ eventId: `${leadId}-call`, type: 'rep_contacted', leadId });

    // Past the SLA check the decision programme starts: the proposal goes out.
    await eventually(async () => expect(entriesOf(await app.lead(leadId), 'email_sent').map((e) => e.data?.stepId)).toContain('proposal'));
    await sleep(realMs(2 * SLA_HOURS, SCALE) + 500);
    const lead = await app.lead(leadId);
    expect(entriesOf(lead, 'sla_missed')).toHaveLength(0);
    expect(entriesOf(lead, 'rep_assigned')).toHaveLength(1);
    expect(lead.ownerId).toBe(owner);
    expect(await mailAbout(managerEmail, email)).toHaveLength(0);
  });
});
