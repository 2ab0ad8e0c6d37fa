/**
 * The plan → wait until → act loop, shared by every workflow whose schedule is computed from its subject
 * at run time (RepOnboarding: due dates and business hours; CustomerRetention: a contract's own term).
 * One task function answers `plan` ({action, at}) and does `act`; the machine waits on a TimestampPath
 * (the engine's wait-until step, run scaled by the local runtime) and loops. Nothing polls: what changes
 * the plan starts a new run, whose tasks supersede the old one's. JSONPath only: the local runtime runs
 * this very definition.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { WorkflowName } from '../../functions/core/model.js';
import { WorkflowEngine } from './builder.js';

export interface PlanActProps {
  workflow: WorkflowName;
  /** The input field naming the subject (`repId`, `customerId`). */
  subjectField: string;
  /** `{<subject>, run, op: plan|act, stateMachineArn, version}`: plan answers `{action, at}`, act does what is due. */
  step: IFunction;
  /** The engine's one catch: `{<subject>, run, error, cause}` onto the subject's timeline. */
  recordFailure: IFunction;
  version: number;
  /** The name of the wait sequence in the diagram ("Onboarding"). */
  label: string;
  /** What the choice says of the ending branch, and what the ending state says. */
  choiceComment: string;
  endComment: string;
  comment: string;
  logRetention?: RetentionDays;
  taskTimeout?: Duration;
}

export function planActMachine(scope: Construct, id: string, props: PlanActProps): { stateMachine: sfn.StateMachine; logGroup: LogGroup } {
  const { step, recordFailure } = props;
  const engine = new WorkflowEngine(scope, {
    workflow: props.workflow,
    subjectField: props.subjectField,
    // No send steps: every email goes through the act task's calls to the chokepoint.
    functions: { sendEmail: step, recordFailure, step },
    taskTimeout: props.taskTimeout ?? Duration.seconds(60),
    version: props.version,
  });
  // The act may start the subject's next run of this very machine: its ARN travels from the context
  // object, as an environment variable would make a dependency cycle.
  const self = { stateMachineArn: sfn.JsonPath.stringAt('$$.StateMachine.Id'), version: props.version };
  const plan = engine.task('Plan the next step', step, { op: 'plan', ...self }, { resultPath: '$.plan', keep: ['action', 'at'] });
  const anything = engine.choice('Anything left to do?', props.choiceComment);
  const act = engine.task('Do what is due', step, { op: 'act', ...self });
  // The engine's wait-until step: a TimestampPath wait on the planned time.
  const waitThenAct = engine.sequence(props.label, [{ kind: 'waitUntil', id: 'the planned time', at: 'plan.at' }], act);
  const done = engine.succeed('Nothing left to do', props.endComment);

  plan.next(anything);
  anything.when(sfn.Condition.stringEquals('$.plan.action', 'act'), waitThenAct).otherwise(done);
  act.next(plan);

  const logGroup = new LogGroup(scope, 'Logs', {
    logGroupName: `/aws/vendedlogs/states/${id}-${scope.node.addr.slice(0, 8)}`,
    retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    definitionBody: sfn.DefinitionBody.fromChainable(plan),
    stateMachineType: sfn.StateMachineType.STANDARD,
    comment: props.comment,
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
  });
  (stateMachine.node.defaultChild as sfn.CfnStateMachine).overrideLogicalId(id);
  return { stateMachine, logGroup };
}
