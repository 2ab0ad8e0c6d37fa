/**
 * A what-if for `npm run simulate -- --compare scripts/simulate/variants/no-shadowing.ts`: the shipped onboarding
 * without its shadowing modules (a new rep no longer waits for a senior's calls and the manager's review of
 * them), so reps finish their learning path, and start receiving leads, sooner. A module that had a shadowing
 * module as a prerequisite takes that module's own prerequisites instead. The funnel and retention as shipped.
 */
import type { LearningPath, OnboardingProgramme } from '../../../functions/core/learning.js';
import { onboardingProgramme } from '../../../workflows/programmes/onboarding.js';

function withoutShadowing(path: LearningPath): LearningPath {
  const dropped = new Map(path.modules.filter((m) => m.kind === 'shadowing').map((m) => [m.id, m.prerequisites]));
  const modules = path.modules
    .filter((m) => !dropped.has(m.id))
    .map((m) => ({ ...m, prerequisites: [...new Set(m.prerequisites.flatMap((p) => dropped.get(p) ?? [p]))] }));
  return { ...path, modules };
}

export const programmes = {
  RepOnboarding: {
    ...onboardingProgramme,
    paths: Object.fromEntries(Object.entries(onboardingProgramme.paths).map(([role, path]) => [role, withoutShadowing(path)])),
  } as OnboardingProgramme,
};
