/**
 * Report latency on the local runtime: GET /reports/funnel (default 30 days, a 400-day range, filtered),
 * /reports/onboarding and /reports/retention, one request at a time, after a population was captured and
 * moved by events (the ProjectReports stream consumer keeps the aggregates), and with a year of earlier
 * day aggregates seeded so a long range reads 400 full day items.
 *   npx tsx scripts/bench-reports.ts [--leads 300] [--requests 50]
 * Boots the real synthesized app (DynamoDB Local in memory, ephemeral ports on 127.0.0.1, time scale 1),
 * prints tables and stops everything it started (stop(): the DynamoDB Local child by PID).
 */
import { fmtMs, machineNote, percentile, pool, table } from './bench-support.js';
import type { LocalStack } from '../local/stack.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { startLocalStack } = await import('../local/stack.js');
const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
const { BatchWriteCommand, DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
const { keys } = await import('../functions/table/keys.js');
const { bucketOf } = await import('../functions/core/reports/histogram.js');
const { STAGES } = await import('../functions/core/model.js');

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SOURCES = ['web', 'ads', 'partner', 'event', 'referral'];

async function call(stack: LocalStack, method: string, path: string, body?: unknown): Promise<{ ms: number; status: number; json: any }> {
  const t = performance.now();
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { ms: performance.now() - t, status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** A day item as busy as a real one: every stage counter, time-in-stage buckets, sources and campaigns. */
function busyDay(): Record<string, number> {
  const counts: Record<string, number> = { captured: 40, won: 3 };
  for (const stage of STAGES) {
    for (const c of ['entered', 'movedOn', 'recycled', 'dormant', 'lost']) counts[`${c}:${stage}`] = 5;
    for (const h of [1, 5, 20, 60, 150, 400]) counts[`tis:${stage}:h:${bucketOf(h)}`] = 2;
  }
  for (const s of SOURCES) counts[`src:${s}:captured`] = 8;
  for (let c = 0; c < 10; c++) counts[`camp:campaign-${c}:captured`] = 4;
  return counts;
}

async function main(): Promise<void> {
  const leadCount = arg('--leads', 300);
  const requests = arg('--requests', 50);
  console.log(`# Report latency (${machineNote()}; ${leadCount} leads, ${requests} requests per route, one at a time)\n`);
  const stack = await startLocalStack({ dynamodb: 'memory', ports: 0, timeScale: 1, env: { LOG_LEVEL: 'ERROR' } });
  const onSignal = () => void stack.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const run = Date.now().toString(36);
    const today = stack.clock.now().toISOString().slice(0, 10);
    const leadIds: string[] = [];
    const tCapture = performance.now();
    await pool([...Array(leadCount).keys()], 8, async (i) => {
      const r = await call(stack, 'POST', '/leads', { email: `report.${run}.${i}@example.com`, consent: true, source: SOURCES[i % SOURCES.length], utm_campaign: `campaign-${i % 10}` });
      if (r.status === 201) leadIds.push(r.json.leadId);
    });
    // A third move to interest (two events each): stage changes, new runs, more stream records.
    await pool(leadIds.filter((_, i) => i % 3 === 0), 8, async (leadId) => {
      await call(stack, 'POST', '/events', { eventId: `${leadId}-dl`, type: 'content_downloaded', leadId });
      await call(stack, 'POST', '/events', { eventId: `${leadId}-click`, type: 'email_clicked', leadId, properties: { template: 'awareness-welcome' } });
    });
    const writtenMs = performance.now() - tCapture;
    const tDrain = performance.now();
    await stack.streams.idle({ timeoutMs: 300_000 });
    const drainMs = performance.now() - tDrain;

    // A year and more of earlier days for the all-leads partition (the one an unfiltered report reads).
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint }));
    const days = [...Array(399).keys()].map((n) => new Date(Date.parse(`${today}T00:00:00Z`) - (n + 1) * 86_400_000).toISOString().slice(0, 10));
    for (let i = 0; i < days.length; i += 25) {
      const items = days.slice(i, i + 25).map((day) => ({ PutRequest: { Item: { ...keys.reportAggregate({ kind: 'funnel-day', dims: '*', day }), ...busyDay() } } }));
      await db.send(new BatchWriteCommand({ RequestItems: { [stack.tableName]: items } }));
    }
    db.destroy();

    const from400 = days.at(-1)!;
    const routes: Array<[string, string]> = [
      ['GET /reports/funnel (default: 30 days)', '/reports/funnel'],
      ['GET /reports/funnel (400 days)', `/reports/funnel?from=${from400}&to=${today}`],
      ['GET /reports/funnel?source=ads (30 days)', '/reports/funnel?source=ads'],
      ['GET /reports/onboarding', '/reports/onboarding'],
      ['GET /reports/retention', '/reports/retention'],
    ];
    const rows: Array<Array<string | number>> = [];
    for (const [name, path] of routes) {
      await call(stack, 'GET', path); // warm-up: the handler's first load
      const ms: number[] = [];
      const statuses = new Set<number>();
      for (let i = 0; i < requests; i++) {
        const r = await call(stack, 'GET', path);
        ms.push(r.ms);
        statuses.add(r.status);
      }
      rows.push([name, requests, [...statuses].join(','), percentile(ms, 50).toFixed(1), percentile(ms, 95).toFixed(1), Math.max(...ms).toFixed(1)]);
    }
    const check = (await call(stack, 'GET', '/reports/funnel')).json;
    console.log(table(['phase', 'time'], [
      [`${leadIds.length} leads captured, ${Math.ceil(leadIds.length / 3)} moved to interest (HTTP)`, fmtMs(writtenMs)],
      ['then: the stream consumers caught up (streams.idle)', fmtMs(drainMs)],
    ]));
    console.log('');
    console.log(table(['route', 'n', 'status', 'p50 ms', 'p95 ms', 'max ms'], rows));
    console.log(`\nfunnel today: captured ${check.captured}, interest entered ${check.stages[1].entered}, templates ${check.templates.length}`);
  } finally {
    await stack.stop();
  }
}

await main();
