/**
 * startLocalStack(): the whole system on 127.0.0.1 from the synthesized template — what `npm start`
 * runs and what integration/workflow tests start in beforeAll. Handlers run in this process.
 * Executions live in memory: stopping the process loses running executions.
 */
import path from 'node:path';
import { DAY_MS, installClock, scaledClock, type Clock } from '../functions/core/clock.js';
import { DiscreteClock } from './discrete-clock.js';
import { fileURLToPath } from 'node:url';
import { htmlFile, startApiServer } from './api/server.js';
import { readHttpApi } from './api/routes.js';
import { awsOperations, startAwsJsonServer } from './aws-json-server.js';
import { ensureTable, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb.js';
import { startDynamoDbFaultProxy } from './dynamodb-faults.js';
import { dynamoDbWrites } from './dynamodb-writes.js';
import { Faults } from './faults.js';
import { StartExecutionQuota, type StartQuotaSettings } from './sfn/start-quota.js';
import { combineStreams, readStreamMappings, startStreamMapping, type LocalStreams } from './streams.js';
import { collectFunctions, FunctionRuntime, mergeEnvironments } from './functions.js';
import { reservePort } from './ports.js';
import { localSecrets, generateKey } from './secrets.js';
import { startSchedules } from './schedules.js';
import { SesThrottle, startSes } from './ses.js';
import { Executions, type ExecutionRecord, type ExecutionStatus } from './sfn/executions.js';
import { EventStore, SecretStore } from './standins.js';
import { synthesizeTemplate } from './synth.js';
import { buildReferenceMap, localArn, resolveIntrinsics, resourcesOfType, type CfnTemplate } from './template.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface LocalStackOptions {
  /** A template to run instead of synthesizing the real app (fixtures, or the app synthesized once per test run). */
  template?: CfnTemplate;
  /** The stack name that template was synthesized as (pseudo parameter AWS::StackName). */
  stackName?: string;
  /** Virtual seconds per real second for Waits, retries and TIME_SCALE (default 1). */
  timeScale?: number;
  apiKey?: string;
  signingKey?: string;
  /** An existing DynamoDB Local, a fresh in-memory one, or one on disk (npm start). */
  dynamodb: { endpoint: string } | 'memory' | { port: number; dbPath: string };
  /** 0 → ephemeral ports everywhere (tests); otherwise fixed ports (npm start). */
  ports?: 0 | { api: number; ses: number; aws?: number };
  tableName?: string;
  /** Where handler entries (SalesFlow:Entry) are resolved from. */
  repoRoot?: string;
  /** Virtual time (ms) to carry on from, e.g. where the last `npm start` had got to; never before now. */
  virtualStartMs?: number;
  /** Extra process env applied with the local overrides (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** The local SES's sending rate (SendEmail calls a second, burst = the rate); unlimited unless set. `faults.throttleSes` changes it. */
  sesRatePerSecond?: number;
  /**
   * Handlers reach DynamoDB through a proxy that can throttle their writes (local/dynamodb-faults.ts),
   * controlled by `faults.failDynamoDbWrites`; `rate` fails that fraction from the start, `seed` makes
   * it repeatable. Off by default: without it there is no extra hop.
   */
  dynamodbFaults?: boolean | { rate?: number; seed?: number };
  /** Step Functions' StartExecution quota (AWS: 1300/300 in the large regions); unlimited unless set. */
  startQuota?: StartQuotaSettings;
  /**
   * `'scaled'` (the default): virtual time is wall time × `timeScale`. `'discrete'`: discrete-event time
   * (local/discrete-clock.ts): it stands still while work is in flight and moves only to the next due timer,
   * when `stack.clock.runUntil`/`runUntilIdle` (or `autoAdvance`) drive it; `timeScale` is then ignored.
   */
  clock?: 'scaled' | 'discrete' | DiscreteClockSettings;
}

export interface DiscreteClockSettings {
  mode: 'discrete';
  /** Timers due within this many virtual ms of the next fire together (each late by at most this); default 0. */
  resolutionMs?: number;
  /** A scheduled rule ticks at most this often in virtual time (default a day, as the scaled clock's real-second floor is at ×86400: the per-minute sweeper runs daily). */
  scheduleFloorMs?: number;
}

export interface WaitOptions {
  timeoutMs?: number;
}

export interface LocalStack<C extends Clock = Clock> {
  /** The clock the handlers and the executions share: scaled wall time, or a DiscreteClock. */
  clock: C;
  apiUrl: string;
  apiKey: string;
  sesUrl: string;
  tableName: string;
  /** DynamoDB Local itself (with `dynamodbFaults`, the handlers go through the fault proxy instead). */
  dynamodbEndpoint: string;
  /** The DynamoDB Local JVM this stack started and watches (undefined with an external endpoint). */
  dynamodbPid(): number | undefined;
  sfnEndpoint: string;
  /** State machine ARNs by logical id. */
  stateMachines: Record<string, string>;
  executions: {
    list(stateMachine?: string, status?: ExecutionStatus): ExecutionRecord[];
    describe(executionArn: string): ExecutionRecord;
    history(executionArn: string): ExecutionRecord['history'];
    /** Resolves once the execution has one of the statuses (and its history is complete if it ended). */
    waitForStatus(executionArn: string, status: ExecutionStatus | ExecutionStatus[], options?: WaitOptions): Promise<ExecutionRecord>;
    /** Resolves once no execution is RUNNING. */
    waitForIdle(options?: WaitOptions): Promise<void>;
  };
  mail: { list(): Promise<any[]>; clear(): Promise<void> };
  events: { list(): EventStore['entries']; clear(): void };
  faults: Faults;
  /** The StartExecution quota the local Step Functions applies (`set`, `refuseFor`, counters). */
  startQuota: StartExecutionQuota;
  /** The table stream's event source mappings (StartRuns): pause, resume, wait until drained. */
  streams: LocalStreams;
  /** Invokes a function of the template directly (by logical id or ARN). */
  invoke(fn: string, event: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Discrete time: an idle stream mapping looks again only this often on its own (the clock wakes it before
 * every jump), so three mappings polling every 50 ms do not take the CPU the work needs.
 */
const DISCRETE_IDLE_POLL_MS = 250;

const poll = async (check: () => boolean, timeoutMs: number, what: () => string) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

export function startLocalStack(options: LocalStackOptions & { clock: 'discrete' | DiscreteClockSettings }): Promise<LocalStack<DiscreteClock>>;
export function startLocalStack(options: LocalStackOptions): Promise<LocalStack>;
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack<Clock>> {
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const discreteSettings = options.clock === 'discrete' ? { mode: 'discrete' as const } : typeof options.clock === 'object' ? options.clock : undefined;
  // Discrete time has no scale: a wait is as long as it says, in virtual time, whatever the wall clock does.
  const scale = discreteSettings ? 1 : (options.timeScale ?? 1);
  if (!(scale >= 1)) throw new RangeError(`time scale must be ≥ 1, got ${scale}`);
  const originMs = Date.now();
  // Virtual time never runs backwards across restarts (npm start passes where it had got to).
  const virtualOriginMs = Math.max(originMs, options.virtualStartMs ?? 0);
  const discrete = discreteSettings ? new DiscreteClock({ startMs: virtualOriginMs, resolutionMs: discreteSettings.resolutionMs }) : undefined;
  const fixed = options.ports === undefined || options.ports === 0 ? undefined : options.ports;
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err) => console.error('[local] stop:', err));
  };

  try {
    // Ports are checked before anything else starts (synth takes seconds), so a busy port fails fast and clean.
    const apiPort = await reservePort(fixed?.api ?? 0, 'HTTP API', 'PORT');
    cleanups.push(() => apiPort.release());
    const sesPort = await reservePort(fixed?.ses ?? 0, 'local SES', 'SES_PORT');
    cleanups.push(() => sesPort.release());
    if (typeof options.dynamodb === 'object' && 'port' in options.dynamodb)
      await (await reservePort(options.dynamodb.port, 'DynamoDB Local', 'DYNAMODB_PORT')).release();

    const synthesized = options.template ? { template: options.template, stackName: options.stackName ?? 'SalesFlowLocal' } : await synthesizeTemplate(repoRoot);
    const { template } = synthesized;
    const tableName = options.tableName ?? 'sales-flow-local';

    let db: DynamoDbLocal | undefined;
    let dynamodbEndpoint: string;
    if (typeof options.dynamodb === 'object' && 'endpoint' in options.dynamodb) dynamodbEndpoint = options.dynamodb.endpoint;
    else {
      db = await startDynamoDbLocal({
        ...(options.dynamodb === 'memory' ? {} : { port: options.dynamodb.port, dbPath: options.dynamodb.dbPath }),
        // Restarted after an unexpected exit; in memory it comes back empty and needs its table again.
        afterRestart: (endpoint) => ensureTable(endpoint, tableName),
      });
      cleanups.push(() => db!.stop());
      dynamodbEndpoint = db.endpoint;
    }
    await ensureTable(dynamodbEndpoint, tableName);

    const apiUrl = `http://127.0.0.1:${apiPort.port}`;
    const refs = buildReferenceMap(template, { tableName, apiUrl, stackName: synthesized.stackName });
    const functionsList = collectFunctions(template, refs);
    const env = mergeEnvironments(functionsList);
    const faults = new Faults();
    let handlersDynamoDb = dynamodbEndpoint;
    if (options.dynamodbFaults) {
      const proxy = await startDynamoDbFaultProxy({ target: dynamodbEndpoint, ...(options.dynamodbFaults === true ? {} : options.dynamodbFaults) });
      cleanups.push(() => proxy.close());
      faults.attachDynamoDbWrites(proxy.throttle);
      handlersDynamoDb = proxy.url;
    }
    const functions = new FunctionRuntime(functionsList, repoRoot, faults);
    if (discrete) {
      functions.inFlight = discrete;
      // The handlers (same process) read the discrete clock (TIME_MODE=discrete below).
      installClock(discrete);
      cleanups.push(async () => installClock(undefined));
    }
    const executions = new Executions(functions, { scale, originMs, virtualOriginMs, ...(discrete ? { discrete } : {}) });
    const stateMachines: Record<string, string> = {};
    for (const [id, res] of resourcesOfType(template, 'AWS::StepFunctions::StateMachine')) {
      const raw = resolveIntrinsics(res.Properties?.DefinitionString ?? res.Properties?.Definition, refs, template);
      stateMachines[id] = executions.addMachine(id, typeof raw === 'string' ? JSON.parse(raw) : raw);
    }
    const events = new EventStore();
    const apiKey = options.apiKey ?? generateKey();
    const secrets = new SecretStore(localSecrets(template, refs, env, { apiKey, signingKey: options.signingKey ?? generateKey() }));

    const startQuota = new StartExecutionQuota();
    startQuota.set(options.startQuota);
    const aws = await startAwsJsonServer(awsOperations(executions, events, secrets, startQuota), fixed?.aws ?? 0);
    cleanups.push(() => aws.close());
    await sesPort.release();
    const sesThrottle = new SesThrottle();
    sesThrottle.set(options.sesRatePerSecond);
    faults.attachSes(sesThrottle);
    const ses = await startSes(sesPort.port, sesThrottle);
    cleanups.push(() => ses.close());
    cleanups.push(() => executions.stopAll());

    // Handlers read their configuration at module scope: the environment is final before any import.
    Object.assign(process.env, env, {
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: handlersDynamoDb,
      AWS_ENDPOINT_URL_SFN: aws.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
      AWS_ENDPOINT_URL_SESV2: ses.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      PUBLIC_BASE_URL: apiUrl,
      TIME_SCALE: String(scale),
      TIME_ORIGIN: String(originMs),
      TIME_VIRTUAL_ORIGIN: String(virtualOriginMs),
      TIME_MODE: discrete ? 'discrete' : 'scaled',
      ...options.env,
    });
    await functions.loadAll();
    // The table stream feeds its mappings (the run and confirmation outboxes) as Lambda's event source
    // mappings do: each reads the stream on its own, so one waiting out a throttle holds up no other.
    const streams = combineStreams(
      readStreamMappings(template, refs, localArn.table(tableName)).map((mapping) =>
        startStreamMapping({ endpoint: () => dynamodbEndpoint, tableName, mapping, functions, ...(discrete ? { idlePollMs: DISCRETE_IDLE_POLL_MS, writes: dynamoDbWrites() } : {}) }),
      ),
    );
    cleanups.push(() => streams.stop());
    // Discrete time: idle means every mapping has read its stream to the end.
    if (discrete) discrete.addIdleProbe(() => streams.drained());
    // Scheduled rules (the retention job) fire on the compressed clock, like the Waits.
    cleanups.push(startSchedules(template, refs, functions, scale, discrete ? { clock: discrete, floorMs: discreteSettings?.scheduleFloorMs ?? DAY_MS } : undefined));

    const api = await startApiServer({
      model: readHttpApi(template, refs),
      functions,
      ...(discrete ? { inFlight: discrete } : {}),
      port: await apiPort.release().then(() => apiPort.port),
      localPages: {
        '/': () => htmlFile(path.join(REPO_ROOT, 'local', 'sample-form.html')),
        '/thank-you': () => htmlFile(path.join(REPO_ROOT, 'local', 'thank-you.html')),
        '/_local/events': () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(events.entries)) }),
      },
    });
    cleanups.push(() => api.close());

    const machineArn = (m?: string) => (m === undefined ? undefined : (stateMachines[m] ?? (m.startsWith('arn:') ? m : localArn.stateMachine(m))));
    return {
      clock: discrete ?? scaledClock(scale, originMs, Date.now, virtualOriginMs),
      apiUrl: api.url,
      apiKey,
      sesUrl: ses.url,
      tableName,
      dynamodbEndpoint,
      dynamodbPid: () => db?.pid,
      sfnEndpoint: aws.url,
      stateMachines,
      executions: {
        list: (m, status) => executions.list(machineArn(m), status),
        describe: (arn) => executions.describe(arn),
        history: (arn) => executions.describe(arn).history,
        async waitForStatus(arn, status, { timeoutMs = 30_000 } = {}) {
          const wanted = Array.isArray(status) ? status : [status];
          // Runs start asynchronously (the run outbox): wait for the execution to exist first.
          const exists = () => executions.list().some((e) => e.executionArn === arn);
          await poll(exists, timeoutMs, () => `execution ${arn} to be started`);
          const record = executions.describe(arn);
          await poll(() => wanted.includes(record.status), timeoutMs, () => `${record.name} to be ${wanted.join('|')} (is ${record.status})`);
          if (record.status !== 'RUNNING') await record.done;
          return record;
        },
        async waitForIdle({ timeoutMs = 30_000 } = {}) {
          await poll(() => executions.list().every((e) => e.status !== 'RUNNING'), timeoutMs, () => 'all executions to end');
          await Promise.all(executions.list().map((e) => e.done));
        },
      },
      mail: {
        list: async () => ((await (await fetch(`${ses.url}/store`)).json()) as { emails: any[] }).emails,
        clear: async () => void (await fetch(`${ses.url}/clear-store`, { method: 'POST' })),
      },
      events: { list: () => events.entries, clear: () => void events.entries.splice(0) },
      faults,
      startQuota,
      streams,
      invoke: (fn, event) => functions.invoke(fn, event),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
