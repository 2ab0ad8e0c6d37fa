/**
 * The contact SLA with a single active rep, on the synthesized LeadFunnel at 8 virtual hours per
 * second (the 24 h SLA is 3 real seconds). Nobody else can take the lead, so the SLA ladder must end
 * on its own: the manager is told of each miss, the last notice is the one escalation, and the lead
 * stays with its rep while the decision programme goes on. A contact posted with a wall-clock
 * `occurredAt` counts although the system's clock runs far ahead of the wall.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { funnelProgramme } from '../../workflows/programmes/funnel.js';
import { bootApp, entriesOf, eventually, realMs, sleep, qualifiedLead, teamMailAbout, type App } from '../support/app.js';

const SCALE = 28_800;
const { slaHours: SLA_HOURS, escalateAfterMisses: ESCALATE_AFTER } = funnelProgramme.handoff;
const REP = 'rep-solo';
const repEmail = `${REP}@sales.example.com`;

let app: App;
let managerEmail: string;
const openLeads: string[] = [];

beforeAll(async () => {
  app = await bootApp(SCALE);
  managerEmail = process.env.MANAGER_EMAIL || 'sales-manager@example.com';
  await app.addRep({ repId: REP, name: 'Solo Rep' });
});
afterEach(async () => {
  for (const leadId of openLeads.splice(0)) await app.event({ eventId: `${leadId}-closed`, type: 'lost', leadId });
});
afterAll(() => app?.stop());

const mailAbout = (to: string, leadEmail: string) => teamMailAbout(app, to, leadEmail);

const decisionLead = (name: string) => qualifiedLead(app, name, openLeads);

describe('LeadFunnel contact SLA with one active rep', () => {
  it('escalates once after the configured misses, then keeps the lead with its rep and goes on with the decision programme', async () => {
    const { leadId, email } = await decisionLead('solo');

    const notices = await eventually(async () => {
      const mails = await mailAbout(managerEmail, email);
      expect(mails).toHaveLength(ESCALATE_AFTER);
      return mails;
    }, 30_000);
    expect(notices.filter((m) => m.subject.startsWith('ESCALATION'))).toEqual([notices.at(-1)]);
    await eventually(async () => expect(entriesOf(await app.lead(leadId), 'email_sent').map((e) => e.data?.stepId)).toContain('proposal'));

    // Several SLA periods later: nothing more to anyone, nothing more on the timeline.
    await sleep(realMs(4 * SLA_HOURS, SCALE) + 500);
    const lead = await app.lead(leadId);
    expect(lead.ownerId).toBe(REP);
    expect(entriesOf(lead, 'sla_missed')).toHaveLength(ESCALATE_AFTER);
    expect(entriesOf(lead, 'rep_assigned')).toHaveLength(1);
    expect(entriesOf(lead, 'rep_queue')).toHaveLength(0);
    expect(lead.timeline.map((e: { summary: string }) => e.summary).join('\n')).not.toContain('No active rep');
    expect(await mailAbout(repEmail, email)).toHaveLength(1);
    expect(await mailAbout(managerEmail, email)).toHaveLength(ESCALATE_AFTER);
  });

  it('counts a rep_contacted whose occurredAt is wall-clock time, although the system clock runs ahead', async () => {
    const { leadId, email } = await decisionLead('called');
    await eventually(async () => expect((await app.lead(leadId)).ownerId).toBe(REP));
    const posted = await app.event({ eventId: `${leadId}-call`, type: 'rep_contacted', leadId, occurredAt: new Date().toISOString() });
    expect(posted.status).toBe(202);

    await eventually(async () => expect(entriesOf(await app.lead(leadId), 'email_sent').map((e) => e.data?.stepId)).toContain('proposal'));
    await sleep(realMs(2 * SLA_HOURS, SCALE) + 500);
    const lead = await app.lead(leadId);
    expect(entriesOf(lead, 'sla_missed')).toHaveLength(0);
    expect(lead.ownerId).toBe(REP);
    expect(await mailAbout(managerEmail, email)).toHaveLength(0);
  });
});
