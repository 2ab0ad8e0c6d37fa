/**
 * Checks a synthesized state-machine definition before it runs locally, and derives the library
 * overrides from it. Anything that cannot be run faithfully here is refused with the state named:
 * JSONata (the library accepts and silently ignores it), a Task with no local handler (the library
 * would call real AWS Lambda), and a SecondsPath/TimestampPath wait whose path is not a plain field
 * path (`$.dueAt`, `$.module.dueAt`).
 *
 * Dynamic waits: the library's wait overrides are a fixed number of milliseconds per state, but a
 * SecondsPath/TimestampPath wait is only known at run time. Such a Wait is run as a local Task of the
 * same name that reads its input, sleeps the scaled time and passes its input on unchanged (a Wait's
 * semantics: InputPath, then OutputPath); the history still shows it as a Wait.
 */
export type Json = any;
export interface Definition {
  StartAt: string;
  States: Record<string, Json>;
  QueryLanguage?: string;
  TimeoutSeconds?: number;
  [k: string]: Json;
}

export class UnsupportedDefinitionError extends Error {
  override name = 'UnsupportedDefinitionError';
}

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

/** The largest delay setTimeout accepts (beyond it Node fires after 1 ms). */
const MAX_TIMER_SECONDS = 2_147_483;

export interface TaskBinding {
  state: string;
  /** lambda:invoke integration (`{FunctionName, Payload}` in, `{StatusCode, Payload}` out) or a bare function ARN. */
  kind: 'invoke' | 'direct';
  /** Statically known target, when the definition names one. */
  functionName?: string;
}

/**
 * A SecondsPath/TimestampPath Wait, run as a local Task that sleeps on the compressed clock; with the
 * discrete-event clock every Wait is run so (a static one keeps its Seconds or Timestamp here).
 */
export interface DynamicWait {
  state: string;
  secondsPath?: string;
  timestampPath?: string;
  seconds?: number;
  timestamp?: string;
}

export interface PreparedDefinition {
  definition: Definition;
  /** The definition as synthesized (history reports its state types, Wait and not the stand-in Task). */
  source: Definition;
  tasks: TaskBinding[];
  dynamicWaits: DynamicWait[];
  waitStates: Record<string, { seconds?: number; timestamp?: string }>;
  /** Each state's retriers, in order. */
  retryStates: Record<string, Retrier[]>;
}

/** A Retry entry with the defaults Step Functions applies. */
export interface Retrier {
  errors: string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelaySeconds?: number;
  jitter: 'FULL' | 'NONE';
}

/** Visits every state, including those inside Parallel branches and Map processors. */
function eachState(def: Definition, visit: (name: string, state: Json) => void): void {
  for (const [name, state] of Object.entries(def.States)) {
    visit(name, state);
    for (const branch of state.Branches ?? []) eachState(branch, visit);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) eachState(processor, visit);
  }
}

export function prepareDefinition(
  machine: string,
  source: Definition,
  knowsFunction: (nameOrArn: string) => boolean,
  /**
   * `discreteTime`: every Wait runs as the stand-in (a timer of the discrete-event clock), and Tasks get no
   * local timeout: virtual time stands still while a task runs, and a retry pause is spent inside the task's
   * resource (the stand-in handler), so a wall-clock timeout would count the pause and a virtual one never fire.
   */
  options: { discreteTime?: boolean } = {},
): PreparedDefinition {
  const definition = structuredClone(source);
  const refuse = (why: string) => {
    throw new UnsupportedDefinitionError(`State machine ${machine} cannot run locally: ${why}`);
  };
  if (definition.QueryLanguage === 'JSONata') refuse('it uses QueryLanguage "JSONata" (write it in JSONPath)');
  // Executions end after a year on AWS; a compressed clock makes a wall-clock limit meaningless here.
  delete definition.TimeoutSeconds;

  const tasks: TaskBinding[] = [];
  const dynamicWaits: DynamicWait[] = [];
  const waitStates: PreparedDefinition['waitStates'] = {};
  const retryStates: PreparedDefinition['retryStates'] = {};
  eachState(definition, (name, state) => {
    if (state.QueryLanguage === 'JSONata') refuse(`state "${name}" uses QueryLanguage "JSONata" (write it in JSONPath)`);
    if (state.Type === 'Wait') {
      if (state.SecondsPath !== undefined || state.TimestampPath !== undefined) {
        const field = state.SecondsPath !== undefined ? 'SecondsPath' : 'TimestampPath';
        const path = String(state[field]);
        if (!PLAIN_PATH.test(path)) refuse(`Wait state "${name}" uses ${field} "${path}": only plain field paths like $.dueAt can be time-scaled`);
        dynamicWaits.push({ state: name, [field === 'SecondsPath' ? 'secondsPath' : 'timestampPath']: path });
        // No ResultPath (the result is the output) and the handler answers its own input: the output is
        // the (InputPath) input, as a Wait's is. (The library takes an explicit ResultPath "$" as a key.)
        delete state.SecondsPath;
        delete state.TimestampPath;
        Object.assign(state, { Type: 'Task', Resource: LOCAL_WAIT, TimeoutSeconds: MAX_TIMER_SECONDS });
        return;
      }
      if (options.discreteTime) {
        // Discrete-event time: the wait is a timer of the runtime's clock, not the library's own sleep.
        dynamicWaits.push({ state: name, ...(state.Seconds !== undefined ? { seconds: Number(state.Seconds) } : { timestamp: String(state.Timestamp) }) });
        delete state.Seconds;
        delete state.Timestamp;
        Object.assign(state, { Type: 'Task', Resource: LOCAL_WAIT, TimeoutSeconds: MAX_TIMER_SECONDS });
        return;
      }
      waitStates[name] = { seconds: state.Seconds, timestamp: state.Timestamp };
    }
    if (Array.isArray(state.Retry)) {
      retryStates[name] = state.Retry.map((r: Json) => ({
        errors: [...r.ErrorEquals],
        intervalSeconds: Number(r.IntervalSeconds ?? 1),
        maxAttempts: Number(r.MaxAttempts ?? 3),
        backoffRate: Number(r.BackoffRate ?? 2),
        ...(r.MaxDelaySeconds !== undefined ? { maxDelaySeconds: Number(r.MaxDelaySeconds) } : {}),
        jitter: r.JitterStrategy === 'FULL' ? 'FULL' : 'NONE',
      }));
    }
    if (state.Type !== 'Task') return;

    // AWS's default Task timeout is 99999999 s, the library's is 60 s: never kill a slow handler
    // that AWS would let finish. Clamp to what a Node timer can hold.
    if (state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = options.discreteTime ? MAX_TIMER_SECONDS : Math.min(Number(state.TimeoutSeconds ?? MAX_TIMER_SECONDS), MAX_TIMER_SECONDS);
    }
    const resource = String(state.Resource);
    if (resource === LAMBDA_INVOKE) {
      const fnName = state.Parameters?.FunctionName;
      if (typeof fnName === 'string' && !knowsFunction(fnName)) {
        refuse(`Task "${name}" invokes ${fnName}, which is not a Lambda function of this template`);
      }
      if (fnName === undefined && state.Parameters?.['FunctionName.$'] === undefined) refuse(`Task "${name}" names no FunctionName`);
      tasks.push({ state: name, kind: 'invoke', functionName: typeof fnName === 'string' ? fnName : undefined });
    } else if (/^arn:aws:lambda:/.test(resource) && knowsFunction(resource)) {
      tasks.push({ state: name, kind: 'direct', functionName: resource });
    } else {
      refuse(`Task "${name}" uses resource ${resource}, which has no local handler (only Lambda functions of this template are mapped)`);
    }
  });
  return { definition, source, tasks, dynamicWaits, waitStates, retryStates };
}

/** The stand-in resource of a dynamic Wait (never called: its state has a local handler). */
export const LOCAL_WAIT = 'arn:aws:states:::local:wait';
/** `$`, `$.a`, `$.a.b_c`: what {@link readPath} reads. */
const PLAIN_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

export function readPath(input: unknown, path: string): unknown {
  return path.split('.').slice(1).reduce<any>((v, key) => (v === null || typeof v !== 'object' ? undefined : v[key]), input);
}

/** An error with the name Step Functions gives it (the library matches Retry/Catch on names). */
const runtimeError = (message: string) => Object.assign(new Error(message), { name: 'States.Runtime' });

/**
 * Real milliseconds a dynamic Wait sleeps, read from its input when it is entered (as on AWS, where
 * the time is fixed on entering the state). Bad values fail the execution with States.Runtime.
 */
export function dynamicWaitMs(wait: DynamicWait, input: unknown, scale: number, virtualNowMs: number): number {
  return Math.max(0, Math.round((waitDueMs(wait, input, virtualNowMs) - virtualNowMs) / scale));
}

/**
 * The virtual time (ms) a Wait entered at `virtualNowMs` ends, read from its definition or its input as
 * Step Functions does on entering it. Bad path values fail the execution with States.Runtime.
 */
export function waitDueMs(wait: DynamicWait, input: unknown, virtualNowMs: number): number {
  if (wait.seconds !== undefined) return virtualNowMs + wait.seconds * 1000;
  if (wait.timestamp !== undefined) return Date.parse(wait.timestamp);
  if (wait.secondsPath !== undefined) {
    const seconds = readPath(input, wait.secondsPath);
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw runtimeError(`Wait state "${wait.state}": SecondsPath ${wait.secondsPath} is not a non-negative integer: ${JSON.stringify(seconds)}`);
    }
    return virtualNowMs + seconds * 1000;
  }
  const timestamp = readPath(input, wait.timestampPath!);
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) {
    throw runtimeError(`Wait state "${wait.state}": TimestampPath ${wait.timestampPath} is not an ISO-8601 timestamp: ${JSON.stringify(timestamp)}`);
  }
  return Date.parse(timestamp);
}

/** Real milliseconds for a Wait, given the time scale (virtual time runs `scale` times faster). */
export function scaledWaitMs(wait: { seconds?: number; timestamp?: string }, scale: number, virtualNowMs: number): number {
  if (wait.seconds !== undefined) return Math.max(0, Math.round((wait.seconds * 1000) / scale));
  if (wait.timestamp !== undefined) return Math.max(0, Math.round((Date.parse(wait.timestamp) - virtualNowMs) / scale));
  return 0;
}

/** A retry pause is a few ms at least, so a retry still yields to other work. */
const MIN_RETRY_MS = 5;

/** The first retry pause of each retrier, scaled the same way (what a state retries with until it fails locally). */
export function scaledRetryMs(retriers: Retrier[], scale: number): number[] {
  return retriers.map((r) => Math.max(MIN_RETRY_MS, Math.round((r.intervalSeconds * 1000) / scale)));
}

/**
 * Which retrier takes a Task's error, as Step Functions decides: the first whose ErrorEquals names it,
 * or States.ALL, or States.TaskFailed (any error a task's own code throws); -1 for none.
 */
export function matchingRetrier(retriers: Retrier[], errorName: string): number {
  return retriers.findIndex((r) => r.errors.some((e) => e === errorName || e === 'States.ALL' || e === 'States.TaskFailed'));
}

/**
 * Real milliseconds before retry number `attempt + 1` of a retrier on a compressed clock: Step
 * Functions' own rule (interval × backoffRate^attempt, capped at MaxDelaySeconds, a uniform draw below
 * that with FULL jitter) in virtual seconds, scaled. The library's interval overrides are fixed
 * numbers, so the local runtime sets this one before each retry.
 */
export function retryPauseMs(retrier: Retrier, attempt: number, scale: number, random: () => number = Math.random): number {
  const capped = Math.min(retrier.intervalSeconds * retrier.backoffRate ** attempt, retrier.maxDelaySeconds ?? Infinity);
  const seconds = retrier.jitter === 'FULL' ? random() * capped : capped;
  return Math.max(MIN_RETRY_MS, Math.round((seconds * 1000) / scale));
}
