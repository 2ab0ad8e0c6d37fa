/**
 * The vocabulary of emails, owned by the core: what a template is (the data in workflows/templates
 * fills it), what kind of send a step is, and the one layout of a team email. The words live with the
 * data; the escaping and the layout live here, so no template can forget either.
 */
import type { Lead, TimelineEntry } from './model.js';
import { escapeHtml, oneLine } from './render.js';

/**
 * marketing and recycle are promotional (need consent under opt-in, count against the frequency cap);
 * transactional is a one-off confirmation the person asked for (welcome, consent confirmation, thank-you).
 */
export type SendCategory = 'marketing' | 'transactional' | 'recycle';

/**
 * A lead-facing email as data: a subject, paragraphs and an optional call to action, with
 * `{{field}}` / `{{field|fallback}}` placeholders filled from the recipient at send time.
 */
export interface EmailTemplate {
  subject: string;
  /** Greeting line, e.g. 'Hi {{firstName|there}},' */
  greeting: string;
  paragraphs: string[];
  cta?: { label: string; url: string };
  signOff: string;
}

/** What a team email says (the words come from workflows/templates/team.ts). */
export interface TeamMessage {
  subject: string;
  intro: string[];
}

/**
 * The wording of every email to the sales team, as the core asks for it. `lead` is the lead's label as
 * the core writes it everywhere ("Ada Lovelace (Analytical Engines)"), so the words never rebuild it.
 */
export interface TeamMessages {
  /** Who signs team emails ("Sent automatically by …"). */
  signature: string;
  newLeadAssigned(rep: { name: string }, lead: string, slaHours: number): TeamMessage;
  slaMissed(
    lead: string,
    missedBy: { name: string; email: string } | undefined,
    misses: number,
    escalation: boolean,
    after: AfterMiss,
  ): TeamMessage;
  emptyQueue(lead: string): TeamMessage;
}

/** What became of a lead after a miss: reassigned to a rep, kept by its owner, or (undefined) queued. */
export type AfterMiss = { name: string } | { keptWith: { name: string }; slaHours: number } | undefined;

export interface TeamEmail {
  subject: string;
  html: string;
  text: string;
}

export const leadName = (lead: Lead) => [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email;
export const leadLabel = (lead: Lead) => oneLine(lead.company ? `${leadName(lead)} (${lead.company})` : leadName(lead));

function summaryRows(lead: Lead): [string, string][] {
  const utm = [lead.utm_source, lead.utm_medium, lead.utm_campaign].filter(Boolean).join(' / ');
  const rows: [string, string | undefined][] = [
    ['Name', leadName(lead)],
    ['Company', lead.company],
    ['Title', lead.jobTitle],
    ['Email', lead.email],
    ['Phone', lead.phone],
    ['Score', String(lead.score)],
    ['Stage', lead.stage],
    ['Source', lead.source],
    ['Campaign (UTM)', utm || undefined],
    ['Message', lead.message],
  ];
  return rows.map(([k, v]) => [k, v?.trim() ? v : '—']);
}

/** A team email about a lead: the message, the lead's summary, optionally its timeline, the signature. */
export function composeTeamEmail(message: TeamMessage, signature: string, lead: Lead, timeline?: TimelineEntry[]): TeamEmail {
  const e = escapeHtml;
  const rows = summaryRows(lead);
  const text = [
    ...message.intro,
    rows.map(([k, v]) => `${k}: ${v}`).join('\n'),
    ...(timeline ? ['Timeline so far:\n' + timeline.map((t) => `${t.at}  ${t.summary}`).join('\n')] : []),
    `-- \n${signature}`,
  ].join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:Arial,sans-serif;line-height:1.4;color:#222">',
    ...message.intro.map((p) => `<p>${e(p)}</p>`),
    '<table>',
    ...rows.map(([k, v]) => `<tr><th align="left">${e(k)}</th><td>${e(v)}</td></tr>`),
    '</table>',
    ...(timeline ? ['<h3>Timeline so far</h3><ul>', ...timeline.map((t) => `<li>${e(t.at)} — ${e(t.summary)}</li>`), '</ul>'] : []),
    `<hr><p style="font-size:12px;color:#666">${e(signature)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: oneLine(message.subject), html, text };
}
