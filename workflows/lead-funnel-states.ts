/**
 * Builds the LeadFunnel's states from programme data. Kept apart from the construct so the shape of
 * the process (what follows what) reads in one place, and the error handling every Task shares is
 * written once.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { STAGES, type Stage } from '../functions/core/model.js';
import type { FunnelProgramme, ProgrammeStep } from './programmes/types.js';

export interface LeadFunnelTaskFunctions {
  readonly sendEmail: IFunction;
  readonly assignRep: IFunction;
  readonly checkRepContact: IFunction;
  readonly setLeadStatus: IFunction;
  readonly recordFailure: IFunction;
}

/** Step Functions rejects longer state names. */
export const MAX_STATE_NAME = 80;
export const SUPERSEDED_ERROR = 'SupersededError';

/** Transient Lambda service failures: worth retrying with backoff before the task's own errors. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "3 days", "12 hours", "1 day 6 hours". */
export function describeWait(step: { days?: number; hours?: number }): string {
  const part = (n: number | undefined, unit: string) => (n ? `${n} ${unit}${n === 1 ? '' : 's'}` : '');
  return [part(step.days, 'day'), part(step.hours, 'hour')].filter(Boolean).join(' ');
}

const waitSeconds = (step: { days?: number; hours?: number }) =>
  Math.round((step.days ?? 0) * 86_400 + (step.hours ?? 0) * 3_600);

export class FunnelStateBuilder {
  private readonly names = new Set<string>();
  private readonly superseded: sfn.Succeed;
  private readonly recordFailure: tasks.LambdaInvoke;

  constructor(
    private readonly scope: Construct,
    private readonly functions: LeadFunnelTaskFunctions,
    private readonly programme: FunnelProgramme,
    private readonly taskTimeout: Duration,
  ) {
    this.superseded = new sfn.Succeed(scope, this.claim('Superseded by a newer run'), {
      comment: 'A newer run of this lead owns its nurturing now; this one ends quietly.',
    });
    const failed = new sfn.Fail(scope, this.claim('Failed'), {
      error: 'LeadFunnelFailed',
      cause: 'A task failed after its retries; the failure is on the lead timeline.',
    });
    const notRecorded = new sfn.Fail(scope, this.claim('Failed without a timeline entry'), {
      error: 'LeadFunnelFailureNotRecorded',
      cause: 'A task failed and recording the failure failed too; see the execution history.',
    });
    this.recordFailure = this.invoke('Record failure', functions.recordFailure, {
      leadId: sfn.JsonPath.stringAt('$.leadId'),
      run: sfn.JsonPath.numberAt('$.run'),
      error: sfn.JsonPath.stringAt('$.failure.Error'),
      cause: sfn.JsonPath.stringAt('$.failure.Cause'),
    }, { resultPath: sfn.JsonPath.DISCARD });
    this.withErrorHandling(this.recordFailure, notRecorded);
    this.recordFailure.next(failed);
  }

  /** The whole graph; its first state is `Enter stage`. */
  build(): sfn.IChainable {
    const recycle = this.recycle();
    const entries: Record<Stage, sfn.IChainable> = {
      awareness: this.sequence('Awareness', this.programme.stages.awareness, recycle),
      interest: this.sequence('Interest', this.programme.stages.interest, recycle),
      consideration: this.sequence('Consideration', this.programme.stages.consideration, recycle),
      decision: this.decision(this.sequence('Decision', this.programme.stages.decision, recycle)),
      purchase: this.sequence('Purchase', this.programme.stages.purchase, new sfn.Succeed(this.scope, this.claim('Won'))),
    };
    const enter = new sfn.Choice(this.scope, this.claim('Enter stage'), {
      comment: 'A run starts at the lead’s current stage (a stage change starts a new run).',
    });
    for (const stage of STAGES) enter.when(sfn.Condition.stringEquals('$.stage', stage), entries[stage]);
    enter.otherwise(new sfn.Fail(this.scope, this.claim('Unknown stage'), { error: 'UnknownStage', cause: 'The input names no funnel stage.' }));
    return enter;
  }

  /** Reserves a state name: unique and short enough, or synth fails naming it. */
  private claim(name: string): string {
    if (name.length > MAX_STATE_NAME) throw new Error(`LeadFunnel state name longer than ${MAX_STATE_NAME} characters: "${name}"`);
    if (this.names.has(name)) throw new Error(`LeadFunnel state name used twice: "${name}"`);
    this.names.add(name);
    return name;
  }

  /** A name for a step that may repeat within its stage (two equal waits): numbered from the second. */
  private claimNumbered(base: string): string {
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base} (${i})`;
    return this.claim(name);
  }

  private invoke(name: string, fn: IFunction, payload: Record<string, unknown>, result: { resultPath: string; resultSelector?: Record<string, unknown> }) {
    return new tasks.LambdaInvoke(this.scope, name.replace(/\//g, '-'), {
      stateName: this.claim(name),
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject(payload),
      resultSelector: result.resultSelector,
      resultPath: result.resultPath,
      // Our own retriers below, so that SupersededError is never retried and the order is explicit.
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(this.taskTimeout),
    });
  }

  private withErrorHandling(task: tasks.LambdaInvoke, onFailure: sfn.IChainable) {
    task.addRetry({ errors: [SUPERSEDED_ERROR], maxAttempts: 0 });
    task.addRetry({
      errors: LAMBDA_SERVICE_ERRORS,
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    task.addRetry({
      errors: [sfn.Errors.ALL],
      interval: Duration.seconds(3),
      maxAttempts: 3,
      backoffRate: 2,
      // Runs that failed together (a dependency down for everyone) would otherwise retry in lockstep.
      jitterStrategy: sfn.JitterType.FULL,
    });
    task.addCatch(this.superseded, { errors: [SUPERSEDED_ERROR] });
    task.addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
    return task;
  }

  /** A funnel task: the lead's id and run always travel with it (a stale run throws SupersededError). */
  private task(name: string, fn: IFunction, extra: Record<string, unknown>, resultPath: string, selected: string) {
    const task = this.invoke(
      name,
      fn,
      { leadId: sfn.JsonPath.stringAt('$.leadId'), run: sfn.JsonPath.numberAt('$.run'), ...extra },
      // Only the field the next Choice reads: the input ($.leadId/$.run/$.stage) survives untouched.
      { resultPath, resultSelector: { [selected]: sfn.JsonPath.stringAt(`$.Payload.${selected}`) } },
    );
    return this.withErrorHandling(task, this.recordFailure);
  }

  private wait(name: string, seconds: number) {
    return new sfn.Wait(this.scope, name.replace(/\//g, '-'), { stateName: name, time: sfn.WaitTime.duration(Duration.seconds(seconds)) });
  }

  /** A programme's steps in order, then `then`. Names are fixed first so numbering reads forward. */
  private sequence(label: string, steps: ProgrammeStep[], then: sfn.IChainable): sfn.IChainable {
    let sends = 0;
    const planned = steps.map((step) => {
      if (step.kind === 'wait') return { step, name: this.claimNumbered(`${label}: wait ${describeWait(step)}`) };
      const n = ++sends;
      return {
        step,
        name: `${label}: send ${n} (${step.id})`, // claimed when its task is made
        deferred: this.claim(`${label}: ${n} deferred?`),
        capWait: this.claim(`${label}: wait for cap ${n}`),
      };
    });
    let next = then;
    for (const p of planned.reverse()) {
      if (p.step.kind === 'wait') {
        next = this.wait(p.name, waitSeconds(p.step)).next(next);
        continue;
      }
      const send = this.task(p.name, this.functions.sendEmail, {
        stage: sfn.JsonPath.stringAt('$.stage'),
        stepId: p.step.id,
        template: p.step.template,
        category: p.step.category,
      }, '$.send', 'outcome');
      const capWait = this.wait(p.capWait!, this.programme.capRetryHours * 3_600).next(send);
      send.next(
        new sfn.Choice(this.scope, p.deferred!.replace(/\//g, '-'), { stateName: p.deferred! })
          .when(sfn.Condition.stringEquals('$.send.outcome', 'deferred'), capWait)
          .otherwise(next),
      );
      next = send;
    }
    return next;
  }

  /**
   * Hand-off: assign a rep (or queue), give them the SLA, walk the SLA ladder on a miss, then the
   * programme. AssignRep says what comes next; the ladder is bounded, so every path reaches the
   * programme once the rep makes contact or the escalation has been sent.
   */
  private decision(programme: sfn.IChainable): sfn.IChainable {
    const { slaHours, queueRetryHours, escalateAfterMisses } = this.programme.handoff;
    // The hand-off settings travel in the payload, so the SLA the rep is told is the one the
    // state machine waits for (a deploy-time slaHours override changes both).
    const assign = (name: string, reason: string) =>
      this.task(name, this.functions.assignRep, { reason, slaHours, escalateAfterMisses }, '$.assignment', 'next');

    const first = assign('Decision: assign a rep', 'decision');
    const afterAssignment = new sfn.Choice(this.scope, this.claim('SLA: watch, queue or nurture?'), {
      comment: 'AssignRep decides: watch the new owner’s SLA, wait for a free rep, or (ladder ended) go on with the programme.',
    });
    const queueWait = this.wait(this.claim(`Decision: wait ${describeWait({ hours: queueRetryHours })} for a free rep`), queueRetryHours * 3_600);
    const fromQueue = assign('Decision: assign a rep from the queue', 'queue-retry');
    const slaWait = this.wait(this.claim(`SLA: wait ${describeWait({ hours: slaHours })} for rep contact`), slaHours * 3_600);
    const check = this.task('SLA: check rep contact', this.functions.checkRepContact, {}, '$.contact', 'contacted');
    const contacted = new sfn.Choice(this.scope, this.claim('Rep contacted?'));
    const onMiss = assign('SLA: reassign or escalate after a miss', 'sla-miss');
    const unknown = new sfn.Fail(this.scope, this.claim('Unknown assignment outcome'), {
      error: 'UnknownAssignmentOutcome',
      cause: 'AssignRep answered with no next step this state machine knows.',
    });

    first.next(afterAssignment);
    afterAssignment
      .when(sfn.Condition.stringEquals('$.assignment.next', 'watch-sla'), slaWait)
      .when(sfn.Condition.stringEquals('$.assignment.next', 'queue'), queueWait)
      .when(sfn.Condition.stringEquals('$.assignment.next', 'nurture'), programme)
      .otherwise(unknown);
    queueWait.next(fromQueue);
    fromQueue.next(afterAssignment);
    slaWait.next(check);
    check.next(contacted);
    contacted.when(sfn.Condition.booleanEquals('$.contact.contacted', true), programme).otherwise(onMiss);
    onMiss.next(afterAssignment);
    return first;
  }

  /** Slow long-term nurture for leads that ran out of their stage's programme, then dormant. */
  private recycle(): sfn.IChainable {
    const status = (name: string, value: 'recycled' | 'dormant') =>
      this.task(name, this.functions.setLeadStatus, { status: value }, '$.statusChange', 'status');
    const dormant = status('Close as dormant', 'dormant').next(new sfn.Succeed(this.scope, this.claim('Dormant')));
    const nurture = this.sequence('Recycle', this.programme.recycle, dormant);
    return status('Recycle: mark lead recycled', 'recycled').next(nurture);
  }
}
