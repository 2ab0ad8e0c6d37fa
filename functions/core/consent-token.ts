/**
 * Double opt-in confirmation tokens: `<base64url(leadId)>.<base64url(requestId)>.<base64url(HMAC)>`.
 * The HMAC covers a purpose label as well as both ids, so an unsubscribe signature can never be
 * replayed as a confirmation (or the reverse), and a link confirms only the request it was sent for.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const PURPOSE = 'consent-confirm';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const sign = (leadId: string, requestId: string, key: string) =>
  createHmac('sha256', key).update(`${PURPOSE}\n${leadId}\n${requestId}`, 'utf8').digest().toString('base64url');

export function signConsentToken(leadId: string, requestId: string, key: string): string {
  return `${b64(leadId)}.${b64(requestId)}.${sign(leadId, requestId, key)}`;
}

/** The ids the token was signed for, or undefined for anything forged, truncated or malformed. */
export function verifyConsentToken(token: string, key: string): { leadId: string; requestId: string } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]{1,200}$/.test(p))) return undefined;
  const leadId = Buffer.from(parts[0]!, 'base64url').toString('utf8');
  const requestId = Buffer.from(parts[1]!, 'base64url').toString('utf8');
  // Compare the whole token with the one we would issue, as text (see unsubscribe-token.ts for why).
  const given = Buffer.from(token, 'utf8');
  const expected = Buffer.from(signConsentToken(leadId, requestId, key), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return { leadId, requestId };
}
