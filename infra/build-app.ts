/**
 * The app as the CLI (infra/app.ts), the tests and the local runtime build it. The local runtime
 * synthesizes in-process with bundling off and reads
 * `app.synth().getStackByName(stack.stackName).template`.
 */
import { funnelProgramme } from '../workflows/programmes/funnel.js';
import { scoringRules } from '../workflows/scoring.js';
import { validateScoringRules } from '../workflows/scoring-schema.js';
import { assembleApp, type BuildAppOptions } from './assemble-app.js';
import type { SalesFlowStack } from './stack.js';
import type { App } from 'aws-cdk-lib';

export type { BuildAppOptions } from './assemble-app.js';

export function buildApp(options: BuildAppOptions = {}): { app: App; stack: SalesFlowStack } {
  // The data the Lambdas carry as it is is validated here, once, at synth.
  validateScoringRules(scoringRules);
  return assembleApp(funnelProgramme, options);
}
