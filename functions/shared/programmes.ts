/**
 * The RepOnboarding and CustomerRetention programmes the handlers run by. Their plan/act tasks and the rep routes
 * read the programme at run time (the LeadFunnel's lives wholly in its state machine), so this is where it comes
 * from: the shipped one (workflows/programmes), unless the local runtime installed another before it loaded the
 * handlers. Only the simulator's what-if does (`npm run simulate -- --compare`): it synthesizes the app with the
 * same variant, so the version in the functions' environment is the variant's. On AWS nothing installs one: a
 * deployment runs the programmes it was built with.
 */
import type { OnboardingProgramme } from '../core/learning.js';
import type { RetentionProgramme } from '../core/retention.js';
import { onboardingProgramme } from '../../workflows/programmes/onboarding.js';
import { retentionProgramme } from '../../workflows/programmes/retention.js';

export interface RunTimeProgrammes {
  RepOnboarding?: OnboardingProgramme;
  CustomerRetention?: RetentionProgramme;
}

let installed: RunTimeProgrammes = {};

/** Replaces the shipped programmes for the handlers loaded after this call (the local runtime's what-if only). */
export function installProgrammes(programmes: RunTimeProgrammes): void {
  installed = { ...programmes };
}

export const currentOnboardingProgramme = (): OnboardingProgramme => installed.RepOnboarding ?? onboardingProgramme;
export const currentRetentionProgramme = (): RetentionProgramme => installed.CustomerRetention ?? retentionProgramme;
