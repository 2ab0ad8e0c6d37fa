/**
 * Unsubscribe tokens: `<base64url(leadId)>.<base64url(HMAC-SHA256(key, leadId))>`. The signature makes
 * them unguessable (nobody can unsubscribe someone else by editing the id), and they never expire so
 * that a link in a years-old email still works, as RFC 8058 one-click unsubscribe expects.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const sign = (leadId: string, key: string) => createHmac('sha256', key).update(leadId, 'utf8').digest();

export function signUnsubscribeToken(leadId: string, key: string): string {
  return `${Buffer.from(leadId, 'utf8').toString('base64url')}.${sign(leadId, key).toString('base64url')}`;
}

/** The leadId the token was signed for, or undefined for anything forged, truncated or malformed. */
export function verifyUnsubscribeToken(token: string, key: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) return undefined;
  const leadId = Buffer.from(parts[0]!, 'base64url').toString('utf8');
  // Compare the whole token with the one that was issued, as text: base64url's last character carries
  // spare bits, so byte-level decoding would accept several spellings of one signature.
  const given = Buffer.from(token, 'utf8');
  const expected = Buffer.from(signUnsubscribeToken(leadId, key), 'utf8');
  // Length first: timingSafeEqual throws on unequal lengths, and the length of a token is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return leadId;
}
