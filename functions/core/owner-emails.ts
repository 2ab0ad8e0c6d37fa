/**
 * The emails to a customer's owner (the rep or CSM who holds the relationship), as the core asks for
 * them: the words come from workflows/templates/owner.ts; the layout, with escaping, the facts table
 * and the signature, is here, so no message can leave either out.
 */
import { composeInternalEmail, type ComposedEmail } from './internal-email.js';
import { escapeHtml } from './render.js';

/** What an owner email needs to know about the customer, already formatted for display by the core. */
export interface CustomerSummary {
  customerId: string;
  /** The customer's label as the core writes it everywhere: "Ada Lovelace (Analytical Engines)". */
  name: string;
  email: string;
  plan?: string;
  /** The next renewal as a display date, e.g. "3 March 2027". */
  renewalDate?: string;
  health?: { score: number; band: string };
}

export interface OwnerMessage {
  subject: string;
  intro: string[];
  /** Label and value pairs, shown as a table after the intro; an empty value shows as "—". */
  facts?: [string, string][];
  closing?: string[];
}

/** The wording of every email to a customer's owner. Each one is about `customer`. */
export interface OwnerMessages {
  /** Who signs owner emails ("Sent automatically by …"). */
  signature: string;
  customerAssigned(owner: { name: string }, customer: CustomerSummary): OwnerMessage;
  /** Day 90, then every quarter: the owner invites the customer to a business review. `quarter` counts from 1 (day 90). */
  businessReview(owner: { name: string }, customer: CustomerSummary, quarter: number): OwnerMessage;
  /** 90 and 60 days before the renewal date; the customer gets their own reminder at 30. */
  renewalReminder(owner: { name: string }, customer: CustomerSummary, daysLeft: number): OwnerMessage;
  noUsage(owner: { name: string }, customer: CustomerSummary, days: number): OwnerMessage;
  /** An NPS score of 0–6, sent within the hour with the comment; a follow-up task is on the customer's timeline. */
  detractor(owner: { name: string }, customer: CustomerSummary, score: number, comment: string | undefined): OwnerMessage;
  atRisk(owner: { name: string }, customer: CustomerSummary, reasons: string[]): OwnerMessage;
  churned(owner: { name: string }, customer: CustomerSummary, reason: string | undefined): OwnerMessage;
  /** `customer` referred someone (`referredName`) who has just become a customer. */
  referralConverted(owner: { name: string }, customer: CustomerSummary, referredName: string): OwnerMessage;
  /** A cancelled customer answered the win-back: the sequence stopped, the owner takes it from here. */
  winBackReply(owner: { name: string }, customer: CustomerSummary): OwnerMessage;
}

const shown = (value: string) => (value.trim() ? value : '—');

/** An owner email: the internal layout with the facts as a table. */
export function composeOwnerEmail(message: OwnerMessage, signature: string): ComposedEmail {
  const e = escapeHtml;
  const facts = (message.facts ?? []).map(([label, value]): [string, string] => [label, shown(value)]);
  const block = facts.length
    ? { text: facts.map(([k, v]) => `${k}: ${v}`).join('\n'), html: ['<table>', ...facts.map(([k, v]) => `<tr><th align="left">${e(k)}</th><td>${e(v)}</td></tr>`), '</table>'] }
    : undefined;
  return composeInternalEmail(message, block, signature);
}
