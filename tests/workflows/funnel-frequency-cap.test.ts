/**
 * The frequency cap across stages on the synthesized LeadFunnel at 8 virtual hours per second: a lead that
 * moves quickly through interest and consideration collects 3 marketing emails in one day, so the
 * 4th, due 4 days later, is deferred by the cap and sent once the oldest one leaves the 7-day window.
 * (At a day per second, a second of queueing on a busy machine was a day of the window: the cap then
 * had nothing to defer.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, entriesOf, eventually, uniqueEmail, type App } from '../support/app.js';

const EIGHT_HOURS_PER_SECOND = 28_800;

let app: App;
beforeAll(async () => {
  app = await bootApp(EIGHT_HOURS_PER_SECOND);
});
afterAll(() => app?.stop());

const sentSteps = async (leadId: string) => entriesOf(await app.lead(leadId), 'email_sent').map((e) => e.data?.stepId as string);

describe('LeadFunnel frequency cap', () => {
  it('defers the 4th marketing email within 7 days and sends it later instead of dropping it', { timeout: 180_000 }, async () => {
    const email = uniqueEmail('capped');
    const { body } = await app.capture({ email, firstName: 'Cap', consent: true });
    const { leadId } = body;

    // Marketing email 1: educational-1 on day 3 (the welcome is transactional and not counted).
    await eventually(async () => expect(await sentSteps(leadId)).toEqual(['welcome', 'educational-1']), 40_000);

    // Marketing email 2: interest's first case study, at once (8 + 3 = 11 points).
    await app.event({ eventId: `${leadId}-dl`, type: 'content_downloaded', leadId });
    await app.event({ eventId: `${leadId}-click`, type: 'email_clicked', leadId });
    await eventually(async () => expect(await sentSteps(leadId)).toContain('case-study-1'));

    // Marketing email 3: consideration's comparison guide, at once (+ 10 + 5 + 8 = 34 points).
    await app.event({ eventId: `${leadId}-form`, type: 'form_submitted', leadId });
    await app.event({ eventId: `${leadId}-pricing`, type: 'page_viewed', leadId, properties: { path: '/pricing' } });
    const toConsideration = await app.event({ eventId: `${leadId}-dl2`, type: 'content_downloaded', leadId });
    expect(toConsideration.body.stage).toBe('consideration');
    await eventually(async () => expect(await sentSteps(leadId)).toContain('comparison-guide'));

    // Email 4, the ROI calculator 4 days later, is over the cap: deferred, then sent after the window frees.
    const lead = await eventually(async () => {
      const current = await app.lead(leadId);
      expect(entriesOf(current, 'email_sent').map((e) => e.data?.stepId)).toContain('roi-calculator');
      return current;
    }, 90_000);
    const deferred = entriesOf(lead, 'email_deferred');
    expect(deferred.length).toBeGreaterThanOrEqual(1);
    expect(deferred.every((e) => e.data?.stepId === 'roi-calculator' && e.data?.reason === 'frequency-cap')).toBe(true);
    const index = (match: (e: any) => boolean) => lead.timeline.findIndex(match);
    expect(index((e) => e.type === 'email_deferred')).toBeLessThan(index((e) => e.type === 'email_sent' && e.data?.stepId === 'roi-calculator'));
    // Sent once, and never while 3 others were inside the window.
    const steps = entriesOf(lead, 'email_sent').map((e) => e.data?.stepId);
    expect(steps).toEqual(['welcome', 'educational-1', 'case-study-1', 'comparison-guide', 'roi-calculator']);
    const sentAt = (step: string) => Date.parse(entriesOf(lead, 'email_sent').find((e) => e.data?.stepId === step)!.at);
    expect(sentAt('roi-calculator') - sentAt('educational-1')).toBeGreaterThanOrEqual(7 * 86_400_000);
    expect(await app.mailTo(email)).toHaveLength(5);
  });
});
