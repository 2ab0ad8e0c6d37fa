/**
 * A programme variant for `--compare`: a module exporting `programmes` (workflow name → programme, the shape of
 * workflows/registry.ts: any of LeadFunnel, RepOnboarding, CustomerRetention), or a directory holding such an
 * `index.ts`, or a copy of workflows/programmes with an edited `funnel.ts` (its `funnelProgramme`).
 *
 * Each is synthesized like the shipped programmes (validated at synth, with the path of a bad value). The
 * LeadFunnel's programme lives wholly in its state machine. RepOnboarding's and CustomerRetention's plan/act
 * tasks (and the rep routes) read theirs at run time: the simulation process installs the same variant for its
 * handlers (functions/shared/programmes.ts) before it loads them, so runs and machine agree.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OnboardingProgramme } from '../../functions/core/learning.js';
import type { WorkflowName } from '../../functions/core/model.js';
import type { RetentionProgramme } from '../../functions/core/retention.js';
import type { FunnelProgramme } from '../../workflows/programmes/types.js';

export interface VariantProgrammes {
  LeadFunnel?: FunnelProgramme;
  RepOnboarding?: OnboardingProgramme;
  CustomerRetention?: RetentionProgramme;
}

const WORKFLOWS: WorkflowName[] = ['LeadFunnel', 'RepOnboarding', 'CustomerRetention'];

function moduleOf(target: string): string {
  if (!existsSync(target)) throw new Error(`--compare ${target}: no such file or directory`);
  if (!statSync(target).isDirectory()) return target;
  for (const name of ['index.ts', 'funnel.ts']) if (existsSync(path.join(target, name))) return path.join(target, name);
  throw new Error(`--compare ${target}: the directory has neither index.ts (exporting programmes) nor funnel.ts (exporting funnelProgramme)`);
}

/** The variant's programmes, by workflow (each validated when it is synthesized). */
export async function loadVariant(target: string): Promise<VariantProgrammes> {
  const file = path.resolve(moduleOf(target));
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const programmes = (mod.programmes ?? (mod.funnelProgramme ? { LeadFunnel: mod.funnelProgramme } : mod.default)) as Record<string, unknown> | undefined;
  if (!programmes || typeof programmes !== 'object') throw new Error(`--compare ${target}: exports no programmes (export const programmes = { LeadFunnel: … })`);
  const unknown = Object.keys(programmes).filter((w) => !WORKFLOWS.includes(w as WorkflowName));
  if (unknown.length) throw new Error(`--compare ${target}: ${unknown.join(', ')} is not a workflow of workflows/registry.ts (${WORKFLOWS.join(', ')})`);
  const given = WORKFLOWS.filter((w) => programmes[w] !== undefined);
  if (!given.length) throw new Error(`--compare ${target}: exports no programme for any of ${WORKFLOWS.join(', ')}`);
  return Object.fromEntries(given.map((w) => [w, programmes[w]])) as VariantProgrammes;
}

/** The variant's run-time programmes (what the simulation process installs for its handlers). */
export const runTimeProgrammes = ({ RepOnboarding, CustomerRetention }: VariantProgrammes) => ({
  ...(RepOnboarding ? { RepOnboarding } : {}),
  ...(CustomerRetention ? { CustomerRetention } : {}),
});
