/**
 * The LeadFunnel as synthesized, run locally at 8 virtual hours per second (the 24 h hand-off SLA is 3
 * real seconds, room for a loaded machine to post rep_contacted in time): a lead moved by events through
 * every stage, a lost lead, and duplicate submissions and events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadTemplates } from '../../workflows/templates/index.js';
import { bootApp, eventually, realMs, sleep, timelineTypes, uniqueEmail, type App } from '../support/app.js';

const SCALE = 28_800;
/** The subject line a template renders to, whatever its placeholders hold. */
const subjectOf = (template: string) => {
  const literal = leadTemplates[template]!.subject.split(/\{\{[^}]*\}\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('.*')}$`);
};
const subjects = async (email: string) => (await app.mailTo(email)).map((m) => m.subject);
const received = async (email: string, template: string) => (await subjects(email)).some((s) => subjectOf(template).test(s));

let app: App;
beforeAll(async () => {
  app = await bootApp(SCALE);
  await app.addRep({ repId: 'rep-ana', name: 'Ana Rep' });
});
afterAll(() => app?.stop());

const executionsOf = (leadId: string) => app.stack.executions.list().filter((e) => e.name.startsWith(`${leadId}-r`));

describe('LeadFunnel journey', () => {
  it('takes a lead from awareness to purchase on events, each stage starting its own nurturing at once', async () => {
    const email = uniqueEmail('journey');
    const captured = await app.capture({ email, firstName: 'Jo', company: 'Acme', consent: true });
    expect(captured).toMatchObject({ status: 201, body: { stage: 'awareness' } });
    const { leadId } = captured.body;
    await eventually(async () => expect(await received(email, 'awareness-welcome')).toBe(true));

    // 8 + 3 = 11 points: interest (≥ 10), moved by the event itself, not at the next wake-up.
    await app.event({ eventId: `${leadId}-dl`, type: 'content_downloaded', leadId });
    const toInterest = await app.event({ eventId: `${leadId}-click`, type: 'email_clicked', leadId });
    expect(toInterest.body).toMatchObject({ stage: 'interest', score: 11 });
    await eventually(async () => expect(await received(email, 'interest-case-study-1')).toBe(true));

    // + 10 + 5 (pricing page) + 8 = 34: consideration (≥ 30).
    await app.event({ eventId: `${leadId}-form`, type: 'form_submitted', leadId });
    await app.event({ eventId: `${leadId}-pricing`, type: 'page_viewed', leadId, properties: { path: '/pricing' } });
    const toConsideration = await app.event({ eventId: `${leadId}-dl2`, type: 'content_downloaded', leadId });
    expect(toConsideration.body).toMatchObject({ stage: 'consideration', score: 34 });
    await eventually(async () => expect(await received(email, 'consideration-comparison-guide')).toBe(true));

    // A demo request qualifies for decision at once: the lead is handed to the only active rep.
    const toDecision = await app.event({ eventId: `${leadId}-demo`, type: 'demo_requested', leadId });
    expect(toDecision.body.stage).toBe('decision');
    await eventually(async () => expect((await app.lead(leadId)).ownerId).toBe('rep-ana'));
    await eventually(async () => expect(await app.mailTo('rep-ana@sales.example.com')).toHaveLength(1));
    await eventually(() => expect(app.domainEvents('LeadAssigned')).toHaveLength(1));

    await app.event({ eventId: `${leadId}-call`, type: 'rep_contacted', leadId });
    await eventually(async () => expect(await received(email, 'decision-proposal')).toBe(true));

    const won = await app.event({ eventId: `${leadId}-won`, type: 'purchased', leadId });
    expect(won.body).toMatchObject({ stage: 'purchase', status: 'won' });
    await eventually(async () => expect(await received(email, 'purchase-thank-you')).toBe(true));
    const lead = await app.lead(leadId);
    expect(lead.customerId).toBeTruthy();
    await eventually(() => expect(app.domainEvents('LeadConverted')).toHaveLength(1));
    expect(app.domainEvents('LeadStageChanged').length).toBeGreaterThanOrEqual(4);

    // Each stage change started a new run and stopped the old one; the last run ends as won.
    const runs = executionsOf(leadId).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    expect(runs.map((r) => r.name)).toEqual([1, 2, 3, 4, 5].map((n) => `${leadId}-r${n}`));
    await eventually(() => expect(app.stack.executions.describe(runs.at(-1)!.executionArn).status).toBe('SUCCEEDED'));
    expect(runs.slice(0, -1).every((r) => app.stack.executions.describe(r.executionArn).status !== 'RUNNING')).toBe(true);

    // The old stages' nurturing sent nothing more once the lead had moved on.
    expect(await received(email, 'awareness-educational-1')).toBe(false);
    expect(await received(email, 'interest-case-study-2')).toBe(false);
    expect(await received(email, 'consideration-roi-calculator')).toBe(false);
    expect(timelineTypes(lead).filter((t) => t === 'stage_changed')).toHaveLength(4);
    expect(timelineTypes(lead)).toEqual(expect.arrayContaining(['lead_captured', 'email_sent', 'rep_assigned', 'event']));
  });

  it('closes a lost lead at once: its run stops and no nurture email follows', async () => {
    const email = uniqueEmail('lost');
    const { body } = await app.capture({ email, consent: true });
    await eventually(async () => expect(await app.mailTo(email)).toHaveLength(1));

    const lost = await app.event({ eventId: `${body.leadId}-lost`, type: 'lost', leadId: body.leadId, properties: { reason: 'budget' } });
    expect(lost.body.status).toBe('lost');
    await eventually(() => expect(executionsOf(body.leadId).every((e) => e.status !== 'RUNNING')).toBe(true));

    await sleep(realMs(3 * 24, SCALE) + 1_000); // past the awareness programme's first wait (3 days)
    expect(await app.mailTo(email)).toHaveLength(1);
    expect(app.domainEvents('LeadClosed').some((e) => e.detail.leadId === body.leadId)).toBe(true);
  });

  it('starts one funnel for duplicate submissions and counts a repeated event once', async () => {
    const email = uniqueEmail('dupe');
    const replies = await Promise.all([1, 2, 3].map(() => app.capture({ email, consent: true })));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    const leadId = replies[0]!.body.leadId;
    expect(new Set(replies.map((r) => r.body.leadId))).toEqual(new Set([leadId]));

    const event = { eventId: `${leadId}-open-1`, type: 'email_opened', leadId };
    const [first, second] = await Promise.all([app.event(event), app.event(event)]);
    expect([first.status, second.status].sort()).toEqual([200, 202]);

    await sleep(1_000);
    const lead = await app.lead(leadId);
    // Identical repeat submissions score nothing (a double click is not engagement); the open counts once.
    expect(lead.score).toBe(1);
    expect(timelineTypes(lead).filter((t) => t === 'event')).toHaveLength(1);
    expect(executionsOf(leadId).filter((e) => e.name === `${leadId}-r1`)).toHaveLength(1);
    expect((await subjects(email)).filter((s) => subjectOf('awareness-welcome').test(s))).toHaveLength(1);
  });
});
