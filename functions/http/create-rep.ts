/** POST /reps — a new hire starts onboarding on their role's learning path (API key). */
import { REP_ROLES } from '../core/model.js';
import { registerRep } from '../core/onboarding.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { onboardingDeps } from '../shared/onboarding-deps.js';
import * as z from '../shared/schema.js';
import { emailAddress, plainText } from '../shared/validation.js';

const deps = onboardingDeps(loadConfig('table', 'onboarding', 'funnel', 'events', 'sender', 'manager'));

const name = () => z.pipe(plainText(100), z.string().check(z.minLength(1, 'must not be empty')));

export const createRepBody = z.strictObject({
  email: emailAddress(),
  firstName: name(),
  lastName: name(),
  role: z.enum(REP_ROLES),
  managerEmail: emailAddress(),
  /** YYYY-MM-DD in the rep's time zone; today there by default. */
  startDate: z.optional(
    z.string().check(
      z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-03-02'),
      z.refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a real calendar date'),
    ),
  ),
  timeZone: z.optional(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/, 'must be an IANA time zone like Europe/Berlin'), z.maxLength(64))),
});

export const handler = httpRoute(
  async (event) => {
    const body = createRepBody.parse(event.parsedBody);
    const { rep, created } = await registerRep(deps, body);
    return json(created ? 201 : 200, { repId: rep.repId, status: rep.status, email: rep.email, name: rep.name, role: rep.role });
  },
  { body: 'json' },
);
