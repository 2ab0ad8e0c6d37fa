/**
 * Step Functions executions, run on aws-local-stepfunctions and kept in memory (lost when the
 * process stops). Each Task calls the in-process handler; Waits and Retry pauses are compressed by
 * the time scale; history is read from the library's event log while the execution runs.
 */
import '../polyfills.js';
import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { DiscreteClock } from '../discrete-clock.js';
import { namedError } from '../faults.js';
import type { FunctionRuntime } from '../functions.js';
import { localArn } from '../template.js';
import { dynamicWaitMs, matchingRetrier, prepareDefinition, retryPauseMs, scaledRetryMs, scaledWaitMs, waitDueMs, type Definition, type PreparedDefinition } from './definition.js';
import { HistoryRecorder, type HistoryEvent } from './history.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** Settles when the execution has ended and its history is complete. */
  done: Promise<void>;
}

interface Machine {
  arn: string;
  name: string;
  prepared: PreparedDefinition;
  engine: StateMachine;
}

interface Internal extends ExecutionRecord {
  stop(): void;
}

export class Executions {
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, Internal>();

  constructor(
    private readonly functions: FunctionRuntime,
    /**
     * Scaled wall time (the default), or with `discrete` the discrete-event clock: every Wait and retry
     * pause is then a timer of that clock, and a running execution is work in flight except while parked on one.
     */
    private readonly clock: { scale: number; originMs: number; virtualOriginMs?: number; discrete?: DiscreteClock },
  ) {}

  /** Registers a state machine; throws UnsupportedDefinitionError for what cannot run faithfully. */
  addMachine(logicalId: string, definition: Definition): string {
    const prepared = prepareDefinition(logicalId, definition, (fn) => this.functions.find(fn) !== undefined, { discreteTime: this.clock.discrete !== undefined });
    const engine = new StateMachine(prepared.definition as never, { validationOptions: { checkPaths: false, checkArn: false } });
    const arn = localArn.stateMachine(logicalId);
    this.machines.set(arn, { arn, name: logicalId, prepared, engine });
    return arn;
  }

  machineArns(): string[] {
    return [...this.machines.keys()];
  }

  start(stateMachineArn: string, name: string | undefined, input: string | undefined): ExecutionRecord {
    const machine = this.machines.get(stateMachineArn);
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const execName = name ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(execName)) throw new SfnError('InvalidName', `Invalid Name: '${execName}'`);
    const executionArn = localArn.execution(machine.name, execName);
    // Standard workflows refuse a reused name (for 90 days on AWS); here for the process lifetime.
    if (this.executions.has(executionArn)) throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input ?? '{}');
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid execution input: not JSON');
    }
    const record = this.run(machine, executionArn, execName, input ?? '{}', parsedInput);
    this.executions.set(executionArn, record);
    return record;
  }

  private run(machine: Machine, executionArn: string, name: string, input: string, parsedInput: unknown): Internal {
    const { scale, originMs, virtualOriginMs = originMs, discrete } = this.clock;
    const startDate = new Date();
    const virtualNow = discrete ? discrete.nowMs() : virtualOriginMs + (Date.now() - originMs) * scale;
    // Discrete time: the execution is in flight from here to its end, except while parked on a timer.
    const lease = discrete?.begin();
    const recorder = new HistoryRecorder(machine.prepared.source);
    const stopped = new AbortController();
    const abortedTask = new Promise<never>((_, reject) =>
      stopped.signal.addEventListener('abort', () => reject(namedError('States.Aborted', 'Execution was stopped'))),
    );
    abortedTask.catch(() => undefined);

    // At scale 1 the library's own backoff, MaxDelaySeconds and jitter are exact; on a compressed clock
    // its overrides are fixed pauses, so the pause before each retry is set when the task fails (below).
    // With discrete time the library never sleeps: the pause is a clock timer taken before the error is rethrown.
    const retryIntervalOverrides = discrete
      ? Object.fromEntries(Object.entries(machine.prepared.retryStates).map(([s, retriers]) => [s, retriers.map(() => 0)]))
      : scale > 1
        ? Object.fromEntries(Object.entries(machine.prepared.retryStates).map(([s, retriers]) => [s, scaledRetryMs(retriers, scale)]))
        : undefined;
    /** Retries taken per retrier of the Task now running, by state (Step Functions counts afresh on each entry). */
    const retries = new Map<string, number[]>();
    const nextRetryPause = (state: string, errorName: string) => {
      const retriers = machine.prepared.retryStates[state];
      if (!retryIntervalOverrides || !retriers) return;
      const i = matchingRetrier(retriers, errorName);
      const taken = retries.get(state) ?? retriers.map(() => 0);
      // No retry: the state is left (caught, or the run fails), so its next entry counts from 0.
      if (i < 0 || taken[i]! >= retriers[i]!.maxAttempts) {
        retries.delete(state);
        return;
      }
      const pause = retryPauseMs(retriers[i]!, taken[i]!, discrete ? 1 : scale);
      taken[i]! += 1;
      retries.set(state, taken);
      if (discrete) return pause;
      retryIntervalOverrides[state]![i] = pause;
    };

    const taskResourceLocalHandlers: Record<string, (input: any) => Promise<any>> = {};
    for (const task of machine.prepared.tasks) {
      taskResourceLocalHandlers[task.state] = async (taskInput: any) => {
        // Let the history reader record "state entered" before this task's own events.
        await new Promise((r) => setImmediate(r));
        const target = task.kind === 'invoke' ? String(taskInput.FunctionName) : task.functionName!;
        const payload = task.kind === 'invoke' ? taskInput.Payload : taskInput;
        recorder.taskStarted(task.state, target, payload);
        try {
          // A stopped execution must not wait on a handler: settle at once (the handler finishes on its own).
          const result = await Promise.race([this.functions.invoke(target, payload ?? {}), abortedTask]);
          recorder.taskSucceeded(task.state, result);
          retries.delete(task.state);
          return task.kind === 'invoke' ? { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: result ?? null } : result;
        } catch (err) {
          const e = err as Error;
          const cause = lambdaErrorCause(e);
          recorder.taskFailed(task.state, e.name || 'Error', cause);
          const pause = nextRetryPause(task.state, e.name || 'Error');
          if (discrete && pause !== undefined) await discrete.sleepUntil(discrete.nowMs() + pause, { holding: lease, signal: stopped.signal });
          // The library matches Retry/Catch on the thrown error's name, as AWS does on the errorType.
          throw namedError(e.name || 'Error', cause, e);
        }
      };
    }
    for (const wait of machine.prepared.dynamicWaits) {
      taskResourceLocalHandlers[wait.state] = async (waitInput: any) => {
        if (discrete) {
          await discrete.sleepUntil(waitDueMs(wait, waitInput, discrete.nowMs()), { holding: lease, signal: stopped.signal });
          return waitInput;
        }
        // The due time is read on entering the state, against the clock as it is then.
        const virtualNowMs = virtualOriginMs + (Date.now() - originMs) * scale;
        await sleepUnlessStopped(dynamicWaitMs(wait, waitInput, scale, virtualNowMs), stopped.signal);
        return waitInput;
      };
    }
    const waitTimeOverrides = Object.fromEntries(
      Object.entries(machine.prepared.waitStates).map(([state, wait]) => [state, scaledWaitMs(wait, scale, virtualNow)]),
    );

    const execution = machine.engine.run(parsedInput as never, {
      overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
      context: {
        Execution: { Id: executionArn, Name: name, RoleArn: `arn:aws:iam::000000000000:role/${machine.name}Role` },
        StateMachine: { Id: machine.arn, Name: machine.name },
        State: { Name: machine.prepared.definition.StartAt, EnteredTime: startDate.toISOString(), RetryCount: 0 },
        Task: { Token: 'local-task-token-unsupported' },
      },
    });

    const record: Internal = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      input,
      startDate,
      history: recorder.events,
      done: Promise.resolve(),
      stop: () => {
        if (record.status !== 'RUNNING') return;
        record.status = 'ABORTED';
        record.stopDate = new Date();
        stopped.abort();
        execution.abort();
      },
    };
    const historyRead = recorder.consume(execution.eventLogs);
    const settled = execution.result.then(
      (output) => {
        if (record.status !== 'RUNNING') return;
        record.status = 'SUCCEEDED';
        record.output = JSON.stringify(output ?? null);
      },
      (err: unknown) => {
        if (record.status !== 'RUNNING') return;
        if (err instanceof ExecutionAbortedError) record.status = 'ABORTED';
        else if (err instanceof ExecutionTimeoutError) record.status = 'TIMED_OUT';
        else {
          record.status = 'FAILED';
          const cause = err instanceof ExecutionError ? (err.cause as Error) : (err as Error);
          record.error = cause?.name ?? 'Error';
          record.cause = cause?.message ?? String(err);
        }
      },
    );
    if (lease) {
      // Over: out of flight for good, and any timer it still has (a task timed out in a retry pause) is let go.
      void settled.finally(() => {
        lease.end();
        stopped.abort();
      });
    }
    record.done = settled.then(async () => {
      record.stopDate ??= new Date();
      await historyRead;
    });
    return record;
  }

  describe(executionArn: string): ExecutionRecord {
    const record = this.executions.get(executionArn);
    if (!record) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  stop(executionArn: string): ExecutionRecord {
    const record = this.executions.get(executionArn) as Internal | undefined;
    if (!record) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    record.stop();
    return record;
  }

  list(stateMachineArn?: string, status?: string): ExecutionRecord[] {
    if (stateMachineArn && !this.machines.has(stateMachineArn)) {
      throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
    return [...this.executions.values()]
      .filter((e) => (!stateMachineArn || e.stateMachineArn === stateMachineArn) && (!status || e.status === status))
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  /** Stops every running execution and waits until none holds a timer (used on shutdown). */
  async stopAll(): Promise<void> {
    const all = [...this.executions.values()];
    for (const e of all) e.stop();
    await Promise.allSettled(all.map((e) => e.done));
  }
}

/**
 * The Cause a Task state gets when its function throws: on AWS, Lambda's JSON error document (a
 * definition reads it with States.StringToJson, as the engine's send deferral does). The stack trace
 * is left out here; the service's own errors (Lambda.*, States.*) keep their plain message.
 */
function lambdaErrorCause(e: Error): string {
  const type = e.name || 'Error';
  if (type.startsWith('Lambda.') || type.startsWith('States.')) return e.message;
  return JSON.stringify({ errorType: type, errorMessage: e.message, trace: [] });
}

/** Sleeps `ms` (beyond a Node timer's limit too), or until the execution is stopped. */
function sleepUnlessStopped(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(namedError('States.Aborted', 'Execution was stopped'));
    const until = Date.now() + ms;
    let timer: NodeJS.Timeout;
    const onAbort = () => {
      clearTimeout(timer);
      reject(namedError('States.Aborted', 'Execution was stopped'));
    };
    const tick = () => {
      const left = until - Date.now();
      if (left <= 0) {
        signal.removeEventListener('abort', onAbort);
        return resolve();
      }
      timer = setTimeout(tick, Math.min(left, 2_000_000_000));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}
