/**
 * WorkflowStarter over Step Functions. Executions are named executionName(leadId, run), so a
 * second StartExecution of a run is refused by Step Functions itself (Standard: 90 days) — that
 * refusal is the idempotency, not a lookup beforehand.
 */
import { StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { executionName, type FunnelInput } from '../core/model.js';
import type { StartOutcome, WorkflowStarter } from '../core/ports.js';
import { logger } from '../shared/logger.js';

/** arn:aws:states:<region>:<account>:stateMachine:<Name> → arn:…:execution:<Name>:<execution> */
export function executionArn(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length !== 7 || parts[5] !== 'stateMachine') throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  parts[5] = 'execution';
  return `${parts.join(':')}:${name}`;
}

export class StepFunctionsStarter implements WorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: FunnelInput): Promise<StartOutcome> {
    const { leadId, run, stage } = input;
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: executionName(leadId, run),
          input: JSON.stringify({ leadId, run, stage }),
        }),
      );
      return 'started';
    } catch (err) {
      if ((err as Error)?.name === 'ExecutionAlreadyExists') return 'already-exists';
      throw err;
    }
  }

  async stop(leadId: string, run: number, reason: string): Promise<void> {
    try {
      await this.client.send(
        new StopExecutionCommand({
          executionArn: executionArn(this.stateMachineArn, executionName(leadId, run)),
          cause: reason.slice(0, 32_000),
        }),
      );
    } catch (err) {
      // Never started, or already ended: either way the run is not running, which is what we wanted.
      if ((err as Error)?.name === 'ExecutionDoesNotExist') return;
      // Stopping only ends the old run sooner: its tasks are superseded by the newer run anyway
      // (SupersededError), so a failed stop must not fail the stage change that needed it.
      logger.warn('Could not stop a superseded funnel execution', { leadId, run, error: err as Error });
    }
  }
}
