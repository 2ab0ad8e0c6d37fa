/**
 * A programme variant for `--compare`: a module exporting `programmes` (workflow name → programme, the shape
 * of workflows/registry.ts), or a directory holding such an `index.ts`, or a copy of workflows/programmes
 * with an edited `funnel.ts` (its `funnelProgramme`). It is synthesized like the shipped programmes
 * (validated at synth, with the path of a bad value) through the app's `funnelProgramme` option.
 *
 * Only the LeadFunnel's programme lives wholly in its state machine. RepOnboarding's and CustomerRetention's
 * plan/act tasks read their programme modules at run time, so a variant of those would change the machine
 * but not what the runs do: refused, with that reason, rather than reported as a what-if it is not.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkflowName } from '../../functions/core/model.js';
import type { FunnelProgramme } from '../../workflows/programmes/types.js';

export type Programmes = Partial<Record<WorkflowName, unknown>>;

const RUN_TIME_PROGRAMMES: WorkflowName[] = ['RepOnboarding', 'CustomerRetention'];

function moduleOf(target: string): string {
  if (!existsSync(target)) throw new Error(`--compare ${target}: no such file or directory`);
  if (!statSync(target).isDirectory()) return target;
  for (const name of ['index.ts', 'funnel.ts']) if (existsSync(path.join(target, name))) return path.join(target, name);
  throw new Error(`--compare ${target}: the directory has neither index.ts (exporting programmes) nor funnel.ts (exporting funnelProgramme)`);
}

/** The variant's LeadFunnel programme (validated when it is synthesized). */
export async function loadVariant(target: string): Promise<FunnelProgramme> {
  const file = path.resolve(moduleOf(target));
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const programmes = (mod.programmes ?? (mod.funnelProgramme ? { LeadFunnel: mod.funnelProgramme } : (mod.default as Programmes | undefined))) as Programmes | undefined;
  if (!programmes || typeof programmes !== 'object') throw new Error(`--compare ${target}: exports no programmes (export const programmes = { LeadFunnel: … })`);
  const runTime = RUN_TIME_PROGRAMMES.filter((w) => w in programmes);
  if (runTime.length) {
    throw new Error(`--compare ${target}: ${runTime.join(' and ')} read their programme at run time (their plan/act tasks), so a variant would change only the state machine; compare LeadFunnel programmes`);
  }
  const unknown = Object.keys(programmes).filter((w) => w !== 'LeadFunnel');
  if (unknown.length) throw new Error(`--compare ${target}: ${unknown.join(', ')} is not a workflow of workflows/registry.ts`);
  if (!programmes.LeadFunnel) throw new Error(`--compare ${target}: exports no LeadFunnel programme`);
  return programmes.LeadFunnel as FunnelProgramme;
}
