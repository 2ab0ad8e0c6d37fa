/**
 * GET|POST /nps (public): the score links of the NPS survey email. GET only shows the confirm page
 * with the link's score chosen — mail scanners and link prefetchers follow every link, and must not
 * answer for anyone. POST (the page's form) records the answer: once per survey and customer, so a
 * second press answers the same thanks page and changes nothing. The signed token is the
 * authorization; nothing answered tells an anonymous caller whether anyone is a customer: an invalid
 * link gets the same page whoever it named, and an answer for a customer who is gone (erased) gets
 * the thanks page and writes nothing. A refusal is a page for a browser (`Accept: text/html`) and the
 * API's JSON error, naming only the field, for anything else (a scanner, a script).
 */
import { NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors.js';
import { recordNps } from '../core/customers.js';
import { validNpsScore } from '../core/nps.js';
import { verifySurveyToken } from '../core/nps-token.js';
import { secretReader } from '../adapters/secrets.js';
import { secretsClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { page } from '../shared/html.js';
import { html, httpRoute, parseBody, wantsHtml, type HttpEvent, type HttpResult } from '../shared/http.js';
import { countNpsAnswer } from '../shared/metrics.js';
import { NPS_COMMENT_MAX, npsConfirmPage, npsInvalidPage, npsThanksPage } from '../shared/nps-page.js';
import { customerEventDeps } from '../shared/retention-deps.js';
import { plainTextProblem } from '../shared/validation.js';
import { brand } from '../../workflows/templates/brand.js';

const config = loadConfig('table', 'signing', 'customers', 'events');
const deps = customerEventDeps(config);
const readSecret = secretReader(secretsClient());
const QUESTION = `How likely are you to recommend ${brand.product} to a friend or colleague?`;

/** "0".."10" exactly (a form sends text); anything else is no score. */
const scoreOf = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && /^(10|[0-9])$/.test(v) ? Number(v) : v;
  return validNpsScore(n) ? n : undefined;
};
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

const INVALID_LINK = npsInvalidPage();
function refuse(event: HttpEvent, path: string, message: string, pageHtml = INVALID_LINK): HttpResult {
  if (wantsHtml(event)) return html(400, pageHtml);
  throw new ValidationError(`The survey answer was refused: ${path} ${message}`, [{ path, message }]);
}

export const handler = httpRoute(async (event) => {
  const key = await readSecret(config.signingSecretId);
  if (event.requestContext?.http?.method !== 'POST') {
    const token = event.queryStringParameters?.token;
    if (!token || !verifySurveyToken(token, key)) return refuse(event, 'token', 'missing or invalid');
    return html(200, npsConfirmPage({ score: scoreOf(event.queryStringParameters?.score), token, question: QUESTION }));
  }

  let form: Record<string, unknown>;
  try {
    const body = parseBody(event, 'json-or-form');
    form = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  } catch (err) {
    if (err instanceof PayloadTooLargeError || err instanceof UnsupportedMediaTypeError || !wantsHtml(event)) throw err;
    return html(400, INVALID_LINK);
  }
  const token = text(form.token);
  const claims = token ? verifySurveyToken(token, key) : undefined;
  if (!claims) return refuse(event, 'token', 'missing or invalid');
  const score = scoreOf(form.score);
  if (score === undefined) return refuse(event, 'score', 'must be a whole number from 0 to 10', page('Please choose a score', 'Choose a score from 0 to 10 on the survey page and send it again. No answer was recorded.'));
  const comment = text(form.comment)?.trim();
  const tooLong = page('Your comment could not be recorded', `Please keep it plain text under ${NPS_COMMENT_MAX} characters and send it again. No answer was recorded.`);
  if (form.comment !== undefined && comment === undefined) return refuse(event, 'comment', 'must be text', tooLong);
  if (comment && comment.length > NPS_COMMENT_MAX) return refuse(event, 'comment', `must be at most ${NPS_COMMENT_MAX} characters`, tooLong);
  // It is stored and shown to the owner: plain text a person could have typed (line breaks allowed).
  const problem = comment ? plainTextProblem(comment, true) : undefined;
  if (problem) return refuse(event, 'comment', problem, tooLong);

  const { customerId, surveyId } = claims;
  try {
    const { outcome } = await recordNps(deps, customerId, { score, ...(comment ? { comment } : {}), surveyId, source: 'link' }, `nps-link:${surveyId}:${customerId}`);
    if (outcome === 'applied') countNpsAnswer(score);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  return html(200, npsThanksPage());
});
