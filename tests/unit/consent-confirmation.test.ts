import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.js';
import { confirmConsent, requestConsentConfirmation } from '../../functions/core/consent-confirmation.js';
import { signConsentToken, verifyConsentToken } from '../../functions/core/consent-token.js';
import { signUnsubscribeToken } from '../../functions/core/unsubscribe-token.js';
import { leadTemplates } from '../../workflows/templates/index.js';
import { contactOfLead } from '../../functions/core/contact.js';
import { InMemoryContactStore, InMemoryLeadStore, RecordingMailer, sequentialIds } from '../fakes/index.js';
import { aLead, T0 } from '../fakes/leads.js';

const KEY = 'signing-key';
const request = { requestId: 'req-1', textVersion: 'v3', at: T0, sourceForm: 'newsletter', ip: '203.0.113.9' };

async function world(over: Parameters<typeof aLead>[0] = {}) {
  const store = new InMemoryLeadStore();
  const lead = aLead({ consent: { given: false, textVersion: 'v1', at: T0, sourceForm: 'web-form' }, consentRequest: request, ...over });
  await store.create(lead, []);
  const clock = fixedClock(T0);
  clock.advance(3_600_000);
  return { store, contacts: new InMemoryContactStore(), lead, clock, ids: sequentialIds() };
}

describe('double opt-in', () => {
  it('emails the signed link once per request, through the send chokepoint', async () => {
    const w = await world();
    const mailer = new RecordingMailer();
    const deps = {
      leads: w.store,
      contacts: w.contacts,
      mailer,
      clock: w.clock,
      ids: w.ids,
      templates: leadTemplates,
      settings: { consentPolicy: 'opt-in' as const, frequencyCap: { max: 3, windowDays: 7 }, publicBaseUrl: 'https://api.example.com', postalAddress: '1 Road', companyName: 'Acme', signingKey: KEY },
    };
    expect(await requestConsentConfirmation(deps, w.lead)).toEqual({ outcome: 'sent' });
    expect(await requestConsentConfirmation(deps, w.lead)).toEqual({ outcome: 'duplicate' });
    expect(mailer.sent).toHaveLength(1);
    const link = /https:\/\/api\.example\.com\/consent\/confirm\?token=(\S+)/.exec(mailer.sent[0]!.text)!;
    expect(verifyConsentToken(decodeURIComponent(link[1]!), KEY)).toEqual({ leadId: w.lead.leadId, requestId: 'req-1' });
  });

  it('records consent with both steps when the current request is confirmed, and only once', async () => {
    const w = await world();
    const token = signConsentToken(w.lead.leadId, 'req-1', KEY);
    expect(await confirmConsent(w, token, KEY, '198.51.100.7')).toEqual({ leadId: w.lead.leadId, alreadyConfirmed: false });
    const lead = await contactOfLead(w.contacts, (await w.store.get(w.lead.leadId))!);
    expect(await w.contacts.get(w.lead.email)).toMatchObject({ version: 1 });
    expect(lead?.consent).toEqual({
      given: true,
      method: 'double-opt-in',
      textVersion: 'v3',
      sourceForm: 'newsletter',
      ip: '203.0.113.9',
      requestId: 'req-1',
      requestedAt: T0,
      confirmedAt: '2026-03-01T10:00:00.000Z',
      confirmedIp: '198.51.100.7',
      at: '2026-03-01T10:00:00.000Z',
    });
    expect(lead?.consentRequest).toBeUndefined();
    expect(await confirmConsent(w, token, KEY)).toEqual({ leadId: w.lead.leadId, alreadyConfirmed: true });
    expect((await w.store.timeline(w.lead.leadId)).filter((e) => e.type === 'consent_confirmed')).toHaveLength(1);
  });

  it('refuses a forged token, an unsubscribe token, a superseded request and a link older than 30 days, changing nothing', async () => {
    const w = await world();
    await expect(confirmConsent(w, signConsentToken(w.lead.leadId, 'req-1', 'other-key'), KEY)).rejects.toMatchObject({ code: 'ValidationError' });
    await expect(confirmConsent(w, signUnsubscribeToken(w.lead.leadId, KEY), KEY)).rejects.toMatchObject({ code: 'ValidationError' });
    await expect(confirmConsent(w, signConsentToken(w.lead.leadId, 'req-0', KEY), KEY)).rejects.toMatchObject({ code: 'ValidationError' });
    w.clock.advance(31 * 86_400_000);
    await expect(confirmConsent(w, signConsentToken(w.lead.leadId, 'req-1', KEY), KEY)).rejects.toMatchObject({ code: 'ValidationError' });
    expect((await contactOfLead(w.contacts, (await w.store.get(w.lead.leadId))!)).consent.given).toBe(false);
  });
});
