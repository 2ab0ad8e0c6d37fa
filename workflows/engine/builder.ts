/**
 * The one state builder every workflow is generated with. A workflow is programme data (lists of
 * steps, engine/steps.ts) plus a short graph of its own (the funnel's hand-off ladder) written with the
 * same primitives, so every Task shares one error policy and every state name reads like the process.
 *
 * Error policy, for every Task: a timeout; SupersededError and SendDeferred never retried (they are
 * control flow: a newer run owns the subject; the frequency cap or the send window said "later");
 * SendThrottled (SES or the send-rate ceiling said "not now") retried for hours with backoff and jitter;
 * Lambda service errors, DynamoDB throttling and then anything else retried with backoff and full
 * jitter (each with its own attempts); SupersededError ends the run quietly, SendDeferred waits until
 * the time the deferral names (the cap frees, business hours open) and tries the send again, anything
 * else is recorded on the subject's timeline by one RecordFailure task and fails the run.
 *
 * A send step is one billed transition on the happy path (Task → next state): the deferral is an error
 * the task throws, not an outcome a Choice has to look at. Its message is the time the send may go;
 * the error's Cause is Lambda's JSON error document, so a Pass parses it and a TimestampPath Wait
 * reads `errorMessage` (a deferral costs the failed task, the Pass and the Wait).
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { describeSpan, spanSeconds, type Span, type Step } from './steps.js';

/** Step Functions rejects longer state names. */
export const MAX_STATE_NAME = 80;
export const SUPERSEDED_ERROR = 'SupersededError';
export const SEND_DEFERRED_ERROR = 'SendDeferred';
export const SEND_THROTTLED_ERROR = 'SendThrottled';

/**
 * An email SES (over the account's sending rate) or the system's send-rate ceiling did not take: the
 * chokepoint gave its claim back, so trying again sends it once. Retried for hours rather than failed:
 * waits from 1 s doubling to at most 2 minutes, each drawn at random up to its cap (FULL jitter, so a
 * burst of throttled runs spreads out instead of returning together); 200 attempts are about 3 hours
 * on average (at most about 6.5). Retries cost transitions only on this unhappy path.
 */
export const SEND_THROTTLED_RETRY: sfn.RetryProps = {
  errors: [SEND_THROTTLED_ERROR],
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxDelay: Duration.minutes(2),
  maxAttempts: 200,
  jitterStrategy: sfn.JitterType.FULL,
};

/** Transient Lambda service failures: worth retrying with backoff before the task's own errors. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

/**
 * DynamoDB throttling that outlasted the SDK's own retries (a throttled transaction arrives as
 * ThrottlingException, functions/shared/dynamodb-throttling.ts). Nothing was written, so the task runs
 * again; throttling can last a while (a hot key, on-demand scaling), so it gets more and longer waits
 * than the catch-all: about two minutes in all, each wait drawn at random up to its cap.
 */
export const DYNAMODB_THROTTLING_ERRORS = ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'];

export interface EngineFunctions {
  /** The send chokepoint: `{<subject>, run, stage, stepId, template, category, version, window?}`; throws SendDeferred with the ISO time it may go as its message. */
  readonly sendEmail: IFunction;
  /** The one catch: `{<subject>, run, error, cause}`. */
  readonly recordFailure: IFunction;
  /** Split arms: `{<subject>, run, workflow, splitId, arms}` → `{arm}`. Needed only by programmes with a split. */
  readonly chooseArm?: IFunction;
  readonly [task: string]: IFunction | undefined;
}

export interface WorkflowEngineProps {
  /** The state machine's name, in errors and in the ChooseArm payload (`LeadFunnel`). */
  readonly workflow: string;
  /** The field of the input naming the subject (`leadId`, `repId`); every task receives it with `run`. */
  readonly subjectField: string;
  readonly functions: EngineFunctions;
  /** Longer than any task Lambda's own timeout, so a slow function fails as itself first. */
  readonly taskTimeout: Duration;
  /** The programme version the definition is generated from (programmes.lock.json); sends carry it. */
  readonly version: number;
  /** Static payload fields the send task also gets from the input (`stage`). */
  readonly sendContext?: Record<string, string>;
}

/** Open edges of a fragment: each is called once with whatever comes next. */
type Exit = (next: sfn.IChainable) => void;
interface Fragment {
  start: sfn.IChainable;
  exits: Exit[];
}

const camel = (id: string) => id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export class WorkflowEngine {
  private readonly names = new Set<string>();
  private readonly superseded: sfn.Succeed;
  private readonly recordFailure: tasks.LambdaInvoke;

  constructor(
    private readonly scope: Construct,
    private readonly props: WorkflowEngineProps,
  ) {
    this.superseded = new sfn.Succeed(scope, this.claim('Superseded by a newer run'), {
      comment: 'A newer run of this subject owns its workflow now; this one ends quietly.',
    });
    const failed = new sfn.Fail(scope, this.claim('Failed'), {
      error: `${props.workflow}Failed`,
      cause: 'A task failed after its retries; the failure is on the timeline.',
    });
    const notRecorded = new sfn.Fail(scope, this.claim('Failed without a timeline entry'), {
      error: `${props.workflow}FailureNotRecorded`,
      cause: 'A task failed and recording the failure failed too; see the execution history.',
    });
    this.recordFailure = this.invoke('Record failure', props.functions.recordFailure, {
      ...this.subject(),
      error: sfn.JsonPath.stringAt('$.failure.Error'),
      cause: sfn.JsonPath.stringAt('$.failure.Cause'),
    }, { resultPath: sfn.JsonPath.DISCARD });
    this.withErrorPolicy(this.recordFailure, notRecorded);
    this.recordFailure.next(failed);
  }

  /** The first state: a Choice on the entry point of the run (`$.stage`, `$.entry`). */
  entry(
    name: string,
    field: string,
    entries: Record<string, sfn.IChainable>,
    options: { comment?: string; unknown?: { name: string; error: string; cause: string } } = {},
  ): sfn.Choice {
    const choice = new sfn.Choice(this.scope, this.claim(name), { comment: options.comment });
    for (const [value, target] of Object.entries(entries)) choice.when(sfn.Condition.stringEquals(field, value), target);
    const unknown = options.unknown ?? { name: 'Unknown entry point', error: 'UnknownEntryPoint', cause: `The input's ${field} names no entry point of ${this.props.workflow}.` };
    choice.otherwise(this.fail(unknown.name, unknown.error, unknown.cause));
    return choice;
  }

  /** Reserves a state name: unique and short enough, or synth fails naming it. */
  claim(name: string): string {
    if (name.length > MAX_STATE_NAME) throw new Error(`${this.props.workflow} state name longer than ${MAX_STATE_NAME} characters: "${name}"`);
    if (this.names.has(name)) throw new Error(`${this.props.workflow} state name used twice: "${name}"`);
    this.names.add(name);
    return name;
  }

  /** A name for a step that may repeat within its list (two equal waits): numbered from the second. */
  claimNumbered(base: string): string {
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base} (${i})`;
    return this.claim(name);
  }

  succeed(name: string, comment?: string) {
    return new sfn.Succeed(this.scope, this.claim(name), { comment });
  }

  fail(name: string, error: string, cause: string) {
    return new sfn.Fail(this.scope, this.claim(name), { error, cause });
  }

  choice(name: string, comment?: string) {
    return new sfn.Choice(this.scope, this.id(this.claim(name)), { stateName: name, comment });
  }

  wait(name: string, span: Span) {
    const stateName = this.claim(name);
    return new sfn.Wait(this.scope, this.id(stateName), { stateName, time: sfn.WaitTime.duration(Duration.seconds(spanSeconds(span))) });
  }

  /**
   * A task of the workflow: the subject and run always travel with it (a stale run throws
   * SupersededError), and only the `keep` fields of its result are kept at `resultPath`, so the input
   * the next states read survives untouched.
   */
  task(name: string, fn: IFunction, extra: Record<string, unknown>, result?: { resultPath: string; keep: string[] }, onDeferred?: sfn.IChainable) {
    const task = this.invoke(name, fn, { ...this.subject(), ...extra }, result
      ? { resultPath: result.resultPath, resultSelector: Object.fromEntries(result.keep.map((f) => [f, sfn.JsonPath.stringAt(`$.Payload.${f}`)])) }
      : { resultPath: sfn.JsonPath.DISCARD });
    return this.withErrorPolicy(task, this.recordFailure, onDeferred);
  }

  /** A programme's steps in order, then `then`; assembled forwards, as a reader follows them. */
  sequence(label: string, steps: readonly Step[], then: sfn.IChainable): sfn.IChainable {
    let start: sfn.IChainable | undefined;
    let open: Exit[] = [(s) => (start = s)];
    const counters = { send: 0 };
    for (const step of steps) {
      const fragment = this.step(label, step, counters);
      for (const exit of open) exit(fragment.start);
      open = fragment.exits;
    }
    for (const exit of open) exit(then);
    return start!;
  }

  private step(label: string, step: Step, counters: { send: number }): Fragment {
    switch (step.kind) {
      case 'send': {
        const n = ++counters.send;
        const sendName = `${label}: send ${n} (${step.id})`;
        // Deferred (cap or window): read when the send may go from the error, wait until then, send again.
        const readDeferral = new sfn.Pass(this.scope, this.id(this.claim(`${label}: when may send ${n} go?`)), {
          stateName: `${label}: when may send ${n} go?`,
          parameters: { 'cause.$': 'States.StringToJson($.deferral.Cause)' },
          resultPath: '$.deferral',
        });
        const waitName = this.claim(`${label}: wait until send ${n} may go`);
        const deferredWait = new sfn.Wait(this.scope, this.id(waitName), { stateName: waitName, time: sfn.WaitTime.timestampPath('$.deferral.cause.errorMessage') });
        const send = this.task(sendName, this.props.functions.sendEmail, {
          ...Object.fromEntries(Object.entries(this.props.sendContext ?? {}).map(([k, path]) => [k, sfn.JsonPath.stringAt(path)])),
          stepId: step.id,
          template: step.template,
          category: step.category,
          version: this.props.version,
          ...(step.window ? { window: step.window } : {}),
        }, undefined, readDeferral);
        readDeferral.next(deferredWait);
        deferredWait.next(send);
        return { start: send, exits: [(next) => send.next(next)] };
      }
      case 'wait': {
        const name = this.claimNumbered(`${label}: wait ${describeSpan(step)}`);
        const wait = new sfn.Wait(this.scope, this.id(name), { stateName: name, time: sfn.WaitTime.duration(Duration.seconds(spanSeconds(step))) });
        return { start: wait, exits: [(next) => wait.next(next)] };
      }
      case 'waitUntil': {
        const name = this.claim(`${label}: wait until ${step.id}`);
        const wait = new sfn.Wait(this.scope, this.id(name), { stateName: name, time: sfn.WaitTime.timestampPath(`$.${step.at}`) });
        return { start: wait, exits: [(next) => wait.next(next)] };
      }
      case 'waitForEvent': {
        // The event starts a new run at its entry point; this run only ever sees the timeout.
        const wait = this.wait(`${label}: wait up to ${describeSpan(step.timeout)} for ${step.event}`, step.timeout);
        const onTimeout = step.onTimeout.length ? this.sequenceFragment(`${label} (no ${step.id})`, step.onTimeout) : undefined;
        if (!onTimeout) return { start: wait, exits: [(next) => wait.next(next)] };
        wait.next(onTimeout.start);
        return { start: wait, exits: onTimeout.exits };
      }
      case 'branch': {
        const choice = this.choice(`${label}: ${step.id}?`);
        const exits: Exit[] = [];
        const path = `$.${camelPath(step.on)}`;
        for (const c of step.cases) {
          const cond = typeof c.equals === 'boolean' ? sfn.Condition.booleanEquals(path, c.equals)
            : typeof c.equals === 'number' ? sfn.Condition.numberEquals(path, c.equals)
            : sfn.Condition.stringEquals(path, c.equals);
          exits.push(...this.arm(`${label} (${step.id} ${c.equals})`, c.steps, (s) => choice.when(cond, s)));
        }
        exits.push(...this.arm(`${label} (${step.id} otherwise)`, step.otherwise, (s) => choice.otherwise(s)));
        return { start: choice, exits };
      }
      case 'split': {
        const chooseArm = this.props.functions.chooseArm;
        if (!chooseArm) throw new Error(`${this.props.workflow}: split "${step.id}" needs a chooseArm function`);
        const pick = this.task(`${label}: pick an arm of ${step.id}`, chooseArm, {
          workflow: this.props.workflow,
          splitId: step.id,
          version: this.props.version,
          arms: step.arms.map((a) => ({ name: a.name, percent: a.percent })),
        }, { resultPath: '$.split', keep: ['arm'] });
        const choice = this.choice(`${label}: which arm of ${step.id}?`);
        const exits: Exit[] = [];
        for (const arm of step.arms) {
          exits.push(...this.arm(`${label} (${step.id} ${arm.name})`, arm.steps, (s) => choice.when(sfn.Condition.stringEquals('$.split.arm', arm.name), s)));
        }
        choice.otherwise(this.fail(`${label}: unknown arm of ${step.id}`, 'UnknownSplitArm', 'ChooseArm answered an arm this split does not have.'));
        pick.next(choice);
        return { start: pick, exits };
      }
      case 'task': {
        const fn = this.props.functions[step.task];
        if (!fn) throw new Error(`${this.props.workflow}: task step "${step.id}" names no function "${step.task}"`);
        const task = this.task(`${label}: ${step.id}`, fn, { ...step.payload }, step.keep?.length ? { resultPath: `$.${camel(step.id)}`, keep: step.keep } : undefined);
        return { start: task, exits: [(next) => task.next(next)] };
      }
    }
  }

  /** A nested list; an empty one routes straight to whatever follows the step. */
  private arm(label: string, steps: readonly Step[], enter: Exit): Exit[] {
    if (!steps.length) return [enter];
    const fragment = this.sequenceFragment(label, steps);
    enter(fragment.start);
    return fragment.exits;
  }

  private sequenceFragment(label: string, steps: readonly Step[]): Fragment {
    const counters = { send: 0 };
    const [first, ...rest] = steps.map((s) => this.step(label, s, counters));
    let open = first!.exits;
    for (const f of rest) {
      for (const exit of open) exit(f.start);
      open = f.exits;
    }
    return { start: first!.start, exits: open };
  }

  private subject() {
    return { [`${this.props.subjectField}`]: sfn.JsonPath.stringAt(`$.${this.props.subjectField}`), run: sfn.JsonPath.numberAt('$.run') };
  }

  /** Construct ids may not contain '/'; state names may. */
  private id(name: string) {
    return name.replace(/\//g, '-');
  }

  private invoke(name: string, fn: IFunction, payload: Record<string, unknown>, result: { resultPath: string; resultSelector?: Record<string, unknown> }) {
    return new tasks.LambdaInvoke(this.scope, this.id(name), {
      stateName: this.claim(name),
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject(payload),
      resultSelector: result.resultSelector,
      resultPath: result.resultPath,
      // Our own retriers below, so that control-flow errors are never retried and the order is explicit.
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(this.props.taskTimeout),
    });
  }

  private withErrorPolicy(task: tasks.LambdaInvoke, onFailure: sfn.IChainable, onDeferred?: sfn.IChainable) {
    task.addRetry({ errors: [SUPERSEDED_ERROR, SEND_DEFERRED_ERROR], maxAttempts: 0, jitterStrategy: sfn.JitterType.FULL });
    task.addRetry({ errors: LAMBDA_SERVICE_ERRORS, interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    task.addRetry(SEND_THROTTLED_RETRY);
    task.addRetry({ errors: DYNAMODB_THROTTLING_ERRORS, interval: Duration.seconds(1), maxAttempts: 8, backoffRate: 2, maxDelay: Duration.seconds(30), jitterStrategy: sfn.JitterType.FULL });
    // Runs that failed together (a dependency down for everyone) would otherwise retry in lockstep.
    task.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(3), maxAttempts: 3, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    task.addCatch(this.superseded, { errors: [SUPERSEDED_ERROR] });
    // The cap or the window said "later": the error (its Cause names when) beside the input, which the retry keeps.
    if (onDeferred) task.addCatch(onDeferred, { errors: [SEND_DEFERRED_ERROR], resultPath: '$.deferral' });
    task.addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
    return task;
  }
}

/** `check.contacted` → `check.contacted` with task ids camel-cased as their result paths are. */
const camelPath = (on: string) => on.split('.').map((part, i) => (i === 0 ? camel(part) : part)).join('.');
