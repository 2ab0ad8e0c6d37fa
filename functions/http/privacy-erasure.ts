/** POST /privacy/erasure {email} — erase everything held under an email and never mail it again (API key). */
import { eraseByEmail } from '../core/privacy.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { privacyDeps } from '../shared/privacy-deps.js';
import * as z from '../shared/schema.js';

const deps = privacyDeps(loadConfig('table', 'funnel', 'signing'));

/** Trimmed first: a pasted address with spaces is still that person's. */
export const erasureBody = z.strictObject({ email: z.pipe(z.string().check(z.trim()), z.email().check(z.maxLength(254))) });

export const handler = httpRoute(
  async (event) => {
    const { email } = erasureBody.parse(event.parsedBody);
    return json(200, await eraseByEmail(deps, email));
  },
  { body: 'json' },
);
