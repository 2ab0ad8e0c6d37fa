/**
 * The RepOnboarding state machine: one run per rep per piece of progress (`<repId>-r<run>`), built on
 * the workflow engine. A short loop — plan the next thing from the rep's state, wait until then (a
 * TimestampPath wait: a due date, a business-hours opening, an expiry), do what is due, plan again —
 * and nothing polls: a completion, a reset or a sign-off starts the next run at once, and every task
 * of the older run is superseded. JSONPath only: the local runtime runs this very definition.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { OnboardingProgramme } from '../functions/core/learning.js';
import { WorkflowEngine } from './engine/builder.js';
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
    const { onboardingStep, recordFailure } = props.functions;
    const engine = new WorkflowEngine(this, {
      workflow: 'RepOnboarding',
      subjectField: 'repId',
      // No send steps: every email goes through the act task's calls to the chokepoint.
      functions: { sendEmail: onboardingStep, recordFailure, onboardingStep },
      taskTimeout: props.taskTimeout ?? Duration.seconds(60),
      version: this.version,
    });

    // The act may start the rep's next run (a recertification cycle) of this very machine: its ARN
    // travels from the context object, as an environment variable would make a dependency cycle.
    const self = { stateMachineArn: sfn.JsonPath.stringAt('$$.StateMachine.Id'), version: this.version };
    const plan = engine.task('Plan the next step', onboardingStep, { op: 'plan', ...self }, { resultPath: '$.plan', keep: ['action', 'at'] });
    const anything = engine.choice('Anything left to do?', 'Nothing left: the run ends; progress (a completion, reset or sign-off) starts the next run.');
    const act = engine.task('Do what is due', onboardingStep, { op: 'act', ...self });
    // The engine's wait-until step: a TimestampPath wait on the planned time.
    const waitThenAct = engine.sequence('Onboarding', [{ kind: 'waitUntil', id: 'the planned time', at: 'plan.at' }], act);
    const done = engine.succeed('Nothing left to do', 'Waiting for progress, a sign-off or the next certification cycle (each starts a new run).');

    plan.next(anything);
    anything.when(sfn.Condition.stringEquals('$.plan.action', 'act'), waitThenAct).otherwise(done);
    act.next(plan);

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${id}-${this.node.addr.slice(0, 8)}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(plan),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: `A rep through onboarding and training: welcome, daily reminder digests in business hours, escalation, sign-off, certification cycles. Programme version ${this.version}.`,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    (this.stateMachine.node.defaultChild as sfn.CfnStateMachine).overrideLogicalId(id);
  }
}
