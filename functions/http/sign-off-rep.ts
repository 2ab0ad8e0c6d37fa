/** POST /reps/{repId}/signoff — the manager approves (certified, active) or rejects (modules reopen) (API key). */
import { NotFoundError } from '../core/errors.js';
import { signOff } from '../core/onboarding.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { onboardingDeps } from '../shared/onboarding-deps.js';
import * as z from '../shared/schema.js';
import { identifier, plainText } from '../shared/validation.js';

const deps = onboardingDeps(loadConfig('table', 'onboarding', 'funnel', 'events', 'sender', 'manager'));

const params = z.object({ repId: identifier(100) });

/** Every module any learning path has: a name outside them is a bad request, whoever the rep is. */
const MODULE_IDS = new Set([...Object.values(deps.programme.paths), deps.programme.recertification].flatMap((path) => path.modules.map((m) => m.id)));

export const signOffBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  by: z.pipe(plainText(200), z.string().check(z.minLength(1, 'must not be empty'))),
  notes: z.optional(plainText(2000, { multiline: true })),
  reopen: z.optional(z.array(identifier(100)).check(z.maxLength(50), z.refine((ids) => ids.every((id) => MODULE_IDS.has(id)), 'names a module no learning path has'))),
});

export const handler = httpRoute(
  async (event) => {
    const parsed = params.safeParse(event.pathParameters ?? {});
    if (!parsed.success) throw new NotFoundError('Rep not found');
    const rep = await signOff(deps, parsed.data.repId, signOffBody.parse(event.parsedBody));
    return json(200, { repId: rep.repId, status: rep.status, certification: rep.certification ?? null, signOff: rep.signOff });
  },
  { body: 'json' },
);
