/** POST /leads — capture a web-form lead (public; JSON or a plain HTML form post). */
import { z } from 'zod';
import { captureLead } from '../core/capture.js';
import { loadConfig } from '../shared/config.js';
import { funnelDeps } from '../shared/funnel-deps.js';
import { allowedRedirect, page } from '../shared/html.js';
import { html, httpRoute, json, redirect, wantsHtml } from '../shared/http.js';
import { logger } from '../shared/logger.js';

const config = loadConfig('table', 'funnel', 'events');
const deps = funnelDeps(config);

const text = (max: number) => z.string().trim().max(max).optional();
/** Hidden form fields are often present but empty: empty means "not given". */
const blankAsMissing = (max: number) => z.string().trim().max(max).transform((v) => v || undefined).optional();
const TRUE = ['on', 'true', 'yes', '1'];
const FALSE = ['off', 'false', 'no', '0', ''];

/** Profile fields per DESIGN.md §3; `_`-prefixed fields steer the form itself; anything else is rejected. */
export const captureBody = z.strictObject({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email('must be a valid email address')),
  firstName: text(100),
  lastName: text(100),
  company: text(200),
  jobTitle: text(200),
  phone: text(50),
  message: text(5000),
  source: text(200),
  utm_source: text(200),
  utm_medium: text(200),
  utm_campaign: text(200),
  consent: z
    .union([z.boolean(), z.string().trim().toLowerCase().refine((v) => [...TRUE, ...FALSE].includes(v), 'must be a yes/no value')])
    .transform((v) => (typeof v === 'boolean' ? v : TRUE.includes(v)))
    .optional(),
  _hp: z.string().max(1000).optional(),
  _redirect: z.string().max(2000).optional(),
  _formId: blankAsMissing(100),
  _consentVersion: blankAsMissing(100),
});

export const handler = httpRoute(
  async (event) => {
    const { email, consent, _hp, _redirect, _formId, _consentVersion, ...profile } = captureBody.parse(event.parsedBody);
    const result = await captureLead(deps, {
      email,
      profile,
      consent,
      consentTextVersion: _consentVersion ?? config.consentTextVersion,
      formId: _formId,
      ip: event.requestContext?.http?.sourceIp,
      honeypot: _hp,
    });
    if (result.ignored) logger.info('Honeypot filled: answered as success, stored nothing');
    if (wantsHtml(event)) {
      const target = allowedRedirect(_redirect, config.formOrigins);
      return target ? redirect(target) : html(200, page('Thank you!', 'We have received your details and will be in touch soon.'));
    }
    return json(result.created ? 201 : 200, { leadId: result.leadId, stage: result.stage });
  },
  { body: 'json-or-form' },
);
