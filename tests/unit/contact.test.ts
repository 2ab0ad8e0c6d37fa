/**
 * One person, one Contact: an unsubscribe and the marketing frequency cap hold for the person across
 * every workflow and kind of recipient (a lead who is also a rep, or has become a customer).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.js';
import { contactOfLead } from '../../functions/core/contact.js';
import { getLead } from '../../functions/core/read.js';
import type { Rep } from '../../functions/core/model.js';
import { deliverRepEmail, type RepSendDeps } from '../../functions/core/rep-send.js';
import { deliver, sendLeadEmail, type SendDeps, type SendSettings, type SendSubject } from '../../functions/core/send.js';
import { unsubscribeLead } from '../../functions/core/unsubscribe.js';
import { leadTemplates } from '../../workflows/templates/index.js';
import { onboardingProgramme } from '../../workflows/programmes/onboarding.js';
import { onboardingMessages } from '../../workflows/templates/onboarding.js';
import { InMemoryContactStore, InMemoryLeadStore, RecordingMailer, sequentialIds, testSendSettings } from '../fakes/index.js';
import { aLead } from '../fakes/leads.js';
import { InMemoryRepStore } from '../fakes/reps.js';

const EMAIL = 'ada@example.com';
const settings: SendSettings = testSendSettings({ frequencyCap: { max: 2, windowDays: 7 }, signingKey: 'key' });
const marketing = (stepId: string) => ({ leadId: 'lead-1', run: 1, stage: 'awareness' as const, stepId, template: 'awareness-educational-1', category: 'marketing' as const });

describe('one Contact per person', () => {
  let leads: InMemoryLeadStore;
  let contacts: InMemoryContactStore;
  let reps: InMemoryRepStore;
  let mailer: RecordingMailer;
  let send: SendDeps;
  let repSend: RepSendDeps;
  const clock = fixedClock('2026-03-03T10:00:00.000Z');
  const ids = sequentialIds();
  const rep: Rep = { repId: 'rep-1', name: 'Ada Lovelace', email: EMAIL, status: 'onboarding', createdAt: '2026-03-01T00:00:00.000Z', timeZone: 'Europe/London', version: 1 };

  beforeEach(async () => {
    leads = new InMemoryLeadStore();
    contacts = new InMemoryContactStore();
    reps = new InMemoryRepStore();
    mailer = new RecordingMailer();
    send = { leads, contacts, mailer, clock, ids, templates: leadTemplates, settings };
    repSend = { reps, contacts, mailer, clock, ids, messages: onboardingMessages, programme: onboardingProgramme, settings: { managerEmail: 'boss@example.com' } };
    await leads.create(aLead({ email: EMAIL }), []);
    await reps.create(rep, []);
  });

  const mailRep = (step: string) => deliverRepEmail(repSend, { repId: 'rep-1', to: 'rep', step, what: 'lapse notice', compose: (r) => ({ message: onboardingMessages.lapsedRep(r) }) });

  it('stops mail to the same person as a rep once they unsubscribe as a lead', async () => {
    expect(await mailRep('one')).toEqual({ outcome: 'sent' });
    await unsubscribeLead({ store: leads, contacts, clock, ids }, 'lead-1');
    expect(await mailRep('two')).toEqual({ outcome: 'skipped', reason: 'unsubscribed' });
    expect(await sendLeadEmail(send, marketing('educational-1'))).toEqual({ outcome: 'skipped', reason: 'unsubscribed' });
    expect(mailer.sent.map((m) => m.to)).toEqual([EMAIL]);
    expect((await reps.timeline('rep-1')).map((e) => e.type)).toEqual(['email_sent', 'email_skipped']);
  });

  it('stops mail to a lead that became a customer, and still shows it unsubscribed on GET /leads/{id}', async () => {
    const won = (await leads.get('lead-1'))!;
    await leads.save({ ...won, stage: 'purchase', status: 'won', customerId: 'cus-1' }, won.version, [], { customer: { customerId: 'cus-1', leadId: 'lead-1', email: EMAIL, since: won.createdAt } });
    await unsubscribeLead({ store: leads, contacts, clock, ids }, 'lead-1');
    const thanks = { leadId: 'lead-1', run: 1, stage: 'purchase' as const, stepId: 'thank-you', template: 'awareness-welcome', category: 'transactional' as const };
    expect(await sendLeadEmail(send, thanks)).toEqual({ outcome: 'skipped', reason: 'unsubscribed' });
    expect((await getLead(leads, 'lead-1', contacts)).lead.suppressed).toMatchObject({ reason: 'unsubscribed' });
  });

  it('counts every workflow’s marketing against one cap for the person, recorded on the Contact with the claim', async () => {
    // Another workflow (retention, say) mails the same person through the same chokepoint.
    const claimed: string[] = [];
    const otherWorkflow = (step: string): SendSubject<{ email: string }, string> => ({
      what: step,
      load: async () => ({ email: EMAIL }),
      missing: 'nobody',
      check: () => {},
      recipient: (s) => ({ email: s.email, guard: true }),
      promotional: true,
      category: 'marketing',
      decide: (s) => ({ kind: 'send', email: { to: s.email, subject: step, html: '', text: '' }, updated: s, entries: [] }),
      entry: (_now, type) => type,
      note: async () => {},
      claim: async () => void claimed.push(step),
      markSent: async () => {},
      release: async () => {},
    });
    const viaOther = (step: string) => deliver({ mailer, clock, contacts, policy: settings }, otherWorkflow(step), { ledgerKey: step, step: {} });

    // A stranger to the contact list has given no consent: nothing promotional under opt-in.
    expect(await deliver({ mailer, clock, contacts, policy: settings }, { ...otherWorkflow('x'), load: async () => ({ email: 'nobody@example.com' }) }, { ledgerKey: 'x', step: {} })).toEqual({ outcome: 'skipped', reason: 'no-consent' });
    expect(await sendLeadEmail(send, marketing('educational-1'))).toEqual({ outcome: 'sent' });
    expect(await viaOther('retention-1')).toEqual({ outcome: 'sent' });
    // The cap is two a week for the person, whichever workflow asks next.
    expect(await sendLeadEmail(send, marketing('educational-2'))).toMatchObject({ outcome: 'deferred', reason: 'frequency-cap' });
    expect(await viaOther('retention-2')).toMatchObject({ outcome: 'deferred', reason: 'frequency-cap' });
    expect((await contacts.get(EMAIL))?.recentMarketingSends).toHaveLength(2);
    expect(claimed).toEqual(['retention-1']);
  });

  it('reads a lead written before contacts from its own fields, and creates its Contact on the first write', async () => {
    await leads.create(aLead({ leadId: 'old', email: 'old@example.com', suppressed: { at: '2026-01-01T00:00:00.000Z', reason: 'bounced' } }), []);
    expect(await contacts.get('old@example.com')).toBeUndefined();
    expect(await sendLeadEmail(send, { ...marketing('educational-1'), leadId: 'old' })).toEqual({ outcome: 'skipped', reason: 'bounced' });
    expect((await getLead(leads, 'old', contacts)).lead.suppressed).toMatchObject({ reason: 'bounced' });

    await leads.create(aLead({ leadId: 'old-2', email: 'old-2@example.com', recentMarketingSends: ['2026-03-02T10:00:00.000Z'] }), []);
    expect(await sendLeadEmail(send, { ...marketing('educational-1'), leadId: 'old-2' })).toEqual({ outcome: 'sent' });
    expect(await contacts.get('old-2@example.com')).toMatchObject({ version: 1, recentMarketingSends: ['2026-03-02T10:00:00.000Z', '2026-03-03T10:00:00.000Z'] });
    expect((await contactOfLead(contacts, (await leads.get('old-2'))!)).consent.given).toBe(true);
  });
});
