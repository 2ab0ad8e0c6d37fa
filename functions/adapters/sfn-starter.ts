/**
 * The workflow starter over Step Functions, for every registered workflow: a run of a subject is the
 * execution named `<subjectId>-r<run>` of that workflow's state machine, so a second StartExecution of
 * a run is refused by Step Functions itself (Standard: 90 days) — that refusal is the idempotency, not
 * a lookup beforehand. Every input it starts carries `version`, the workflow's current programme
 * version, so each run records the version it started on. The LeadFunnel's own `start`/`stop` remain
 * as the funnel's port.
 */
import { StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { FunnelInput, WorkflowName } from '../core/model.js';
import type { StartOutcome, WorkflowInputs, WorkflowRuns, WorkflowStarter } from '../core/ports.js';
import { runExecutionName } from '../core/runs.js';
import { logger } from '../shared/logger.js';
import { programmeVersionsFrom } from './workflow-environment.js';

/** arn:aws:states:<region>:<account>:stateMachine:<Name> → arn:…:execution:<Name>:<execution> */
export function executionArn(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length !== 7 || parts[5] !== 'stateMachine') throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  parts[5] = 'execution';
  return `${parts.join(':')}:${name}`;
}

/** The state machine ARN of each workflow a handler may start or stop (from its environment). */
export type WorkflowArns = Partial<Record<WorkflowName, string>>;
/** The current programme version of each workflow (WORKFLOW_ENVIRONMENT's version variables). */
export type ProgrammeVersions = Partial<Record<WorkflowName, number>>;

export class StepFunctionsStarter implements WorkflowStarter, WorkflowRuns {
  private readonly arns: WorkflowArns;

  /**
   * `arns`: the ARN of each workflow; a bare string is the LeadFunnel's. `versions`: what runs record,
   * read once from the environment the stack set from the registry unless given.
   */
  constructor(
    private readonly client: SFNClient,
    arns: string | WorkflowArns,
    private readonly versions: ProgrammeVersions = programmeVersionsFrom(process.env),
  ) {
    this.arns = typeof arns === 'string' ? { LeadFunnel: arns } : arns;
  }

  programmeVersion(workflow: WorkflowName): number | undefined {
    return this.versions[workflow];
  }

  start(input: FunnelInput): Promise<StartOutcome> {
    const { leadId, run, stage } = input;
    return this.startRun('LeadFunnel', leadId, { leadId, run, stage });
  }

  stop(leadId: string, run: number, reason: string): Promise<void> {
    return this.stopRun('LeadFunnel', leadId, run, reason);
  }

  async startRun<W extends WorkflowName>(workflow: W, subjectId: string, input: WorkflowInputs[W]): Promise<StartOutcome> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.arnOf(workflow),
          name: runExecutionName(subjectId, input.run),
          input: JSON.stringify(this.withVersion(workflow, input)),
        }),
      );
      return 'started';
    } catch (err) {
      if ((err as Error)?.name === 'ExecutionAlreadyExists') return 'already-exists';
      throw err;
    }
  }

  async stopRun(workflow: WorkflowName, subjectId: string, run: number, reason: string): Promise<void> {
    try {
      await this.client.send(
        new StopExecutionCommand({
          executionArn: executionArn(this.arnOf(workflow), runExecutionName(subjectId, run)),
          cause: reason.slice(0, 32_000),
        }),
      );
    } catch (err) {
      // Never started, or already ended: either way the run is not running, which is what we wanted.
      if ((err as Error)?.name === 'ExecutionDoesNotExist') return;
      // Stopping only ends the old run sooner: its tasks are superseded by the newer run anyway
      // (SupersededError), so a failed stop must not fail the change that needed it.
      logger.warn('Could not stop a superseded execution', { workflow, subjectId, run, error: err as Error });
    }
  }

  /** The input with the workflow's current programme version (what the run records it started on). */
  private withVersion<W extends WorkflowName>(workflow: W, input: WorkflowInputs[W]): WorkflowInputs[W] {
    const version = this.versions[workflow];
    return version === undefined ? input : { ...input, version };
  }

  private arnOf(workflow: WorkflowName): string {
    const arn = this.arns[workflow];
    if (!arn) throw new Error(`no state machine ARN configured for ${workflow}`);
    return arn;
  }
}

/**
 * What requests and tasks start runs with: starting is queued (the subject's stored write already put its
 * run in the run outbox, core/run-outbox.ts, and StartRuns starts it, paced to the quota), stopping is
 * immediate. So no request waits on, or fails with, a throttled StartExecution.
 */
export class QueuedStarts implements WorkflowStarter, WorkflowRuns {
  constructor(private readonly stepFunctions: StepFunctionsStarter) {}

  programmeVersion(workflow: WorkflowName): number | undefined {
    return this.stepFunctions.programmeVersion(workflow);
  }

  async start(): Promise<StartOutcome> {
    return 'queued';
  }

  async startRun(): Promise<StartOutcome> {
    return 'queued';
  }

  stop(leadId: string, run: number, reason: string): Promise<void> {
    return this.stepFunctions.stop(leadId, run, reason);
  }

  stopRun(workflow: WorkflowName, subjectId: string, run: number, reason: string): Promise<void> {
    return this.stepFunctions.stopRun(workflow, subjectId, run, reason);
  }
}
