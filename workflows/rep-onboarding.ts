/**
 * The RepOnboarding state machine: one run per rep per piece of progress (`<repId>-r<run>`), built on
 * the workflow engine. A short loop — plan the next thing from the rep's state, wait until then (a
 * TimestampPath wait: a due date, a business-hours opening, an expiry), do what is due, plan again —
 * and nothing polls: a completion, a reset or a sign-off starts the next run at once, and every task
 * of the older run is superseded. JSONPath only: the local runtime runs this very definition.
 */
import type { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { OnboardingProgramme } from '../functions/core/learning.js';
import { planActMachine } from './engine/plan-act.js';
import { parseOnboardingProgramme } from './programmes/onboarding-schema.js';
import { programmeVersion } from './versions.js';

export interface RepOnboardingTaskFunctions {
  /** `{repId, run, op: plan|act}`: plan answers `{action, at}`, act does what is due. */
  readonly onboardingStep: IFunction;
  /** The engine's one catch: `{repId, run, error, cause}` onto the rep's timeline. */
  readonly recordFailure: IFunction;
}

export interface RepOnboardingProps {
  readonly functions: RepOnboardingTaskFunctions;
  readonly programme: OnboardingProgramme;
  readonly version?: number;
  readonly logRetention?: RetentionDays;
  readonly taskTimeout?: Duration;
}

export class RepOnboarding extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: LogGroup;
  readonly version: number;

  constructor(scope: Construct, id: string, props: RepOnboardingProps) {
    super(scope, id);
    // The one validation of the programme, at synth, naming the path of a bad value.
    const programme = parseOnboardingProgramme(props.programme);
    this.version = props.version ?? programmeVersion('RepOnboarding', programme);
    const built = planActMachine(this, id, {
      workflow: 'RepOnboarding',
      subjectField: 'repId',
      step: props.functions.onboardingStep,
      recordFailure: props.functions.recordFailure,
      version: this.version,
      label: 'Onboarding',
      choiceComment: 'Nothing left: the run ends; progress (a completion, reset or sign-off) starts the next run.',
      endComment: 'Waiting for progress, a sign-off or the next certification cycle (each starts a new run).',
      comment: `A rep through onboarding and training: welcome, daily reminder digests in business hours, escalation, sign-off, certification cycles. Programme version ${this.version}.`,
      logRetention: props.logRetention,
      taskTimeout: props.taskTimeout,
    });
    this.stateMachine = built.stateMachine;
    this.logGroup = built.logGroup;
  }
}
