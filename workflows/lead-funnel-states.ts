/**
 * The LeadFunnel's own short graph on the workflow engine: enter at the lead's stage, each stage's
 * programme (data), the hand-off to a rep with its SLA ladder, the recycle nurture, won.
 */
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { STAGES, type Stage } from '../functions/core/model.js';
import type { WorkflowEngine } from './engine/builder.js';
import type { FunnelProgramme } from './programmes/types.js';

export interface LeadFunnelTaskFunctions {
  readonly sendEmail: IFunction;
  readonly assignRep: IFunction;
  readonly checkRepContact: IFunction;
  readonly setLeadStatus: IFunction;
  readonly recordFailure: IFunction;
  /** Picks an A/B arm; needed once a stage has a split step. */
  readonly chooseArm?: IFunction;
}

const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The whole graph; its first state is `Enter stage`. */
export function leadFunnelGraph(engine: WorkflowEngine, functions: LeadFunnelTaskFunctions, programme: FunnelProgramme): sfn.IChainable {
  const recycle = recycleNurture(engine, functions, programme);
  const stage = (s: Stage, then: sfn.IChainable) => engine.sequence(title(s), programme.stages[s], then);
  // Built in the order a lead meets them, so state numbering and names read forwards.
  const entries: Record<Stage, sfn.IChainable> = {
    awareness: stage('awareness', recycle),
    interest: stage('interest', recycle),
    consideration: stage('consideration', recycle),
    decision: handOff(engine, functions, programme, stage('decision', recycle)),
    purchase: stage('purchase', engine.succeed('Won')),
  };
  return engine.entry('Enter stage', '$.stage', Object.fromEntries(STAGES.map((s) => [s, entries[s]])), {
    comment: 'A run starts at the lead’s current stage (a stage change starts a new run).',
    unknown: { name: 'Unknown stage', error: 'UnknownStage', cause: 'The input names no funnel stage.' },
  });
}

/**
 * Hand-off: assign a rep (or queue), give them the SLA, walk the SLA ladder on a miss, then the
 * programme. AssignRep says what comes next; the ladder is bounded, so every path reaches the
 * programme once the rep makes contact or the escalation has been sent.
 */
function handOff(engine: WorkflowEngine, functions: LeadFunnelTaskFunctions, programme: FunnelProgramme, nurture: sfn.IChainable): sfn.IChainable {
  const { slaHours, queueRetryHours, escalateAfterMisses } = programme.handoff;
  // The hand-off settings travel in the payload, so the SLA the rep is told is the one the
  // state machine waits for (a deploy-time slaHours override changes both).
  const assign = (name: string, reason: string) =>
    engine.task(name, functions.assignRep, { reason, slaHours, escalateAfterMisses }, { resultPath: '$.assignment', keep: ['next'] });

  const first = assign('Decision: assign a rep', 'decision');
  const afterAssignment = engine.choice('SLA: watch, queue or nurture?',
    'AssignRep decides: watch the new owner’s SLA, wait for a free rep, or (ladder ended) go on with the programme.');
  const queueWait = engine.wait(`Decision: wait ${hours(queueRetryHours)} for a free rep`, { hours: queueRetryHours });
  const fromQueue = assign('Decision: assign a rep from the queue', 'queue-retry');
  const slaWait = engine.wait(`SLA: wait ${hours(slaHours)} for rep contact`, { hours: slaHours });
  const check = engine.task('SLA: check rep contact', functions.checkRepContact, {}, { resultPath: '$.contact', keep: ['contacted'] });
  const contacted = engine.choice('Rep contacted?');
  const onMiss = assign('SLA: reassign or escalate after a miss', 'sla-miss');
  const unknown = engine.fail('Unknown assignment outcome', 'UnknownAssignmentOutcome', 'AssignRep answered with no next step this state machine knows.');

  first.next(afterAssignment);
  afterAssignment
    .when(sfn.Condition.stringEquals('$.assignment.next', 'watch-sla'), slaWait)
    .when(sfn.Condition.stringEquals('$.assignment.next', 'queue'), queueWait)
    .when(sfn.Condition.stringEquals('$.assignment.next', 'nurture'), nurture)
    .otherwise(unknown);
  queueWait.next(fromQueue);
  fromQueue.next(afterAssignment);
  slaWait.next(check);
  check.next(contacted);
  contacted.when(sfn.Condition.booleanEquals('$.contact.contacted', true), nurture).otherwise(onMiss);
  onMiss.next(afterAssignment);
  return first;
}

/** Slow long-term nurture for leads that ran out of their stage's programme, then dormant. */
function recycleNurture(engine: WorkflowEngine, functions: LeadFunnelTaskFunctions, programme: FunnelProgramme): sfn.IChainable {
  const status = (name: string, value: 'recycled' | 'dormant') => engine.task(name, functions.setLeadStatus, { status: value });
  const mark = status('Recycle: mark lead recycled', 'recycled');
  const dormant = status('Close as dormant', 'dormant');
  mark.next(engine.sequence('Recycle', programme.recycle, dormant));
  dormant.next(engine.succeed('Dormant'));
  return mark;
}

const hours = (n: number) => `${n} hour${n === 1 ? '' : 's'}`;
