/** The few small HTML pages the public routes answer browsers with (thank-you, unsubscribed). */
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function page(title: string, message: string, extra = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font:inherit;padding:.5rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${extra}</body></html>`;
}

/**
 * A page whose one button POSTs back to the very URL it was opened at (a form without `action`
 * posts to the document's URL, token included). Links in emails land here: mail scanners and
 * link prefetchers follow links with GET, and a GET must never act on someone's behalf.
 */
export function confirmPage(title: string, message: string, button: string): string {
  return page(title, message, `<form method="post"><button type="submit">${escapeHtml(button)}</button></form>`);
}

/** A base no request can come from: relative targets resolve against it to see where a browser would go. */
const SAME_ORIGIN_BASE = 'https://same-origin.invalid/';

/**
 * Where a browser may be sent after a form post: a path on this API's own origin, or a URL on one of
 * the configured form origins. The target is parsed with the WHATWG URL parser — the one browsers use —
 * never checked as a string: `/\t/evil.com`, `/\\evil.com` and `//evil.com` all resolve to another host
 * and are refused. What is returned is the parser's own serialization, which is ASCII (non-ASCII and
 * control characters percent-encoded), so it is always a valid `Location` header.
 */
export function allowedRedirect(target: string | undefined, formOrigins: readonly string[]): string | undefined {
  if (!target) return undefined;
  let url: URL;
  try {
    url = new URL(target, SAME_ORIGIN_BASE);
  } catch {
    return undefined;
  }
  if (url.origin === new URL(SAME_ORIGIN_BASE).origin) {
    // Only a target written as a path is same-origin; an absolute URL naming our placeholder is not.
    if (!target.trimStart().startsWith('/')) return undefined;
    return `${url.pathname}${url.search}${url.hash}`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return formOrigins.includes(url.origin) ? url.href : undefined;
}
