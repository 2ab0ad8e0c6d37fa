/**
 * The customer side of the send chokepoint (core/send.ts `deliver`): the same claim → send → mark-sent
 * path and exactly-once ledger, keyed by (customer, CustomerRetention step) in the customer's partition.
 * - To the customer: a template rendered from the customer as read at send time, with the unsubscribe
 *   footer and one-click headers of every lead email (the token names the customer's lead, whose Contact
 *   the unsubscribe suppresses — one person, one unsubscribe, across the funnel and retention). Check-ins
 *   are service mail about their contract (no marketing consent needed, suppression always wins);
 *   win-back mail after a cancellation is marketing (consent and the frequency cap apply).
 * - To the owner (their rep or CSM; the sales manager when none): an operational email about the
 *   customer, no unsubscribe, but a rep who unsubscribed or was erased as a person still gets nothing.
 * What the send changes on the customer (the agenda item done, the survey's send time) is saved in the
 * same conditional write as the claim.
 */
import type { Clock } from './clock.js';
import { displayDate, type BusinessHours } from './business-hours.js';
import { outsideBusinessHours } from './send-window.js';
import type { Customer, Rep, SubjectTimelineEntry } from './model.js';
import { composeOwnerEmail, type CustomerSummary, type OwnerMessage, type OwnerMessages } from './owner-emails.js';
import type { ContactStore, CustomerStore, IdGenerator, Mailer, OutgoingEmail, RepRoster, SendRateCeiling } from './ports.js';
import { renderLeadEmail, unsubscribeUrl } from './render.js';
import { repEntry } from './rep-send.js';
import { assertCurrentRun } from './runs.js';
import { deliver, type SendObserver, type SendResult, type SendSettings, type SendSubject } from './send.js';
import type { EmailTemplate, SendCategory } from './templates.js';
import { signUnsubscribeToken } from './unsubscribe-token.js';

export const RETENTION_WORKFLOW = 'CustomerRetention';

export interface CustomerSendDeps {
  customers: CustomerStore;
  contacts: ContactStore;
  reps: Pick<RepRoster, 'get'>;
  mailer: Mailer;
  clock: Clock;
  ids: IdGenerator;
  templates: Readonly<Record<string, EmailTemplate>>;
  ownerMessages: OwnerMessages;
  settings: SendSettings & { managerEmail: string };
  rate?: SendRateCeiling;
  /** Told each send decision (metrics). */
  observe?: SendObserver;
}

export interface CustomerDelivery {
  customerId: string;
  /** When given, a task of another run is superseded. */
  run?: number;
  /** The step; the ledger key is `CustomerRetention#<step>` in the customer's partition. */
  step: string;
  /** Who receives it, and for the customer what kind of mail it is: the chokepoint's policy follows from it. */
  audience: Audience;
  /**
   * Mail to the customer goes only inside these hours (checked at send time, like every windowed step: a
   * task that runs late defers to the next opening instead of mailing at night).
   */
  window?: { timeZone: string; hours: BusinessHours };
  what: string;
  /**
   * What to send, from the customer as read now (undefined: nothing to send any more), and the customer
   * as this send leaves it.
   */
  compose(customer: Customer, now: Date): CustomerMail | undefined;
}

export type Audience = { to: 'owner' } | { to: 'customer'; category: SendCategory };

export type CustomerMail =
  | { to: 'customer'; template: string; category: SendCategory; links?: Record<string, string>; appendix?: { html: string; text: string }; customer?: Customer; entries?: SubjectTimelineEntry[] }
  | { to: 'owner'; message: (owner: { name: string }, summary: CustomerSummary) => OwnerMessage; customer?: Customer; entries?: SubjectTimelineEntry[] };

export const customerLedgerKey = (step: string) => `${RETENTION_WORKFLOW}#${step}`;
export const customerName = (c: Pick<Customer, 'firstName' | 'lastName' | 'email'>) => [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email;

export function customerSummary(customer: Customer, timeZone: string): CustomerSummary {
  return {
    customerId: customer.customerId,
    name: customer.company ? `${customerName(customer)} (${customer.company})` : customerName(customer),
    email: customer.email,
    ...(customer.plan ? { plan: customer.plan } : {}),
    ...(customer.term ? { renewalDate: displayDate(new Date(`${customer.term.renewalDate}T12:00:00Z`), timeZone) } : {}),
    ...(customer.health ? { health: { score: customer.health.score, band: customer.health.band } } : {}),
  };
}

/** A customer-facing email: the template filled from the customer, the footer and the one-click unsubscribe headers. */
export function composeCustomerEmail(customer: Customer, template: EmailTemplate, settings: SendSettings, tags: Record<string, string>, links: Record<string, string> = {}, appendix?: { html: string; text: string }): OutgoingEmail {
  const url = unsubscribeUrl(settings.publicBaseUrl, signUnsubscribeToken(customer.leadId, settings.signingKey));
  const zone = settings.sendWindow?.defaultTimeZone ?? 'UTC';
  const fields = {
    firstName: customer.firstName,
    lastName: customer.lastName,
    company: customer.company,
    email: customer.email,
    plan: customer.plan,
    ...(customer.term ? { renewalDate: displayDate(new Date(`${customer.term.renewalDate}T12:00:00Z`), zone) } : {}),
    ...links,
  };
  const rendered = renderLeadEmail(template, fields as never, { companyName: settings.companyName, postalAddress: settings.postalAddress, unsubscribeUrl: url });
  const html = appendix ? rendered.html.replace('<hr>', `${appendix.html}\n<hr>`) : rendered.html;
  const text = appendix ? rendered.text.replace('\n\n--\n\n', `\n\n${appendix.text}\n\n--\n\n`) : rendered.text;
  return { to: customer.email, subject: rendered.subject, html, text, headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }, tags };
}

async function ownerOf(deps: Pick<CustomerSendDeps, 'reps' | 'settings'>, customer: Customer): Promise<{ name: string; email: string }> {
  const rep: Rep | undefined = customer.ownerId ? await deps.reps.get(customer.ownerId) : undefined;
  if (rep?.email && rep.status !== 'inactive') return { name: rep.name, email: rep.email };
  return { name: 'Sales manager', email: deps.settings.managerEmail };
}

export async function deliverCustomerEmail(deps: CustomerSendDeps, req: CustomerDelivery): Promise<SendResult> {
  const { customers, ids, settings } = deps;
  // The owner (the recipient of owner mail) is read with the customer, once per attempt.
  let owner: { name: string; email: string } | undefined;
  const category: SendCategory = req.audience.to === 'customer' ? req.audience.category : 'transactional';
  const subject: SendSubject<Customer, SubjectTimelineEntry> = {
    what: req.what,
    load: async () => {
      const customer = await customers.get(req.customerId);
      owner = customer ? await ownerOf(deps, customer) : undefined;
      return customer;
    },
    missing: `customer ${req.customerId} does not exist`,
    recipient: (customer) => (customer.email ? { email: req.audience.to === 'owner' ? owner!.email : customer.email, guard: true } : undefined),
    promotional: category !== 'transactional',
    category,
    check: (customer) => {
      if (req.run !== undefined) assertCurrentRun('CustomerRetention', customer.customerId, customer.run, req.run);
    },
    decide: (customer, now) => {
      if (!customer.email) return { kind: 'skip', reason: 'erased' };
      const mail = req.compose(customer, now);
      if (!mail) return { kind: 'skip', reason: 'nothing due' };
      if (mail.to !== req.audience.to) throw new Error(`${req.step}: composed mail to the ${mail.to}, declared for the ${req.audience.to}`);
      const outside = mail.to === 'customer' && req.window && outsideBusinessHours(now, req.window.timeZone, req.window.hours);
      if (outside) return outside;
      const tags = { customerId: customer.customerId, template: mail.to === 'customer' ? mail.template : req.step.split('#')[0]! };
      let email: OutgoingEmail;
      if (mail.to === 'customer') {
        const template = deps.templates[mail.template];
        if (!template) throw new Error(`template ${mail.template} does not exist`);
        email = composeCustomerEmail(customer, template, settings, tags, mail.links, mail.appendix);
      } else {
        const zone = settings.sendWindow?.defaultTimeZone ?? 'UTC';
        const composed = composeOwnerEmail(mail.message(owner!, customerSummary(customer, zone)), deps.ownerMessages.signature);
        email = { to: owner!.email, ...composed, tags };
      }
      return { kind: 'send', email, updated: { ...(mail.customer ?? customer), updatedAt: now.toISOString() }, entries: mail.entries ?? [] };
    },
    entry: (now, type, summary, data) => repEntry(ids, now, type, summary, { ...data }),
    note: (entries) => customers.appendTimeline(req.customerId, entries),
    claim: async (updated, read, entries, ledgerKey, work) => void (await customers.save(updated, read.version ?? 0, entries, { ledgerKey, work })),
    markSent: (ledgerKey, messageId) => customers.markSent(req.customerId, ledgerKey, messageId),
    release: (ledgerKey, entries, withdrawn) => customers.releaseClaim(req.customerId, ledgerKey, entries, withdrawn),
  };
  return deliver({ ...deps, policy: settings }, subject, { ledgerKey: customerLedgerKey(req.step), step: { workflow: RETENTION_WORKFLOW, step: req.step, ...(req.run !== undefined ? { run: req.run } : {}) } });
}
