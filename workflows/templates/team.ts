/**
 * Emails to the sales team (the assigned rep, the sales manager). They are operational, not
 * marketing: no unsubscribe footer, but every one says which system sent it and why.
 */
import type { Lead, Rep, TimelineEntry } from '../../functions/core/model.js';
import { escapeHtml as e, oneLine } from '../../functions/core/render.js';
import { brand } from './brand.js';

export interface TeamEmail {
  subject: string;
  html: string;
  text: string;
}

const signature = `Sent automatically by Sales Flow, the lead funnel of ${brand.company}.`;
const leadName = (lead: Lead) => [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email;
const leadLabel = (lead: Lead) => oneLine(lead.company ? `${leadName(lead)} (${lead.company})` : leadName(lead));

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

function compose(subject: string, intro: string[], lead: Lead, timeline?: TimelineEntry[]): TeamEmail {
  const rows = summaryRows(lead);
  const text = [
    ...intro,
    rows.map(([k, v]) => `${k}: ${v}`).join('\n'),
    ...(timeline ? ['Timeline so far:\n' + timeline.map((t) => `${t.at}  ${t.summary}`).join('\n')] : []),
    `-- \n${signature}`,
  ].join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:Arial,sans-serif;line-height:1.4;color:#222">',
    ...intro.map((p) => `<p>${e(p)}</p>`),
    '<table>',
    ...rows.map(([k, v]) => `<tr><th align="left">${e(k)}</th><td>${e(v)}</td></tr>`),
    '</table>',
    ...(timeline
      ? ['<h3>Timeline so far</h3><ul>', ...timeline.map((t) => `<li>${e(t.at)} — ${e(t.summary)}</li>`), '</ul>']
      : []),
    `<hr><p style="font-size:12px;color:#666">${e(signature)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: oneLine(subject), html, text };
}

export function newLeadAssignedEmail(rep: Rep, lead: Lead, timeline: TimelineEntry[], slaHours: number): TeamEmail {
  return compose(
    `New lead assigned to you: ${leadLabel(lead)}`,
    [`Hi ${rep.name},`, `${leadLabel(lead)} has reached the decision stage and is now yours. Please get in touch within ${slaHours} hours and log the contact (rep_contacted); otherwise the lead moves to another rep.`],
    lead,
    timeline,
  );
}

/** What became of a lead after a miss: reassigned to a rep, kept by its owner, or (undefined) queued. */
export type AfterMiss = Rep | { keptWith: Rep; slaHours: number } | undefined;

/**
 * The manager's notice of a missed contact SLA. `escalation` marks the miss that ends the SLA
 * ladder: the lead is not reassigned or checked again, so the notice says it is over to them.
 */
export function slaMissedEmail(lead: Lead, missedBy: Rep | undefined, misses: number, escalation: boolean, after: AfterMiss): TeamEmail {
  const who = missedBy ? `${missedBy.name} <${missedBy.email}>` : 'the assigned rep';
  const outcome = !after
    ? escalation
      ? 'Its rep is no longer active, so it waits in the unassigned queue.'
      : 'No other active rep is available, so it waits in the unassigned queue.'
    : 'keptWith' in after
      ? escalation
        ? `It stays with ${after.keptWith.name}.`
        : `No other rep is free, so it stays with ${after.keptWith.name} for another ${after.slaHours} hours.`
      : `It has been reassigned to ${after.name}.`;
  return compose(
    `${escalation ? 'ESCALATION: ' : ''}Contact SLA missed for ${leadLabel(lead)} (${misses} miss${misses === 1 ? '' : 'es'})`,
    [
      `${who} did not contact ${leadLabel(lead)} within the SLA. ${outcome}`,
      ...(escalation
        ? [`This lead has now missed the contact SLA ${misses} time${misses === 1 ? '' : 's'} and needs your attention. Sales Flow will not reassign it or check the SLA again, and sends no more notices about it; the decision-stage emails to the lead carry on.`]
        : []),
    ],
    lead,
  );
}

export function emptyQueueEmail(lead: Lead): TeamEmail {
  return compose(
    `No active rep for ${leadLabel(lead)}: lead waiting in the unassigned queue`,
    [`${leadLabel(lead)} is ready for sales, but no rep is active. The lead waits in the unassigned queue and is assigned as soon as a rep becomes active.`],
    lead,
  );
}
