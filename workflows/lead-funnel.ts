/**
 * The LeadFunnel state machine: one run per lead per stage entry (`<leadId>-r<run>`), its states
 * generated from programme data so adding an email is a data change. JSONPath only, and only static
 * waits: the local runtime interprets this very definition and scales static waits by its clock.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { STAGES } from '../functions/core/model.js';
import { FunnelStateBuilder, type LeadFunnelTaskFunctions } from './lead-funnel-states.js';
import type { FunnelProgramme, ProgrammeStep } from './programmes/types.js';

export type { LeadFunnelTaskFunctions } from './lead-funnel-states.js';

export interface LeadFunnelProps {
  readonly functions: LeadFunnelTaskFunctions;
  readonly programme: FunnelProgramme;
  readonly logRetention?: RetentionDays;
  /** Longer than any task Lambda's own timeout, so a slow function fails as itself first. */
  readonly taskTimeout?: Duration;
}

export class LeadFunnel extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: LeadFunnelProps) {
    super(scope, id);
    checkProgrammeShape(props.programme);
    const states = new FunnelStateBuilder(this, props.functions, props.programme, props.taskTimeout ?? Duration.seconds(60));

    this.logGroup = new LogGroup(this, 'Logs', {
      // The vendedlogs prefix keeps CloudWatch's resource policy small however many log groups exist.
      logGroupName: `/aws/vendedlogs/states/${id}-${this.node.addr.slice(0, 8)}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(states.build()),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'A lead through its current stage: nurture emails, hand-off to a rep, recycle, won.',
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    (this.stateMachine.node.defaultChild as sfn.CfnStateMachine).overrideLogicalId(id);
  }
}

/**
 * What the state machine itself relies on. The programme module validates its data in full; these
 * checks keep the construct safe with any programme handed to it (tests pass their own).
 */
function checkProgrammeShape(programme: FunnelProgramme) {
  const problems: string[] = [];
  const checkSteps = (where: string, steps: ProgrammeStep[] | undefined) => {
    if (!Array.isArray(steps)) return problems.push(`${where}: missing`);
    const ids = new Set<string>();
    steps.forEach((step, i) => {
      if (step.kind === 'send') {
        if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(step.id ?? '')) problems.push(`${where}[${i}].id: "${step.id}" is not a plain id`);
        if (ids.has(step.id)) problems.push(`${where}[${i}].id: duplicate send id "${step.id}"`);
        ids.add(step.id);
      } else if (step.kind === 'wait') {
        const seconds = (step.days ?? 0) * 86_400 + (step.hours ?? 0) * 3_600;
        if (!(seconds >= 1) || (step.days ?? 0) < 0 || (step.hours ?? 0) < 0) problems.push(`${where}[${i}]: a wait needs a positive number of days or hours`);
      } else {
        problems.push(`${where}[${i}]: unknown step kind "${(step as { kind?: unknown }).kind}"`);
      }
    });
    return problems.length;
  };
  for (const stage of STAGES) checkSteps(`stages.${stage}`, programme.stages?.[stage]);
  checkSteps('recycle', programme.recycle);
  const positive = (where: string, n: unknown) => {
    if (typeof n !== 'number' || !(n > 0)) problems.push(`${where}: must be a positive number`);
  };
  positive('handoff.slaHours', programme.handoff?.slaHours);
  positive('handoff.queueRetryHours', programme.handoff?.queueRetryHours);
  positive('capRetryHours', programme.capRetryHours);
  if (problems.length) throw new Error(`LeadFunnel: invalid programme — ${problems.join('; ')}`);
}
