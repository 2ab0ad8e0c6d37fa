/**
 * Referral codes: `<base64url(customerId)>.<base64url(first 16 bytes of HMAC-SHA256)>`. A customer
 * shares a form link carrying their code; the form records who referred the new lead. The MAC makes
 * codes unforgeable (nobody can claim a referral for a customer whose id they edited in), and 128
 * bits are plenty for a code that only has to resist guessing, while keeping the link short.
 *
 * The HMAC input starts with `referral\0`: the signing key is shared with unsubscribe tokens (bare
 * lead ids, never holding a NUL) and survey tokens (`nps\0…`), so no signature of one kind verifies
 * as another. The code shows the customer id to whoever holds the link; ids are opaque and grant
 * nothing on their own (every link that acts is signed, every read needs an API key).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { normalizeEmail } from './normalize.js';

const CUSTOMER_ID = /^[A-Za-z0-9_#:.-]{1,64}$/;
// base64url of at most 64 ASCII characters is at most 86 characters, 16 bytes of MAC exactly 22:
// a code is at most 109 characters.
const CODE = /^([A-Za-z0-9_-]{1,86})\.[A-Za-z0-9_-]{22}$/;

const mac = (customerId: string, key: string) =>
  createHmac('sha256', key).update(`referral\0${customerId}`, 'utf8').digest().subarray(0, 16).toString('base64url');

/** Throws a RangeError for an id outside the charset: a code that could never verify must not be handed out. */
export function signReferralCode(customerId: string, key: string): string {
  if (!CUSTOMER_ID.test(customerId)) throw new RangeError('referral customer ids must be 1–64 characters of [A-Za-z0-9_#:.-]');
  return `${Buffer.from(customerId, 'utf8').toString('base64url')}.${mac(customerId, key)}`;
}

/** The referring customer's id, or undefined for anything forged, truncated or malformed. */
export function verifyReferralCode(code: string, key: string): string | undefined {
  const match = CODE.exec(code);
  if (!match) return undefined;
  const customerId = Buffer.from(match[1]!, 'base64url').toString('utf8');
  if (!CUSTOMER_ID.test(customerId)) return undefined;
  // Compare the whole code with the one we would issue, as text (see unsubscribe-token.ts for why).
  const given = Buffer.from(code, 'utf8');
  const expected = Buffer.from(signReferralCode(customerId, key), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return customerId;
}

/** The form URL with `ref=<code>` set; its other query parameters and fragment are kept. */
export function referralUrl(formUrl: string, code: string): string {
  const url = new URL(formUrl);
  url.searchParams.set('ref', code);
  return url.href;
}

/**
 * Whether a lead referred themselves. Beyond the lead identity (trimmed, lower-cased), a `+tag` in
 * the local part is ignored: `ann+2@x.com` reaches ann@x.com's mailbox at nearly every provider, and
 * it is the cheapest way to refer oneself. An empty address is never a self-referral.
 */
export function isSelfReferral(referrerEmail: string, leadEmail: string): boolean {
  const mailbox = (email: string) => normalizeEmail(email).replace(/\+[^@]*(?=@[^@]*$)/, '');
  const [a, b] = [mailbox(referrerEmail), mailbox(leadEmail)];
  return a !== '' && a === b;
}
