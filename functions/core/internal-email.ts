/**
 * The one layout of an email to the team (a rep, a manager, a customer's owner): intro paragraphs, a block
 * of the message's own (a list of modules, a table of facts), closing paragraphs, the signature — every
 * value escaped in the HTML and the subject on one line, so no message can forget either.
 */
import { escapeHtml, oneLine } from './render.js';

export interface ComposedEmail {
  subject: string;
  html: string;
  text: string;
}

/** The message's own block, as text and as HTML (already escaped by the caller). */
export interface EmailBlock {
  text: string;
  html: string[];
}

export function composeInternalEmail(message: { subject: string; intro: string[]; closing?: string[] }, block: EmailBlock | undefined, signature: string): ComposedEmail {
  const e = escapeHtml;
  const text = [...message.intro, ...(block ? [block.text] : []), ...(message.closing ?? []), `-- \n${signature}`].join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:Arial,sans-serif;line-height:1.4;color:#222">',
    ...message.intro.map((p) => `<p>${e(p)}</p>`),
    ...(block ? block.html : []),
    ...(message.closing ?? []).map((p) => `<p>${e(p)}</p>`),
    `<hr><p style="font-size:12px;color:#666">${e(signature)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: oneLine(message.subject), html, text };
}
