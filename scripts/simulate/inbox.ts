/**
 * The local SES's inbox (aws-ses-v2-local `GET /store?since=<epoch seconds>`), read incrementally: each look
 * asks for the mail of the last second seen onwards and keeps what it has not had. Each email is classified
 * by recipient (a lead or customer, a rep, the manager) and, for lead-facing mail, by the template whose
 * subject it has (the subjects of workflows/templates, placeholders as wildcards).
 */
import { leadTemplates } from '../../workflows/templates/index.js';

export interface Mail {
  /** Order of arrival as this reader saw it. */
  seq: number;
  to: string;
  subject: string;
  /** The lead-facing template, when the subject is one. */
  template?: string;
  /** Kept for team mail only (the simulator reads who it is about); lead mail drops it. */
  text?: string;
  /** The one-click unsubscribe URL (List-Unsubscribe), when the email has one. */
  unsubscribeUrl?: string;
  /** The local SES's arrival time, epoch seconds (wall clock). */
  atSec: number;
}

interface StoredMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
  headers?: Array<{ name: string; value: string }>;
  at: number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Subject → template, most specific first (a subject with fewer wildcards wins a tie). */
const SUBJECTS: Array<{ template: string; pattern: RegExp; literal: number }> = Object.entries(leadTemplates)
  .map(([template, t]) => {
    const parts = t.subject.split(/\{\{[^}]*\}\}/);
    return { template, pattern: new RegExp(`^${parts.map(escape).join('.*?')}$`, 's'), literal: parts.join('').length };
  })
  .sort((a, b) => b.literal - a.literal);

export function templateOfSubject(subject: string): string | undefined {
  return SUBJECTS.find((s) => s.pattern.test(subject))?.template;
}

export class InboxReader {
  private readonly seen = new Set<string>();
  private sinceSec = 0;
  private seq = 0;
  /** Every email read so far, oldest first (the invariants read it at the end). */
  readonly all: Mail[] = [];

  constructor(
    private readonly sesUrl: string,
    /** Which recipients' text to keep (team mail). */
    private readonly keepText: (to: string) => boolean,
  ) {}

  /** The emails that arrived since the last look, in a stable order (recipient, subject, arrival). */
  async read(): Promise<Mail[]> {
    const res = await fetch(`${this.sesUrl}/store?since=${this.sinceSec}`);
    if (!res.ok) throw new Error(`local SES GET /store → ${res.status}`);
    const { emails } = (await res.json()) as { emails: StoredMail[] };
    const fresh: Mail[] = [];
    for (const e of emails) {
      // Message ids are random 9-digit numbers: with the recipient and subject they are unique enough.
      const key = `${e.messageId}\u0000${e.destination.to.join(',')}\u0000${e.subject}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.sinceSec = Math.max(this.sinceSec, e.at);
      for (const to of e.destination.to) {
        const address = to.replace(/^.*<([^>]+)>.*$/, '$1').toLowerCase();
        const header = e.headers?.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value;
        const template = templateOfSubject(e.subject);
        fresh.push({
          seq: 0,
          to: address,
          subject: e.subject,
          ...(template ? { template } : {}),
          ...(this.keepText(address) ? { text: e.body.text ?? '' } : {}),
          ...(header ? { unsubscribeUrl: /<(https?:[^>]+)>/.exec(header)?.[1] } : {}),
          atSec: e.at,
        });
      }
    }
    fresh.sort((a, b) => a.to.localeCompare(b.to) || a.subject.localeCompare(b.subject) || a.atSec - b.atSec);
    for (const m of fresh) m.seq = this.seq++;
    this.all.push(...fresh);
    return fresh;
  }
}
