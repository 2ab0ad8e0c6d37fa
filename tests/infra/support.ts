/**
 * Shared by the infra tests: fixture programmes (so the LeadFunnel can be checked without the
 * shipped programme), a small stack that holds only the funnel, and synth helpers that keep every
 * cloud assembly under .tmp/ in the repo.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LeadFunnel } from '../../workflows/lead-funnel.js';
import type { FunnelProgramme } from '../../workflows/programmes/types.js';
import { REPO_ROOT } from '../../infra/constructs/sales-function.js';
import { stateMachineDefinition } from '../../infra/template-definitions.js';

export const BUNDLING_OFF = { 'aws:cdk:bundling-stacks': [] };

/** A fresh, empty assembly folder under .tmp/ (TMPDIR too, for anything CDK stages on the side). */
export function assemblyDir(name: string): string {
  const tmp = resolve(REPO_ROOT, '.tmp');
  process.env.TMPDIR = tmp;
  const dir = join(tmp, 'infra-tests', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

const send = (id: string, category: 'marketing' | 'transactional' | 'recycle' = 'marketing') =>
  ({ kind: 'send', id, template: `fixture-${id}`, category }) as const;

export const fixtureProgramme: FunnelProgramme = {
  stages: {
    awareness: [send('welcome', 'transactional'), { kind: 'wait', days: 2 }, send('guide')],
    interest: [send('case-study'), { kind: 'wait', days: 3 }],
    consideration: [send('comparison'), { kind: 'wait', hours: 36 }],
    decision: [send('proposal'), { kind: 'wait', days: 2 }, { kind: 'wait', days: 2 }],
    purchase: [send('thank-you', 'transactional')],
  },
  recycle: [{ kind: 'wait', days: 30 }, send('monthly-1', 'recycle')],
  handoff: { slaHours: 24, queueRetryHours: 4, escalateAfterMisses: 2 },
};

/** The fixture with one more awareness email: adding an email is a data change. */
export const fixtureWithExtraEmail: FunnelProgramme = {
  ...fixtureProgramme,
  stages: { ...fixtureProgramme.stages, awareness: [...fixtureProgramme.stages.awareness, { kind: 'wait', days: 4 }, send('webinar')] },
};

/** Every template the fixtures send (they stand in for workflows/templates). */
export const FIXTURE_TEMPLATES = ['welcome', 'guide', 'case-study', 'comparison', 'proposal', 'thank-you', 'monthly-1', 'webinar'].map((id) => `fixture-${id}`);

/** A stack holding only a LeadFunnel over stand-in functions: fast, and independent of handlers. */
export function addFunnelStack(app: App, id: string, programme: FunnelProgramme) {
  const stack = new Stack(app, id);
  const fn = (name: string) =>
    new LambdaFunction(stack, name, { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => ({})') });
  const funnel = new LeadFunnel(stack, 'LeadFunnel', {
    programme,
    functions: {
      sendEmail: fn('SendEmail'),
      assignRep: fn('AssignRep'),
      checkRepContact: fn('CheckRepContact'),
      setLeadStatus: fn('SetLeadStatus'),
      recordFailure: fn('RecordFailure'),
      chooseArm: fn('ChooseArm'),
    },
    templates: FIXTURE_TEMPLATES,
    version: 1,
  });
  return { stack, funnel };
}

/** Synthesizes fixture funnels in one app (one synth per test file) and returns their templates. */
export function synthFunnels(name: string, programmes: Record<string, FunnelProgramme>) {
  const app = new App({ outdir: assemblyDir(name), postCliContext: BUNDLING_OFF, analyticsReporting: false });
  const stacks = Object.entries(programmes).map(([id, p]) => [id, addFunnelStack(app, id, p).stack] as const);
  const assembly = app.synth();
  return Object.fromEntries(stacks.map(([id, stack]) => [id, assembly.getStackByName(stack.stackName).template])) as Record<string, any>;
}

export type AslState = Record<string, any> & { Type: string };
export const definitionOf = (template: any) => stateMachineDefinition(template) as { StartAt: string; States: Record<string, AslState> };
