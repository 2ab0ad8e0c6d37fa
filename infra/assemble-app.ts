/**
 * Builds the CDK app around a given programme. `buildApp` (build-app.ts) passes the real programme;
 * tests pass fixtures, so the stack can be checked without the programme module's dependencies.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { FunnelProgramme } from '../workflows/programmes/types.js';
import { SalesFlowStack, type SalesFlowStackProps } from './stack.js';

export const STACK_ID = 'SalesFlow';

export interface BuildAppOptions {
  /** false skips esbuild (tests, the local runtime): the template is the same but for asset hashes. */
  bundling?: boolean;
  /** Deployment settings (see infra/config.ts) and any other context. */
  context?: Record<string, unknown>;
  /** Where the cloud assembly goes; default: CDK's (the CLI's `cdk.out`, or a temp folder). */
  outdir?: string;
  /**
   * cdk-nag on synth (default true). The local runtime may turn it off to start faster: the tests
   * and `cdk synth` keep it on, so a finding still cannot slip through.
   */
  nag?: boolean;
  /**
   * The LeadFunnel programme to build instead of the one given (the simulator's what-if, `npm run simulate --
   * --compare`); validated at synth like the shipped one.
   */
  funnelProgramme?: FunnelProgramme;
  /** RepOnboarding's and CustomerRetention's programmes to build instead of the shipped ones (the same what-if). */
  programmes?: SalesFlowStackProps['programmes'];
}

export function assembleApp(programme: FunnelProgramme, options: BuildAppOptions = {}) {
  const app = new App({
    outdir: options.outdir,
    context: options.context,
    // The CLI refuses `aws:` keys on its command line; this is the way in.
    postCliContext: options.bundling === false ? { 'aws:cdk:bundling-stacks': [] } : undefined,
    // Same template from the CLI, the tests and the local runtime (cdk.json turns it off for the CLI too).
    analyticsReporting: false,
  });
  const stack = new SalesFlowStack(app, STACK_ID, {
    programme: options.funnelProgramme ?? programme,
    ...(options.programmes ? { programmes: options.programmes } : {}),
    description: 'Sales Flow: lead funnel, HTTP API, table, email and domain events',
  });
  // cdk-nag 3 is a validation plugin: app.synth() throws while a finding is unacknowledged.
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
