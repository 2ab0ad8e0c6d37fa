/**
 * AWS list prices and the usage they apply to, shared by `npm run cost` (scripts/cost-per-lead.ts) and the
 * cohort simulator (scripts/simulate/): one price table, one way to count DynamoDB units and log bytes, one
 * list of billable lines. No process handlers here: tests import it.
 */
/** us-east-1 list prices (USD) as read from the public AWS pricing pages on this date. */
export const PRICES_TAKEN = '2026-11-26';
export const PRICES = {
  sfnTransition: 0.025 / 1000, // Step Functions Standard, per state transition
  lambdaRequest: 0.2 / 1e6, // Lambda, per request
  lambdaGbSecond: 0.0000133334, // Lambda arm64, per GB-second
  ddbWru: 0.625 / 1e6, // DynamoDB on-demand, per write request unit
  ddbRru: 0.125 / 1e6, // DynamoDB on-demand, per read request unit
  sesEmail: 0.1 / 1000, // SES, per email
  eventBridgeEvent: 1 / 1e6, // EventBridge custom events, per event
  httpApiRequest: 1 / 1e6, // API Gateway HTTP API, per request (first 300M)
  logsIngestGb: 0.5, // CloudWatch Logs ingestion, per GB
  xrayTrace: 5 / 1e6, // X-Ray traces recorded, per trace
  secretMonth: 0.4, // Secrets Manager, per secret per month
  alarmMonth: 0.1, // CloudWatch standard-resolution alarm, per month
};

export interface Usage {
  transitions: number;
  invocations: Record<string, number>;
  gbSeconds: number;
  rru: number;
  wru: number;
  emails: number;
  busEvents: number;
  httpRequests: number;
  logBytes: number;
  traces: number;
  executions: number;
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

/**
 * Counts DynamoDB request units on the process's one client (functions/shared/clients.ts, the one the
 * in-process handlers use): asks for ReturnConsumedCapacity=INDEXES on every data request and adds up
 * what comes back (table + indexes). A request that fails (condition not met) still costs on AWS:
 * counted as 1 unit per item it named.
 */
/** `ignore`: requests that are not the measured path's (e.g. a scheduled job's), left out of every count. */
export function countCapacity(client: { middlewareStack: { add: (mw: any, opts: any) => void } }, ignore: (command: string, input: any) => boolean = () => false) {
  const state = { rru: 0, wru: 0, byCommand: {} as Record<string, number>, unreported: 0 };
  const units = (c: any): number => (Array.isArray(c) ? c.reduce((s, x) => s + units(x), 0) : Number(c?.CapacityUnits ?? 0));
  client.middlewareStack.add(
    (next: any, context: any) => async (args: any) => {
      const cmd: string = context.commandName;
      const isRead = READS.has(cmd);
      if ((!isRead && !WRITES.has(cmd)) || ignore(cmd, args.input)) return next(args);
      state.byCommand[cmd] = (state.byCommand[cmd] ?? 0) + 1;
      args.input.ReturnConsumedCapacity ??= 'INDEXES';
      const add = (n: number) => (isRead ? (state.rru += n) : (state.wru += n));
      try {
        const out = await next(args);
        const consumed = out.output?.ConsumedCapacity;
        if (consumed === undefined) state.unreported++;
        add(units(consumed));
        return out;
      } catch (err) {
        const items = args.input.TransactItems?.length ?? 1;
        add(items);
        state.byCommand[`${cmd} failed`] = (state.byCommand[`${cmd} failed`] ?? 0) + 1;
        throw err;
      }
    },
    { step: 'initialize', name: 'benchCapacityCounter' },
  );
  return {
    get rru() {
      return state.rru;
    },
    get wru() {
      return state.wru;
    },
    requests: () => ({ ...state.byCommand, ...(state.unreported ? { 'no ConsumedCapacity reported': state.unreported } : {}) }),
    reset() {
      state.rru = 0;
      state.wru = 0;
      state.byCommand = {};
      state.unreported = 0;
    },
  };
}

/** CloudWatch Logs bytes: handler JSON + Lambda platform lines + state machine (ALL, with data) + access logs. */
export function estimateLogs(usage: Usage, handlerBytes: number, historyEvents: unknown[]): number {
  const invocations = Object.values(usage.invocations).reduce((a, b) => a + b, 0);
  const sfn = historyEvents.reduce<number>((s, e) => s + Buffer.byteLength(JSON.stringify(e)) + 250, 0);
  return handlerBytes + invocations * 400 + sfn + usage.httpRequests * 350;
}

/** Billed duration assumed per Lambda invocation (warm, 2–5 DynamoDB/SES calls; INIT is billed too). */
export const ASSUMED_MS = 150;

/** Lambda GB-seconds for invocations by function, at ASSUMED_MS each and the memory the template gives each. */
export const gbSecondsOf = (invocations: Record<string, number>, memoryOf: Record<string, number>) =>
  Object.entries(invocations).reduce((s, [fn, n]) => s + n * (ASSUMED_MS / 1000) * ((memoryOf[fn] ?? 512) / 1024), 0);

/** The billable lines of a usage: [item, quantity, unit price]. */
export function billableLines(u: Usage): Array<[string, number, number]> {
  return [
    ['Step Functions state transitions', u.transitions, PRICES.sfnTransition],
    ['Lambda requests', Object.values(u.invocations).reduce((a, b) => a + b, 0), PRICES.lambdaRequest],
    [`Lambda GB-s (${ASSUMED_MS} ms each, template memory)`, u.gbSeconds, PRICES.lambdaGbSecond],
    ['DynamoDB write request units', u.wru, PRICES.ddbWru],
    ['DynamoDB read request units', u.rru, PRICES.ddbRru],
    ['SES emails', u.emails, PRICES.sesEmail],
    ['EventBridge custom events', u.busEvents, PRICES.eventBridgeEvent],
    ['HTTP API requests', u.httpRequests, PRICES.httpApiRequest],
    ['CloudWatch Logs ingested (GB, estimated)', u.logBytes / 1e9, PRICES.logsIngestGb],
    ['X-Ray traces recorded', u.traces, PRICES.xrayTrace],
  ];
}

/** What a usage costs at list prices, in USD. */
export const usageCost = (u: Usage) => billableLines(u).reduce((s, [, q, p]) => s + q * p, 0);
