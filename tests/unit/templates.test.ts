import { describe, expect, it } from 'vitest';
import { renderLeadEmail } from '../../functions/core/render.js';
import { leadTemplates, PLACEHOLDER_FIELDS } from '../../workflows/templates/index.js';
import { composeTeamEmail, leadLabel } from '../../functions/core/templates.js';
import type { AfterMiss } from '../../functions/core/templates.js';
import type { Lead, Rep, TimelineEntry } from '../../functions/core/model.js';
import { teamMessages } from '../../workflows/templates/team.js';

// Team emails as the core lays them out from the words in workflows/templates/team.ts.
const newLeadAssignedEmail = (rep: Rep, lead: Lead, timeline: TimelineEntry[], slaHours: number) =>
  composeTeamEmail(teamMessages.newLeadAssigned(rep, leadLabel(lead), slaHours), teamMessages.signature, lead, timeline);
const slaMissedEmail = (lead: Lead, rep: Rep | undefined, misses: number, escalation: boolean, after: AfterMiss) =>
  composeTeamEmail(teamMessages.slaMissed(leadLabel(lead), rep, misses, escalation, after), teamMessages.signature, lead);
const emptyQueueEmail = (lead: Lead) => composeTeamEmail(teamMessages.emptyQueue(leadLabel(lead)), teamMessages.signature, lead);

const footer = { companyName: 'Brightline Analytics', postalAddress: '1 Harbour Street, Bristol', unsubscribeUrl: 'https://api.test/unsubscribe?token=abc.def' };
const lead = { leadId: 'l1', email: 'ada@example.com', stage: 'decision', score: 70, run: 1 } as Lead;

describe('lead email templates', () => {
  it.each(Object.keys(leadTemplates))('%s renders with safe defaults when the lead has no profile fields', (name) => {
    const out = renderLeadEmail(leadTemplates[name]!, { email: 'x@example.com' }, footer);
    for (const part of [out.subject, out.html, out.text]) {
      expect(part).not.toMatch(/\{\{|\}\}|undefined|null/);
    }
    expect(out.text).toContain('Hi there,');
    expect(out.text).toContain(footer.postalAddress);
    expect(out.html).toContain('https://api.test/unsubscribe?token=abc.def');
  });

  it('only name placeholders the renderer can fill', () => {
    const used = Object.values(leadTemplates).flatMap((t) =>
      [t.subject, t.greeting, t.signOff, ...t.paragraphs].flatMap((s) => [...s.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1])),
    );
    expect(used.length).toBeGreaterThan(0);
    for (const field of used) expect(PLACEHOLDER_FIELDS).toContain(field);
  });

  it('personalizes with the lead fields, escaped in HTML and without line breaks in the subject', () => {
    const out = renderLeadEmail(leadTemplates['decision-proposal']!, { firstName: '<b>Ada</b>', company: 'Evil\r\nBcc: x@y' }, footer);
    expect(out.html).toContain('Hi &lt;b&gt;Ada&lt;/b&gt;,');
    expect(out.html).not.toContain('<b>Ada</b>');
    expect(out.text).toContain('Hi <b>Ada</b>,');
    expect(out.subject).toBe('A proposal for Evil Bcc: x@y');
  });
});

describe('sales team emails', () => {
  const rep = { repId: 'r1', name: 'Grace', email: 'grace@brightline.example', status: 'active' as const, createdAt: '2026-01-01T00:00:00.000Z' };

  it('give the assigned rep the lead summary and its timeline, and say who sent them', () => {
    const timeline = [{ leadId: 'l1', entryId: 'e1', at: '2026-03-01T00:00:00.000Z', type: 'lead_captured' as const, summary: 'Captured from the web form' }];
    const email = newLeadAssignedEmail(rep, { ...lead, firstName: 'Ada', company: 'Engines', phone: '+44 1', jobTitle: 'CTO' }, timeline, 24);
    expect(email.subject).toBe('New lead assigned to you: Ada (Engines)');
    for (const s of ['Ada', 'Engines', 'CTO', 'ada@example.com', '+44 1', 'Score: 70', 'Captured from the web form', '24 hours', 'Sent automatically by Sales Flow']) {
      expect(email.text).toContain(s);
    }
  });

  it('mark a repeated SLA miss as an escalation in the subject', () => {
    expect(slaMissedEmail(lead, rep, 1, false, undefined).subject).not.toContain('ESCALATION');
    expect(slaMissedEmail(lead, rep, 2, true, undefined).subject).toMatch(/^ESCALATION: /);
  });

  it('tell the manager when a lead waits for a rep', () => {
    expect(emptyQueueEmail(lead).subject).toContain('unassigned queue');
  });
});
