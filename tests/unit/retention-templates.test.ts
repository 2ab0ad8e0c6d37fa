import { describe, expect, it } from 'vitest';
import { composeOwnerEmail, type CustomerSummary, type OwnerMessage } from '../../functions/core/owner-emails.js';
import { renderLeadEmail } from '../../functions/core/render.js';
import { leadTemplates, PLACEHOLDER_FIELDS } from '../../workflows/templates/index.js';
import { ownerMessages } from '../../workflows/templates/owner.js';
import { retentionTemplates } from '../../workflows/templates/retention.js';

const RETENTION = [
  'retention-welcome',
  'retention-setup-check',
  'retention-first-value',
  'retention-nps-survey',
  'retention-quarterly',
  'retention-need-a-hand',
  'retention-renewal-30',
  'retention-passive-follow-up',
  'retention-promoter-thanks',
  'retention-referral-thanks',
  'retention-winback-1',
  'retention-winback-2',
  'retention-winback-3',
];

const footer = { companyName: 'Brightline Analytics', postalAddress: '1 Harbour Street, Bristol', unsubscribeUrl: 'https://api.test/unsubscribe?token=abc.def' };

// Not an object literal at the call: the customer fields are beyond render.ts's LinkFields type, and fill reads any field by name.
const hostileCustomer = {
  email: 'ada@example.com',
  firstName: '<script>alert(1)</script>',
  company: 'Engines & "Sons"',
  plan: 'Growth',
  renewalDate: '3 March 2027',
  referralUrl: 'https://www.brightline.example/r/abc?x="><script>',
};

const placeholdersOf = (text: string) => [...text.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]!);

describe('customer retention templates', () => {
  it('are all registered with the lead templates, and no others are in the retention set', () => {
    expect(Object.keys(retentionTemplates).sort()).toEqual([...RETENTION].sort());
    for (const name of RETENTION) expect(leadTemplates[name]).toBe(retentionTemplates[name as keyof typeof retentionTemplates]);
  });

  it.each(RETENTION)('%s names only placeholders the renderer can fill, in the cta too', (name) => {
    const t = leadTemplates[name]!;
    const used = [t.subject, t.greeting, t.signOff, ...t.paragraphs, ...(t.cta ? [t.cta.label, t.cta.url] : [])].flatMap(placeholdersOf);
    for (const field of used) expect(PLACEHOLDER_FIELDS).toContain(field);
  });

  it.each(RETENTION)('%s escapes a hostile first name and carries the footer with the unsubscribe link', (name) => {
    const out = renderLeadEmail(leadTemplates[name]!, hostileCustomer, footer);
    expect(out.html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(out.html).not.toContain('<script>');
    expect(out.html).toContain(footer.postalAddress);
    expect(out.html).toContain('<a href="https://api.test/unsubscribe?token=abc.def">Unsubscribe</a>');
    expect(out.text).toContain(`Unsubscribe: ${footer.unsubscribeUrl}`);
    expect(out.subject).not.toMatch(/[\r\n]|\{\{/);
    expect(leadTemplates[name]!.greeting).toBe('Hi {{firstName|there}},');
  });

  it('tell the customer their plan and renewal date, 30 days before it', () => {
    const out = renderLeadEmail(leadTemplates['retention-renewal-30']!, hostileCustomer, footer);
    expect(out.text).toContain('your Growth plan renews on 3 March 2027');
  });

  it('link a promoter to their own referral link, escaped in the HTML', () => {
    const out = renderLeadEmail(leadTemplates['retention-promoter-thanks']!, hostileCustomer, footer);
    expect(out.html).toContain('href="https://www.brightline.example/r/abc?x=&quot;&gt;&lt;script&gt;"');
    expect(out.text).toContain(hostileCustomer.referralUrl);
  });

  it('leave the NPS score links to the core: the survey has no call to action of its own', () => {
    expect(leadTemplates['retention-nps-survey']!.cta).toBeUndefined();
  });
});

describe('owner emails about a customer', () => {
  const owner = { name: 'Grace' };
  const customer: CustomerSummary = {
    customerId: 'c1',
    name: 'Ada Lovelace (Analytical Engines)',
    email: 'ada@example.com',
    plan: 'Growth',
    renewalDate: '3 March 2027',
    health: { score: 38, band: 'at-risk' },
  };

  const messages: Record<keyof Omit<typeof ownerMessages, 'signature'>, OwnerMessage> = {
    customerAssigned: ownerMessages.customerAssigned(owner, customer),
    businessReview: ownerMessages.businessReview(owner, customer, 2),
    renewalReminder: ownerMessages.renewalReminder(owner, customer, 90),
    noUsage: ownerMessages.noUsage(owner, customer, 21),
    detractor: ownerMessages.detractor(owner, customer, 3, 'Too slow'),
    atRisk: ownerMessages.atRisk(owner, customer, ['No logins for 21 days', 'NPS 3']),
    churned: ownerMessages.churned(owner, customer, undefined),
    referralConverted: ownerMessages.referralConverted(owner, customer, 'Charles Babbage (Difference Ltd)'),
    winBackReply: ownerMessages.winBackReply(owner, customer),
  };

  it.each(Object.entries(messages))('%s has a subject naming the customer', (_, message) => {
    expect(message.subject.trim()).not.toBe('');
    expect(message.subject).toContain(customer.name);
    const email = composeOwnerEmail(message, ownerMessages.signature);
    expect(email.text).toContain('Sent automatically by Sales Flow');
    expect(email.text).not.toMatch(/undefined|null/);
  });

  it('escape a hostile NPS comment and keep the subject on one line', () => {
    const hostile = { ...customer, name: 'Eve\r\nBcc: all@example.com <b>' };
    const email = composeOwnerEmail(ownerMessages.detractor(owner, hostile, 2, '<img src=x onerror=alert(1)> & "worse"'), ownerMessages.signature);
    expect(email.subject).toBe('Detractor: Eve Bcc: all@example.com <b> scored 2/10 in the NPS survey');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;worse&quot;');
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain('<b>');
    expect(email.text).toContain('<img src=x onerror=alert(1)> & "worse"');
  });

  it('show the customer facts as a table, with a dash for what is unknown', () => {
    const email = composeOwnerEmail(ownerMessages.customerAssigned(owner, { customerId: 'c2', name: 'Bob (Acme)', email: 'bob@acme.example' }), ownerMessages.signature);
    expect(email.html).toContain('<tr><th align="left">Email</th><td>bob@acme.example</td></tr>');
    expect(email.html).toContain('<tr><th align="left">Plan</th><td>—</td></tr>');
    expect(email.text).toContain('Renews: —');
  });

  it('tell the owner a detractor left no comment rather than quoting nothing', () => {
    const text = composeOwnerEmail(ownerMessages.detractor(owner, customer, 0, '  '), ownerMessages.signature).text;
    expect(text).toContain('0 out of 10 and left no comment');
    expect(text).not.toContain('""');
  });
});
