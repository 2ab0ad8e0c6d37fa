/**
 * POST /leads — capture a web-form lead (public; JSON or a plain HTML form post). Anonymous callers
 * all get the same answer, new email or known, so nobody learns who is on the list; a caller with
 * the API key (an integration) is told the lead's id and whether it was new.
 */
import { captureLead, type CaptureDeps } from '../core/capture.js';
import { UnauthorizedError, ValidationError } from '../core/errors.js';
import { verifyReferralCode } from '../core/referral.js';
import { customerEventDeps } from '../shared/retention-deps.js';
import { secretReader } from '../adapters/secrets.js';
import { bearerMatches } from '../shared/api-key.js';
import { captureDeps } from '../shared/capture-deps.js';
import { secretsClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { allowedRedirect, page } from '../shared/html.js';
import { header, html, httpRoute, json, redirect, wantsHtml } from '../shared/http.js';
import { logger } from '../shared/logger.js';
import { countMetric } from '../shared/metrics.js';
import * as z from '../shared/schema.js';
import { emailAddress, personFields, plainText } from '../shared/validation.js';

const config = loadConfig('table', 'funnel', 'events', 'signing', 'apiKey');
const readSecret = secretReader(secretsClient());
const deps: CaptureDeps = captureDeps(config, customerEventDeps(config), readSecret);

const text = (max: number) => z.optional(plainText(max));
/** Hidden form fields are often present but empty: empty means "not given". */
const blankAsMissing = (max: number) => z.optional(z.pipe(plainText(max), z.transform((v: string) => v || undefined)));
const TRUE = ['on', 'true', 'yes', '1'];
const FALSE = ['off', 'false', 'no', '0', ''];
/** A JSON boolean, or a checkbox's yes/no word from a form post. */
const yesNo = z.pipe(
  z.union([z.boolean(), z.string().check(z.trim(), z.toLowerCase(), z.refine((v) => [...TRUE, ...FALSE].includes(v), 'must be a yes/no value'))]),
  z.transform((v: boolean | string) => (typeof v === 'boolean' ? v : TRUE.includes(v))),
);

/** Profile fields per DESIGN.md §3; `_`-prefixed fields steer the form itself; anything else is rejected. */
export const captureBody = z.strictObject({
  email: emailAddress(),
  ...personFields(),
  message: z.optional(plainText(5000, { multiline: true })),
  source: text(200),
  utm_source: text(200),
  utm_medium: text(200),
  utm_campaign: text(200),
  consent: z.optional(yesNo),
  _hp: z.optional(z.string().check(z.maxLength(1000))),
  _redirect: z.optional(z.string().check(z.maxLength(2000))),
  _formId: blankAsMissing(100),
  _consentVersion: blankAsMissing(100),
  /** A referral link's code (`?ref=` on the form's page, carried in a hidden field). */
  ref: blankAsMissing(200),
});

/** Anonymous unless an Authorization header is presented; a wrong key is refused, not downgraded. */
async function isIntegration(authorization: string | undefined): Promise<boolean> {
  if (authorization === undefined) return false;
  if (bearerMatches(authorization, await readSecret(config.apiKeySecretId))) return true;
  throw new UnauthorizedError('The API key is not valid (leave out the Authorization header to post as a web form)');
}

/**
 * An anonymous post is answered no sooner than this after it arrived, new address or known: merging into a
 * known lead takes longer than creating one (p50 30 ms vs 15 ms here), and the time must not tell anyone
 * who is on the list. Above both paths' usual time; a browser form does not notice it.
 */
const ANONYMOUS_ANSWER_FLOOR_MS = 100;

export const handler = httpRoute(
  async (event) => {
    const arrived = Date.now();
    const trusted = await isIntegration(header(event, 'authorization'));
    const { email, consent, _hp, _redirect, _formId, _consentVersion, ref, ...profile } = captureBody.parse(event.parsedBody);
    // A code that does not verify is a bad field; one that verifies says nothing about whether its customer still exists.
    const referredBy = ref ? verifyReferralCode(ref, await readSecret(config.signingSecretId)) : undefined;
    if (ref && !referredBy) throw new ValidationError('Invalid referral code', [{ path: 'ref', message: 'not a valid referral code' }]);
    const result = await captureLead(deps, {
      ...(referredBy ? { referredBy } : {}),
      email,
      profile,
      consent,
      consentTextVersion: _consentVersion ?? config.consentTextVersion,
      formId: _formId,
      ip: event.requestContext?.http?.sourceIp,
      honeypot: _hp,
      trusted,
      doubleOptIn: config.doubleOptIn,
    });
    if (result.ignored) logger.info('Honeypot filled: answered as success, stored nothing');
    else if (result.created) countMetric('LeadsCaptured');
    if (!trusted) await new Promise((r) => setTimeout(r, Math.max(0, arrived + ANONYMOUS_ANSWER_FLOOR_MS - Date.now())));
    if (wantsHtml(event)) {
      const target = allowedRedirect(_redirect, config.formOrigins);
      return target ? redirect(target) : html(200, page('Thank you!', 'We have received your details and will be in touch soon.'));
    }
    if (trusted) return json(result.created ? 201 : 200, { leadId: result.leadId, stage: result.stage });
    return json(202, { status: 'received' });
  },
  { body: 'json-or-form' },
);
