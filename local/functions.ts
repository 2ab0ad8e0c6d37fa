/**
 * The template's Lambda functions, run in-process: the same handler modules Lambda runs, found
 * through the `SalesFlow:Entry` / `SalesFlow:Handler` metadata the function construct writes.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Faults, namedError } from './faults.js';
import { localArn, resolveIntrinsics, resourcesOfType, type CfnTemplate, type ReferenceMap } from './template.js';

export interface LocalFunction {
  logicalId: string;
  arn: string;
  entry: string;
  handlerName: string;
  timeoutSeconds: number;
  environment: Record<string, string>;
}

type Handler = (event: unknown, context: unknown, callback?: (err: unknown, result?: unknown) => void) => unknown;

export function collectFunctions(template: CfnTemplate, refs: ReferenceMap): LocalFunction[] {
  return resourcesOfType(template, 'AWS::Lambda::Function').map(([logicalId, res]) => {
    const entry = res.Metadata?.['SalesFlow:Entry'];
    if (typeof entry !== 'string') {
      throw new Error(`Lambda function ${logicalId} has no "SalesFlow:Entry" metadata, so the local runtime cannot find its code`);
    }
    const variables = resolveIntrinsics(res.Properties?.Environment?.Variables ?? {}, refs) as Record<string, unknown>;
    return {
      logicalId,
      arn: localArn.function(logicalId),
      entry,
      handlerName: String(res.Metadata?.['SalesFlow:Handler'] ?? 'handler'),
      timeoutSeconds: Number(res.Properties?.Timeout ?? 3),
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
    };
  });
}

/**
 * All handlers share one process, hence one environment: two functions that disagree on a
 * variable cannot both be run faithfully here, so that is refused rather than silently picked.
 */
export function mergeEnvironments(functions: LocalFunction[]): Record<string, string> {
  const merged: Record<string, string> = {};
  const owner: Record<string, string> = {};
  for (const fn of functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (name in merged && merged[name] !== value) {
        throw new Error(
          `Functions ${owner[name]} and ${fn.logicalId} set ${name} to different values (${merged[name]} vs ${value}); ` +
            'the local runtime runs all handlers in one process and needs one value per variable',
        );
      }
      merged[name] = value;
      owner[name] ??= fn.logicalId;
    }
  }
  return merged;
}

export class FunctionRuntime {
  private readonly handlers = new Map<string, Handler>();
  private readonly byAlias = new Map<string, LocalFunction>();
  /** Discrete-event time: every invocation is work in flight (the clock does not move until it returns). */
  inFlight?: { track<T>(work: () => Promise<T>): Promise<T> };

  constructor(
    readonly functions: LocalFunction[],
    private readonly repoRoot: string,
    readonly faults: Faults,
  ) {
    for (const fn of functions) {
      for (const alias of this.aliases(fn)) this.byAlias.set(alias, fn);
    }
  }

  private aliases(fn: LocalFunction): string[] {
    return [fn.logicalId, fn.arn, `${fn.arn}:$LATEST`];
  }

  /** A function by logical id, name or (qualified) ARN. */
  find(nameOrArn: string): LocalFunction | undefined {
    return this.byAlias.get(nameOrArn) ?? this.byAlias.get(nameOrArn.replace(/:[^:]+$/, ''));
  }

  /** Imports every handler module; call only after the process environment is final. */
  async loadAll(): Promise<void> {
    for (const fn of this.functions) await this.load(fn);
  }

  private async load(fn: LocalFunction): Promise<Handler> {
    const cached = this.handlers.get(fn.logicalId);
    if (cached) return cached;
    const mod = (await import(pathToFileURL(path.resolve(this.repoRoot, fn.entry)).href)) as Record<string, unknown>;
    const handler = mod[fn.handlerName];
    if (typeof handler !== 'function') throw new Error(`${fn.entry} has no exported function "${fn.handlerName}" (${fn.logicalId})`);
    this.handlers.set(fn.logicalId, handler as Handler);
    return handler as Handler;
  }

  invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    return this.inFlight ? this.inFlight.track(() => this.run(nameOrArn, event)) : this.run(nameOrArn, event);
  }

  private async run(nameOrArn: string, event: unknown): Promise<unknown> {
    const fn = this.find(nameOrArn);
    if (!fn) throw namedError('ResourceNotFoundException', `Function not found: ${nameOrArn}`);
    const handler = await this.load(fn);
    const fault = this.faults.take(this.aliases(fn));
    if (fault && !fault.after) throw namedError(fault.errorName, fault.message);
    const result = await callHandler(handler, event, lambdaContext(fn));
    if (fault) throw namedError(fault.errorName, fault.message);
    return result;
  }
}

function lambdaContext(fn: LocalFunction) {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  return {
    functionName: fn.logicalId,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.logicalId}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Supports async handlers and, for completeness, callback-style ones. */
function callHandler(handler: Handler, event: unknown, context: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (err: unknown, result?: unknown) => (err ? reject(err) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    } catch (err) {
      reject(err);
    }
  });
}
