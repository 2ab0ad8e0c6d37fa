/** The few small HTML pages the public routes answer browsers with (thank-you, unsubscribed). */
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function page(title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

/**
 * Where a browser may be sent after a form post: a same-site relative path, or a URL on one of the
 * configured form origins. Anything else would make the API an open redirect.
 */
export function allowedRedirect(target: string | undefined, formOrigins: readonly string[]): string | undefined {
  if (!target) return undefined;
  if (target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\')) return target;
  try {
    const url = new URL(target);
    return (url.protocol === 'https:' || url.protocol === 'http:') && formOrigins.includes(url.origin) ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
