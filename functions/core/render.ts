/**
 * Renders a lead-facing template for one lead: fills `{{field|fallback}}` placeholders (HTML-escaped
 * in the HTML body, CR/LF-free in the subject) and appends the footer every lead email must carry —
 * the company's postal address and an unsubscribe link — so no template can forget it.
 */
import type { Lead } from './model.js';
import type { EmailTemplate as LeadTemplate } from './templates.js';

/** Links a one-off email carries besides the profile fields (the double opt-in confirmation link). */
export interface LinkFields {
  confirmUrl?: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface FooterContext {
  companyName: string;
  postalAddress: string;
  unsubscribeUrl: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Header values must not carry line breaks (header injection); collapse all whitespace runs. */
export const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*(?:\|([^}]*))?\}\}/g;

/** Fills placeholders from the lead; an empty or missing field uses the fallback (or nothing). */
export function fill(text: string, lead: Partial<Lead> & LinkFields, escape: (s: string) => string = (s) => s): string {
  return text.replace(PLACEHOLDER, (_, field: string, fallback = '') => {
    const value = (lead as Record<string, unknown>)[field];
    const chosen = typeof value === 'string' && value.trim() ? oneLine(value) : fallback;
    return escape(chosen);
  });
}

export function unsubscribeUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/unsubscribe?token=${encodeURIComponent(token)}`;
}

export function renderLeadEmail(template: LeadTemplate, lead: Partial<Lead> & LinkFields, footer: FooterContext): RenderedEmail {
  const subject = oneLine(fill(template.subject, lead));
  const greeting = fill(template.greeting, lead);
  const paragraphs = template.paragraphs.map((p) => fill(p, lead));
  const signOff = fill(template.signOff, lead);
  const cta = template.cta && { label: fill(template.cta.label, lead), url: fill(template.cta.url, lead) };
  const footerText =
    `${footer.companyName}, ${footer.postalAddress}\n` +
    `You are receiving this because you contacted ${footer.companyName}. Unsubscribe: ${footer.unsubscribeUrl}`;

  const text = [greeting, ...paragraphs, ...(cta ? [`${cta.label}: ${cta.url}`] : []), signOff, '--', footerText].join('\n\n');

  const e = escapeHtml;
  const html = [
    '<!doctype html><html><body style="font-family:Arial,sans-serif;line-height:1.5;color:#222">',
    `<p>${e(greeting)}</p>`,
    ...paragraphs.map((p) => `<p>${e(p)}</p>`),
    ...(cta ? [`<p><a href="${e(cta.url)}">${e(cta.label)}</a></p>`] : []),
    `<p>${e(signOff)}</p>`,
    '<hr><p style="font-size:12px;color:#666">',
    `${e(footer.companyName)}, ${e(footer.postalAddress)}<br>`,
    `You are receiving this because you contacted ${e(footer.companyName)}. `,
    `<a href="${e(footer.unsubscribeUrl)}">Unsubscribe</a></p>`,
    '</body></html>',
  ].join('\n');

  return { subject, html, text };
}
