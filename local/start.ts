/**
 * `npm start`: the whole system on 127.0.0.1 from the synthesized app, data kept under .data/.
 * Knobs: PORT, DYNAMODB_PORT, SES_PORT, SALES_API_KEY, --time-scale N / TIME_SCALE,
 * --discrete (discrete-event time: stands still while work is in flight, then on to the next due timer; with
 * --time-scale N it moves at most N times wall speed while idle, without it as fast as the work allows),
 * SALES_FLOW_DYNAMODB_WRITE_FAILURE_RATE (0–1: throttle that share of DynamoDB writes; SALES_FLOW_DYNAMODB_FAULT_SEED repeats it),
 * SALES_FLOW_SES_RATE (the local SES's sending rate, emails a second, as a new SES account's 14),
 * SALES_FLOW_START_QUOTA (Step Functions' StartExecution quota as bucket/refill per second, AWS's 1300/300).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRepStore } from '../functions/adapters/dynamodb/rep-store.js';
import type { Rep } from '../functions/core/model.js';
import { JavaMissingError } from './dynamodb.js';
import { PortInUseError } from './ports.js';
import { installProcessGuard } from './process-guard.js';
import { resumeAllRuns } from './resume.js';
import { persistentKey } from './secrets.js';
import { parseStartQuota } from './sfn/start-quota.js';
import type { DiscreteClock } from './discrete-clock.js';
import { REPO_ROOT, startLocalStack, type LocalStack } from './stack.js';

function timeScale(): number {
  const i = process.argv.indexOf('--time-scale');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.TIME_SCALE;
  const n = Number(raw ?? 1);
  if (!(n >= 1)) throw new RangeError(`--time-scale must be a number ≥ 1, got ${raw}`);
  return n;
}

/** The local SES's sending rate, when asked for (off: it takes every email at once). */
function sesRate(): number | undefined {
  const raw = process.env.SALES_FLOW_SES_RATE;
  if (!raw) return undefined;
  const rate = Number(raw);
  if (!(rate > 0 && Number.isFinite(rate))) throw new RangeError(`SALES_FLOW_SES_RATE must be a positive number of emails per second, got ${raw}`);
  return rate;
}

/** DynamoDB write throttling, when asked for (off: the handlers talk to DynamoDB Local directly). */
function dynamodbFaults(): { rate: number; seed?: number } | undefined {
  const raw = process.env.SALES_FLOW_DYNAMODB_WRITE_FAILURE_RATE;
  if (!raw) return undefined;
  const rate = Number(raw);
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`SALES_FLOW_DYNAMODB_WRITE_FAILURE_RATE must be a number from 0 to 1, got ${raw}`);
  const seed = process.env.SALES_FLOW_DYNAMODB_FAULT_SEED;
  if (seed && !Number.isInteger(Number(seed))) throw new RangeError(`SALES_FLOW_DYNAMODB_FAULT_SEED must be an integer, got ${seed}`);
  return { rate, ...(seed ? { seed: Number(seed) } : {}) };
}

/**
 * Decision-stage hand-off needs an active, certified rep; an empty roster gets one demo rep, seeded
 * certified for ten virtual years so the tour's compressed clock never lapses it. A demo rep kept in
 * .data/ from before certifications existed is certified the same way.
 */
async function seedDemoRep(stack: LocalStack): Promise<Rep | undefined> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint }), { marshallOptions: { removeUndefinedValues: true } });
  const reps = new DynamoRepStore(db, stack.tableName, () => stack.clock.now());
  try {
    const now = stack.clock.now();
    const certification = { certifiedAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3650 * 86_400_000).toISOString(), cycle: 1 };
    const demo = await reps.get('demo-rep');
    if (demo && demo.status === 'active' && !demo.certification) await reps.put({ ...demo, certification });
    if ((await reps.listActive()).length) return undefined;
    const rep: Rep = {
      repId: 'demo-rep', name: 'Dana Demo', firstName: 'Dana', lastName: 'Demo', email: 'dana.demo@example.com', status: 'active',
      role: 'ae', track: 'none', createdAt: now.toISOString(), certification,
    };
    await reps.put(rep);
    return rep;
  } finally {
    db.destroy();
  }
}

/** Where virtual time had got to when npm start last ran (absent on a first start). */
function readVirtualTime(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const at = Date.parse(JSON.parse(readFileSync(file, 'utf8')).virtualNow);
  return Number.isFinite(at) ? at : undefined;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const started = Date.now();
  const dataDir = path.resolve(REPO_ROOT, process.env.SALES_FLOW_DATA_DIR || '.data');
  const scale = timeScale();
  const clockFile = path.join(dataDir, 'clock.json');
  const writeFaults = dynamodbFaults();
  const startQuota = parseStartQuota(process.env.SALES_FLOW_START_QUOTA);
  const sesRatePerSecond = sesRate();
  const discrete = process.argv.includes('--discrete');
  const stack = await startLocalStack({
    timeScale: scale,
    ...(discrete ? { clock: 'discrete' as const } : {}),
    virtualStartMs: readVirtualTime(clockFile),
    apiKey: process.env.SALES_API_KEY || undefined,
    signingKey: persistentKey(path.join(dataDir, 'signing-key')),
    dynamodb: { port: Number(process.env.DYNAMODB_PORT ?? 8000), dbPath: path.join(dataDir, 'dynamodb') },
    ports: { api: Number(process.env.PORT ?? 3000), ses: Number(process.env.SES_PORT ?? 8005) },
    tableName: 'sales-flow',
    ...(writeFaults ? { dynamodbFaults: writeFaults } : {}),
    ...(startQuota ? { startQuota } : {}),
    ...(sesRatePerSecond ? { sesRatePerSecond } : {}),
  });
  // Compressed time must not run backwards on the next start: remember where it got to.
  const saveClock = () => writeFileSync(clockFile, JSON.stringify({ virtualNow: stack.clock.now().toISOString() }));
  const clockTimer = setInterval(saveClock, 2_000);
  clockTimer.unref();
  // Discrete time moves only when driven: here it drives itself, paced by --time-scale when one is given.
  const stopAdvancing = discrete ? (stack.clock as DiscreteClock).autoAdvance(scale > 1 ? { pace: scale } : {}) : async () => undefined;
  let stopping = false;
  const shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(clockTimer);
    saveClock();
    console.log('\nStopping…');
    stopAdvancing()
      .then(() => stack.stop())
      .finally(() => process.exit(code));
  };
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  // Request errors never reach this (the servers answer them 500); see process-guard.ts for the rest.
  let ready = false;
  installProcessGuard({ isReady: () => ready, onFatal: () => shutdown(1) });
  const rep = await seedDemoRep(stack);
  console.log(`
Sales Flow is running locally (ready in ${((Date.now() - started) / 1000).toFixed(1)} s, ${discrete ? `discrete-event time${scale > 1 ? `, at most ×${scale} while idle` : ', as fast as the work allows'}` : `time scale ${scale}`}).
  HTTP API        ${stack.apiUrl}
  Sample form     ${stack.apiUrl}/
  SES inbox       ${stack.sesUrl}${sesRatePerSecond ? `  (throttled to ${sesRatePerSecond} emails a second: SALES_FLOW_SES_RATE)` : ''}
  Domain events   ${stack.apiUrl}/_local/events
  DynamoDB Local  ${stack.dynamodbEndpoint}  (table ${stack.tableName}; DynamoDB Local listens on all interfaces)
${writeFaults ? `  DynamoDB faults ${Math.round(writeFaults.rate * 100)}% of the handlers' writes throttled (SALES_FLOW_DYNAMODB_WRITE_FAILURE_RATE)\n` : ''}${startQuota ? `  Start quota     StartExecution: a bucket of ${startQuota.bucket}, refilled at ${startQuota.refillPerSecond}/s (SALES_FLOW_START_QUOTA)\n` : ''}  API key         ${stack.apiKey}${process.env.SALES_API_KEY ? '' : '  (generated; set SALES_API_KEY to choose one)'}
${rep ? `  Demo rep        ${rep.name} <${rep.email}> (seeded into the empty roster)\n` : ''}
Executions live in memory: on the next start, nurturing leads resume their run from the top of their stage. Ctrl-C stops.`);
  ready = true;
  // The API serves at once; runs of leads kept in .data/ restart alongside (32 at a time), so a large
  // .data/ does not hold start-up back. Each run's first steps take their turn with live requests.
  const resumeStarted = Date.now();
  // Every workflow of workflows/registry.ts, side by side.
  resumeAllRuns({
    dynamodbEndpoint: stack.dynamodbEndpoint,
    sfnEndpoint: stack.sfnEndpoint,
    tableName: stack.tableName,
    stateMachines: stack.stateMachines,
    clock: stack.clock,
  }).then(
    (resumed) => {
      const took = ((Date.now() - resumeStarted) / 1000).toFixed(1);
      const counts = Object.entries(resumed).map(([workflow, n]) => `${n} ${workflow}`).join(', ');
      console.log(`Resumed ${counts} run(s) of subjects kept in .data/ in ${took} s (emails they had are not sent again).`);
    },
    (err: unknown) => console.error('[local] resuming runs failed; restart to try again:', err),
  );
}

main().catch((err: unknown) => {
  if (err instanceof PortInUseError || err instanceof JavaMissingError) console.error(err.message);
  else console.error('Could not start the local stack:', err);
  process.exit(1);
});
