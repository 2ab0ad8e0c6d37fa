/**
 * The stack builds every workflow of the registry and gives each one's ARN and programme version to the
 * functions that start its runs; every state machine's role is acknowledged from the registry (cdk-nag
 * runs in the synth below and throws on an unacknowledged finding).
 */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { FUNCTION_SPECS } from '../../infra/functions.js';
import { WORKFLOW_REGISTRY, versionOf } from '../../workflows/registry.js';
import { assemblyDir } from './support.js';

const { app, stack } = buildApp({ bundling: false, outdir: assemblyDir('workflow-registry') });
const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, any>; Outputs: Record<string, any> };
const variablesOf = (id: string) => template.Resources[id].Properties.Environment.Variables as Record<string, unknown>;

describe('the workflows of the registry in the stack', () => {
  it('has a state machine and an ARN output for every workflow', () => {
    for (const w of WORKFLOW_REGISTRY) {
      expect(template.Resources[w.name]?.Type, w.name).toBe('AWS::StepFunctions::StateMachine');
      expect(template.Outputs[`${w.name}Arn`]?.Value, w.name).toEqual({ Ref: w.name });
    }
  });

  it('gives every function that starts a workflow’s runs its current programme version', () => {
    for (const w of WORKFLOW_REGISTRY) {
      const starters = Object.entries(FUNCTION_SPECS)
        .filter(([, spec]) => (spec.env as string[]).includes(w.env.arn))
        .map(([name]) => name);
      expect(starters.length, w.name).toBeGreaterThan(0);
      for (const name of starters) {
        expect(variablesOf(name)[w.env.arn], `${name} ${w.env.arn}`).toEqual({ Ref: w.name });
        expect(variablesOf(name)[w.env.version], `${name} ${w.env.version}`).toBe(String(versionOf(w)));
      }
    }
  });

  it('invokes from each machine only the task functions its entry names (what its role is acknowledged for)', () => {
    for (const w of WORKFLOW_REGISTRY) {
      const definition = JSON.stringify(template.Resources[w.name].Properties.DefinitionString);
      const invoked = new Set([...definition.matchAll(/"Fn::GetAtt":\["(\w+)","Arn"\]/g)].map((m) => m[1]));
      expect(invoked.size, w.name).toBeGreaterThan(0);
      for (const fn of invoked) expect(Object.values(w.tasks), `${w.name} → ${fn}`).toContain(fn);
    }
  });
});
