/** Synthesizes the real app in-process (bundling off) and returns its template. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BuildAppOptions } from '../infra/assemble-app.js';
import type { CfnTemplate } from './template.js';

export interface SynthesizedApp {
  template: CfnTemplate;
  stackName: string;
}

/**
 * `funnelProgramme`, `programmes` (RepOnboarding, CustomerRetention): build them instead of the shipped ones
 * (infra/assemble-app.ts), e.g. the simulator's what-if variant.
 */
export async function synthesizeTemplate(
  repoRoot: string,
  options: Pick<BuildAppOptions, 'funnelProgramme' | 'programmes'> = {},
): Promise<SynthesizedApp> {
  // Synth output stays in the repo (gitignored), never the system temp dir.
  const outdir = path.join(repoRoot, '.tmp', `cdk.out-local-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  process.env.CDK_DISABLE_VERSION_CHECK ??= '1';
  // Construct validation and cdk-nag take most of an in-process synth and do not change the
  // template; they run in `cdk synth` and in tests/infra, not on every local start. The variable is
  // restored afterwards so a process that synthesizes for other reasons still validates.
  const validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    const modulePath = path.join(repoRoot, 'infra', 'build-app.ts');
    const { buildApp } = (await import(modulePath)) as typeof import('../infra/build-app.js');
    const { app, stack } = buildApp({
      bundling: false,
      outdir,
      nag: false,
      ...(options.funnelProgramme ? { funnelProgramme: options.funnelProgramme } : {}),
      ...(options.programmes ? { programmes: options.programmes } : {}),
    });
    const template = app.synth().getStackByName(stack.stackName).template as CfnTemplate;
    return { template, stackName: stack.stackName };
  } finally {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
  }
}
