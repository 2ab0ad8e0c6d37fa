/**
 * Referrals back into the funnel, through the real handlers, DynamoDB Local, the local SES and the
 * synthesized machines: a promoter's NPS answer brings a thank-you with a personal referral link; a
 * form posted from that link (its `ref` code) makes a lead with `source: referral` and the referrer
 * recorded (`ReferralReceived`); when that lead buys, the referrer is thanked and the conversion counted.
 * A forged code is a 400 naming `ref`; the referrer's own address (a plus-tag variant) is not a referral.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCustomerStore } from '../../functions/adapters/dynamodb/customer-store.js';
import { documentClient } from '../../functions/shared/clients.js';
import { bootApp, eventually, uniqueEmail, type App } from '../support/app.js';

// Half an hour a second from a Monday 09:00 (UTC, the deployment's zone): the customer-facing follow-ups go in
// business hours, which then last 16 real seconds, so a busy machine cannot push a send past closing time and
// into the next day's window again and again.
const SCALE = 1_800;
const MONDAY_OPENING = Date.parse('2026-11-30T09:00:00.000Z');
let app: App;

beforeAll(async () => {
  app = await bootApp(SCALE, { virtualStartMs: MONDAY_OPENING });
});
afterAll(() => app?.stop());

const store = () => new DynamoCustomerStore(documentClient(), app.stack.tableName);

async function newCustomer(tag: string) {
  const email = uniqueEmail(`ref-${tag}`);
  const created = await app.capture({ email, firstName: 'Ada', lastName: `Referrer${tag}`, consent: true });
  const leadId = created.body.leadId as string;
  expect((await app.event({ eventId: `${leadId}-buy`, type: 'purchased', leadId })).status).toBe(202);
  const customerId = `cus-${leadId}`;
  await eventually(async () => expect((await store().get(customerId))?.startedRun).toBe(1));
  return { email, leadId, customerId };
}

describe('referrals', () => {
  it('turns a promoter’s referral link into a referred lead, and thanks the referrer when it converts', async () => {
    const referrer = await newCustomer('a');
    expect((await app.event({ eventId: `${referrer.customerId}-nps`, type: 'nps_submitted', customerId: referrer.customerId, properties: { score: 10 } })).status).toBe(202);

    // The promoter's thank-you carries the personal referral link (in business hours: a few virtual days at most).
    const thanks = await eventually(async () => {
      const mail = (await app.mailTo(referrer.email)).find((m) => m.subject === 'Thank you for the great score');
      expect(mail).toBeDefined();
      return mail!;
    }, 60_000, 200);
    const code = /[?&]ref=([A-Za-z0-9_.-]+)/.exec(thanks.text)?.[1];
    expect(code).toBeDefined();

    // A forged code is refused and stores nothing.
    const stranger = uniqueEmail('ref-stranger');
    const forged = await app.captureAnonymous({ email: stranger, ref: `${code!.slice(0, -2)}xx` });
    expect(forged.status).toBe(400);
    expect(JSON.stringify(forged.body)).toContain('"ref"');
    expect((await app.event({ eventId: 'x', type: 'email_opened', email: stranger })).status).toBe(404);

    // The referrer's own address (a plus-tag variant) is no referral; someone else's is.
    const self = referrer.email.replace('@', '+again@');
    expect((await app.captureAnonymous({ email: self, ref: code })).status).toBe(202);
    const friend = uniqueEmail('ref-friend');
    expect((await app.captureAnonymous({ email: friend, firstName: 'Friend', ref: code })).status).toBe(202);

    const friendLead = await eventually(async () => {
      const res = await app.event({ eventId: `${friend}-open`, type: 'email_opened', email: friend });
      expect(res.status).toBe(202);
      return app.lead(res.body.leadId);
    });
    expect(friendLead).toMatchObject({ source: 'referral', referredBy: referrer.customerId });
    const selfLead = await app.lead((await app.event({ eventId: `${self}-open`, type: 'email_opened', email: self })).body.leadId);
    expect(selfLead.referredBy).toBeUndefined();

    const counted = (await store().get(referrer.customerId))!;
    expect(counted.referrals?.map((r) => r.leadId)).toEqual([friendLead.leadId]);
    expect(app.domainEvents('ReferralReceived').filter((e) => e.detail.customerId === referrer.customerId).map((e) => e.detail.leadId)).toEqual([friendLead.leadId]);

    // The referred lead buys: the referrer is thanked once and the conversion counted.
    expect((await app.event({ eventId: `${friendLead.leadId}-buy`, type: 'purchased', leadId: friendLead.leadId })).status).toBe(202);
    await eventually(async () => {
      const mails = (await app.mailTo(referrer.email)).filter((m) => m.subject === 'Your referral just became a customer');
      expect(mails).toHaveLength(1);
    }, 60_000, 200);
    expect((await store().get(referrer.customerId))!.referrals).toEqual([expect.objectContaining({ leadId: friendLead.leadId, convertedAt: expect.any(String) })]);
    // The referred customer carries who referred it.
    expect(await store().get(`cus-${friendLead.leadId}`)).toMatchObject({ referredBy: referrer.customerId });
  }, 180_000);
});
