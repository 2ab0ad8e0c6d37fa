/**
 * The CustomerRetention state machine: one run per customer per contract term (`<customerId>-r<run>`;
 * a renewal, a cancellation's win-back, an NPS answer or a crossing into at risk starts the next one),
 * built on the workflow engine's plan → wait until → act loop like RepOnboarding. The schedule is the
 * customer's own: check-ins count from the term's start date, renewal reminders back from its renewal
 * date, computed at run time (core/retention.ts). JSONPath only: the local runtime runs this definition.
 */
import type { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RetentionProgramme } from '../functions/core/retention.js';
import { planActMachine } from './engine/plan-act.js';
import { parseRetentionProgramme } from './programmes/retention-schema.js';
import { programmeVersion } from './versions.js';

export interface CustomerRetentionTaskFunctions {
  /** `{customerId, run, op: plan|act}`: plan answers `{action, at}`, act does what is due. */
  readonly retentionStep: IFunction;
  /** The engine's one catch: `{customerId, run, error, cause}` onto the customer's timeline. */
  readonly recordFailure: IFunction;
}

export interface CustomerRetentionProps {
  readonly functions: CustomerRetentionTaskFunctions;
  readonly programme: RetentionProgramme;
  readonly version?: number;
  readonly logRetention?: RetentionDays;
  readonly taskTimeout?: Duration;
}

export class CustomerRetention extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: LogGroup;
  readonly version: number;

  constructor(scope: Construct, id: string, props: CustomerRetentionProps) {
    super(scope, id);
    // The one validation of the programme, at synth, naming the path of a bad value.
    const programme = parseRetentionProgramme(props.programme);
    this.version = props.version ?? programmeVersion('CustomerRetention', programme);
    const built = planActMachine(this, id, {
      workflow: 'CustomerRetention',
      subjectField: 'customerId',
      step: props.functions.retentionStep,
      recordFailure: props.functions.recordFailure,
      version: this.version,
      label: 'Retention',
      choiceComment: 'Nothing left: the win-back ended; a purchase or a renewal starts the next run.',
      endComment: 'Waiting for a purchase (reactivation) or a renewal (each starts a new run).',
      comment: `A customer's contract term: check-ins, NPS with closed-loop follow-up, health checks, business reviews and renewal reminders; win-back after a cancellation. Programme version ${this.version}.`,
      logRetention: props.logRetention,
      taskTimeout: props.taskTimeout,
    });
    this.stateMachine = built.stateMachine;
    this.logGroup = built.logGroup;
  }
}
