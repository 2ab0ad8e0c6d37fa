/**
 * The registry of workflows and what it drives in the Lambdas: every run's input carries the programme
 * version the starter was given, the run's `workflow_started` entry records it, and every workflow of
 * the registry has its environment variables and a local resume.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsStarter } from '../../functions/adapters/sfn-starter.js';
import { programmeVersionsFrom, WORKFLOW_ENVIRONMENT } from '../../functions/adapters/workflow-environment.js';
import { fixedClock } from '../../functions/core/clock.js';
import { ensureCurrentRun } from '../../functions/core/funnel-runs.js';
import { WORKFLOWS, type WorkflowName } from '../../functions/core/model.js';
import { RESUMERS } from '../../local/resume.js';
import { WORKFLOW_PROGRAMMES, WORKFLOW_REGISTRY } from '../../workflows/registry.js';
import { readLock, versionOf } from '../../workflows/versions.js';
import { InMemoryLeadStore, RecordingStarter, sequentialIds } from '../fakes/index.js';
import { aLead } from '../fakes/leads.js';

const ARN = (name: string) => `arn:aws:states:eu-west-1:123456789012:stateMachine:${name}`;
const sfn = mockClient(SFNClient);
beforeEach(() => sfn.reset());

const inputOf = (call: number) => JSON.parse(sfn.commandCalls(StartExecutionCommand)[call]!.args[0].input.input!);

describe('the registry of workflows', () => {
  it('lists every workflow of the core once, with its subject kind, programme and tasks', () => {
    expect(WORKFLOW_REGISTRY.map((w) => w.name).sort()).toEqual([...WORKFLOWS].sort());
    expect(Object.fromEntries(WORKFLOW_REGISTRY.map((w) => [w.name, w.subject]))).toEqual({ LeadFunnel: 'lead', RepOnboarding: 'rep', CustomerRetention: 'customer' });
    for (const w of WORKFLOW_REGISTRY) {
      expect(w.env, w.name).toBe(WORKFLOW_ENVIRONMENT[w.name]);
      expect(Object.keys(w.tasks).length, w.name).toBeGreaterThan(0);
      expect(WORKFLOW_PROGRAMMES[w.name], w.name).toBe(w.programme);
    }
  });

  it('has every workflow published in the lock file, each at the version its runs record', () => {
    const lock = readLock();
    for (const w of WORKFLOW_REGISTRY) expect(versionOf(lock, w.name, w.programme), w.name).toEqual({ version: 1, published: true });
  });

  it('has a local resume for every workflow', () => {
    for (const w of WORKFLOW_REGISTRY) expect(RESUMERS[w.name], w.name).toBeTypeOf('function');
  });
});

describe('the programme version a run starts on', () => {
  it('is read from each workflow’s version variable, and a bad value fails naming the variable', () => {
    expect(programmeVersionsFrom({ FUNNEL_PROGRAMME_VERSION: '3', ONBOARDING_PROGRAMME_VERSION: '1' })).toEqual({ LeadFunnel: 3, RepOnboarding: 1 });
    expect(programmeVersionsFrom({})).toEqual({});
    expect(() => programmeVersionsFrom({ FUNNEL_PROGRAMME_VERSION: 'two' })).toThrow(/FUNNEL_PROGRAMME_VERSION must be a positive integer/);
  });

  it('is added by the starter to the input of every workflow it starts', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    const starter = new StepFunctionsStarter(new SFNClient({}), { LeadFunnel: ARN('LeadFunnel'), RepOnboarding: ARN('RepOnboarding') }, { LeadFunnel: 4, RepOnboarding: 2 });
    await starter.start({ leadId: 'lead-1', run: 1, stage: 'awareness' });
    await starter.startRun('RepOnboarding', 'rep-1', { repId: 'rep-1', run: 3 });
    expect(inputOf(0)).toEqual({ leadId: 'lead-1', run: 1, stage: 'awareness', version: 4 });
    expect(inputOf(1)).toEqual({ repId: 'rep-1', run: 3, version: 2 });
    expect(starter.programmeVersion('RepOnboarding')).toBe(2);
  });

  it('is the current one, not a version an older run passed along', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    const starter = new StepFunctionsStarter(new SFNClient({}), { RepOnboarding: ARN('RepOnboarding') }, { RepOnboarding: 5 });
    await starter.startRun('RepOnboarding', 'rep-1', { repId: 'rep-1', run: 4, version: 4 });
    expect(inputOf(0).version).toBe(5);
  });

  it('is recorded on the lead’s workflow_started entry', async () => {
    class VersionedStarter extends RecordingStarter {
      programmeVersion = (workflow: WorkflowName) => (workflow === 'LeadFunnel' ? 7 : undefined);
    }
    const store = new InMemoryLeadStore();
    const lead = aLead({ leadId: 'lead-1', run: 2, stage: 'interest' });
    await store.create(lead, []);
    await ensureCurrentRun({ store, starter: new VersionedStarter(), clock: fixedClock('2026-03-01T09:00:00.000Z'), ids: sequentialIds() }, lead);
    const [started] = await store.timeline('lead-1');
    expect(started).toMatchObject({ type: 'workflow_started', data: { run: 2, stage: 'interest', execution: 'lead-1-r2', version: 7 } });
    expect(started!.summary).toContain('programme version 7');
  });
});
