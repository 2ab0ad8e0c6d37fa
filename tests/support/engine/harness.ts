/**
 * The workflow engine on its own: a programme built into a state machine over stand-in Lambdas,
 * synthesized, and run on the local Executions with stub task functions (no DynamoDB, no HTTP), so
 * properties of the engine can be checked over many random programmes.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { stateMachineDefinition } from '../../../infra/template-definitions.js';
import { Executions } from '../../../local/sfn/executions.js';
import type { FunctionRuntime } from '../../../local/functions.js';
import { WorkflowEngine } from '../../../workflows/engine/builder.js';
import type { Step } from '../../../workflows/engine/steps.js';

export const ENGINE_FUNCTIONS = ['SendEmail', 'RecordFailure', 'ChooseArm', 'Probe'] as const;

let synths = 0;

/** The ASL the engine builds for `steps` (entry point `main`), synthesized as CDK would. */
export function synthesizeProgramme(steps: Step[]): Record<string, any> {
  const tmp = resolve(process.cwd(), '.tmp', 'engine-properties');
  const outdir = join(tmp, `app-${process.pid}-${++synths}`);
  mkdirSync(outdir, { recursive: true });
  try {
    const app = new App({ outdir, postCliContext: { 'aws:cdk:bundling-stacks': [] }, analyticsReporting: false });
    const stack = new Stack(app, 'Engine');
    const fn = (name: string) =>
      new LambdaFunction(stack, name, { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => ({})') });
    const [sendEmail, recordFailure, chooseArm, probe] = ENGINE_FUNCTIONS.map(fn);
    const engine = new WorkflowEngine(stack, {
      workflow: 'EngineTest',
      subjectField: 'leadId',
      functions: { sendEmail: sendEmail!, recordFailure: recordFailure!, chooseArm, probe },
      taskTimeout: Duration.seconds(60),
      version: 1,
      sendContext: { stage: '$.entry' },
    });
    const main = engine.sequence('Main', steps, engine.succeed('Done'));
    const machine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(engine.entry('Enter', '$.entry', { main })) });
    (machine.node.defaultChild as sfn.CfnStateMachine).overrideLogicalId('EngineTest');
    const template = app.synth().getStackByName(stack.stackName).template;
    return stateMachineDefinition(template, 'EngineTest');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface StubCall {
  fn: string;
  payload: any;
}

/** Stub task functions by logical id; every call is recorded. */
export function stubRuntime(handlers: Record<string, (payload: any) => unknown>, calls: StubCall[]): FunctionRuntime {
  // CDK gives an L2 function's logical id a hash suffix: SendEmail14C26199.
  const idOf = (nameOrArn: string) => (nameOrArn.split(':function:')[1]?.split(':')[0] ?? nameOrArn).replace(/[0-9A-F]{8}$/, '');
  return {
    find: (nameOrArn: string) => (handlers[idOf(nameOrArn)] ? ({} as never) : undefined),
    invoke: async (nameOrArn: string, payload: unknown) => {
      const fn = idOf(nameOrArn);
      calls.push({ fn, payload });
      return handlers[fn]!(payload);
    },
  } as unknown as FunctionRuntime;
}

/** Local Executions on a compressed clock, as the local runtime makes them. */
export function localExecutions(runtime: FunctionRuntime, scale: number) {
  const originMs = Date.now();
  return { executions: new Executions(runtime, { scale, originMs, virtualOriginMs: originMs }), virtualNow: () => originMs + (Date.now() - originMs) * scale };
}
