/**
 * NPS survey tokens: `<base64url(customerId)>.<base64url(surveyId)>.<base64url(HMAC-SHA256)>`, the
 * surveyId being the survey's ledger step (`nps#2026-12-01`). The token in each score link says who
 * answers which survey, so nobody can answer for another customer by editing an id.
 *
 * The HMAC input starts with `nps\0` and joins the ids with NUL: the same signing key makes
 * unsubscribe tokens, whose HMAC input is a bare lead id, and lead ids are generated alphanumerics
 * that never hold a NUL — so no unsubscribe (or referral, `referral\0…`) signature can ever be
 * replayed as a survey signature, or the reverse. The ids' charset excludes NUL too, which keeps the
 * join unambiguous.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const ID = /^[A-Za-z0-9_#:.-]{1,100}$/;
// base64url of at most 100 ASCII characters is at most 134 characters; a SHA-256 MAC is exactly 43.
const PART = /^[A-Za-z0-9_-]{1,134}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const sign = (customerId: string, surveyId: string, key: string) =>
  createHmac('sha256', key).update(`nps\0${customerId}\0${surveyId}`, 'utf8').digest().toString('base64url');

export interface SurveyTokenClaims {
  customerId: string;
  surveyId: string;
}

/** Throws a RangeError for an id outside the charset: a token that could never verify must not be mailed. */
export function signSurveyToken(customerId: string, surveyId: string, key: string): string {
  if (!ID.test(customerId) || !ID.test(surveyId)) throw new RangeError('survey token ids must be 1–100 characters of [A-Za-z0-9_#:.-]');
  return `${b64(customerId)}.${b64(surveyId)}.${sign(customerId, surveyId, key)}`;
}

/** The ids the token was signed for, or undefined for anything forged, truncated or malformed. */
export function verifySurveyToken(token: string, key: string): SurveyTokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !PART.test(parts[0]!) || !PART.test(parts[1]!) || !MAC.test(parts[2]!)) return undefined;
  const customerId = Buffer.from(parts[0]!, 'base64url').toString('utf8');
  const surveyId = Buffer.from(parts[1]!, 'base64url').toString('utf8');
  if (!ID.test(customerId) || !ID.test(surveyId)) return undefined;
  // Compare the whole token with the one we would issue, as text (see unsubscribe-token.ts for why).
  const given = Buffer.from(token, 'utf8');
  const expected = Buffer.from(signSurveyToken(customerId, surveyId, key), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return { customerId, surveyId };
}
