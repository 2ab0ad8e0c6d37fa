/**
 * Local runtime benchmark: time to ready, POST /leads and POST /events throughput and latency, and
 * whether an anonymous POST /leads takes as long for a known email as for a new one (it must not be
 * a way to learn who is on the list).
 *   npx tsx scripts/bench-local.ts [--leads 300] [--events 500] [--concurrency 8] [--probes 200] [--budget 1000] [--budget-concurrency 32]
 * Boots the real synthesized app (startLocalStack, DynamoDB Local in memory, ephemeral ports on
 * 127.0.0.1, time scale 1 so no nurture wait fires during the run), drives it over HTTP with bounded
 * loops, prints tables and stops everything it started (the DynamoDB Local child by PID, via stop()).
 * Handlers log at ERROR here so their output does not drown the tables. Figures: docs/benchmarks.md.
 */
import http from 'node:http';
import { fmtMs, machineNote, percentile, pool, table } from './bench-support.js';
import type { LocalStack } from '../local/stack.js';

// Before the SDK loads (dynamic import below): its Node 20 notice would land in the tables.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { startLocalStack } = await import('../local/stack.js');
const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand } = await import('@aws-sdk/lib-dynamodb');

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

interface Sample {
  ms: number;
  status: number;
}

/**
 * The clients post with node:http on a keep-alive agent: the HTTP client the SDK uses for the PutItem
 * unit, so both sides of the budget's ratio pay the same client. (fetch, undici over web streams, costs
 * the one event loop the stack also runs on several more turns per answer: measured, ~40 ms of a p50.)
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(stack: LocalStack, path: string, body: unknown, auth: boolean): Promise<Sample & { json: any }> {
  const payload = JSON.stringify(body);
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...(auth ? { authorization: `Bearer ${stack.apiKey}` } : {}) };
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${stack.apiUrl}${path}`, { method: 'POST', agent, headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ ms: performance.now() - t, status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`POST ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function summarize(name: string, samples: Sample[], wallMs: number, ok: (s: number) => boolean): Array<string | number> {
  const ms = samples.map((s) => s.ms);
  const failed = samples.filter((s) => !ok(s.status)).length;
  return [
    name,
    samples.length,
    failed,
    (samples.length / (wallMs / 1000)).toFixed(1),
    percentile(ms, 50).toFixed(0),
    percentile(ms, 95).toFixed(0),
    percentile(ms, 99).toFixed(0),
    Math.max(...ms).toFixed(0),
  ];
}

async function main(): Promise<void> {
  const leadCount = arg('--leads', 300);
  const eventCount = arg('--events', 500);
  const concurrency = arg('--concurrency', 8);
  console.log(`# Local runtime benchmark (${machineNote()}; concurrency ${concurrency})\n`);

  const t0 = performance.now();
  const stack = await startLocalStack({ dynamodb: 'memory', ports: 0, timeScale: 1, env: { LOG_LEVEL: 'ERROR' } });
  const readyMs = performance.now() - t0;
  const stopOnce = (() => {
    let stopping: Promise<void> | undefined;
    return () => (stopping ??= stack.stop());
  })();
  const onSignal = () => void stopOnce().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const run = Date.now().toString(36);
    // Warm-up (not measured): first requests pay for lazy paths (secrets, connection set-up).
    const warm = await post(stack, '/leads', { email: `warm.${run}@example.com`, consent: true }, true);
    await post(stack, '/events', { eventId: `warm-${run}`, type: 'email_opened', leadId: warm.json.leadId }, true);

    const leadSamples: Sample[] = [];
    const leadIds: string[] = [];
    const tLeads = performance.now();
    await pool([...Array(leadCount).keys()], concurrency, async (i) => {
      const r = await post(stack, '/leads', { email: `bench.${run}.${i}@example.com`, firstName: 'Bench', company: 'Acme', consent: true }, true);
      leadSamples.push(r);
      if (r.status === 201) leadIds.push(r.json.leadId);
    });
    const leadsWall = performance.now() - tLeads;
    if (leadIds.length === 0) throw new Error('no lead was created; cannot send events');

    const eventSamples: Sample[] = [];
    const tEvents = performance.now();
    // Round-robin over the leads: 8 in flight never touch the same lead (no optimistic-lock retries).
    // email_opened is worth little, so no lead changes stage (no execution restarts) during the run.
    await pool([...Array(eventCount).keys()], concurrency, async (i) => {
      const leadId = leadIds[i % leadIds.length];
      eventSamples.push(await post(stack, '/events', { eventId: `bench-${run}-${i}`, type: 'email_opened', leadId }, true));
    });
    const eventsWall = performance.now() - tEvents;

    // Enumeration by timing: anonymous posts for new and for known emails, alternating one at a
    // time (no queueing noise), each known email posted once (a first repeat, the costlier merge).
    const probes = arg('--probes', 200);
    const known = leadIds.length;
    const fresh: Sample[] = [];
    const again: Sample[] = [];
    for (let i = 0; i < Math.min(probes, known); i++) {
      fresh.push(await post(stack, '/leads', { email: `probe.${run}.${i}@example.com`, firstName: 'Probe', consent: true }, false));
      again.push(await post(stack, '/leads', { email: `bench.${run}.${i}@example.com`, firstName: 'Probe', consent: true }, false));
    }

    // The budget of the engine issue: POST /leads for a new lead against a bare conditional PutItem on
    // the same DynamoDB Local, interleaved in one run at 32 concurrent clients, while the leads'
    // nurturing runs as it does (their welcome sends compete for the same table). Posted with the API key:
    // an anonymous post is held to a 100 ms floor on purpose (its timing must not tell new from known).
    const budgetN = arg('--budget', 1000);
    const budgetC = arg('--budget-concurrency', 32);
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint }));
    const capture: number[] = [];
    const putItem: number[] = [];
    await pool([...Array(budgetN).keys()], budgetC, async (i) => {
      if (i % 2 === 0) {
        capture.push((await post(stack, '/leads', { email: `budget.${run}.${i}@example.com`, firstName: 'Budget', consent: true }, true)).ms);
      } else {
        const t = performance.now();
        await db.send(new PutCommand({ TableName: stack.tableName, Item: { pk: `BENCH#${run}#${i}`, sk: 'PUT', at: Date.now() }, ConditionExpression: 'attribute_not_exists(pk)' }));
        putItem.push(performance.now() - t);
      }
    });
    db.destroy();

    console.log(table(['phase', 'time'], [['startLocalStack → ready (synth, DynamoDB Local, SES, handlers loaded)', fmtMs(readyMs)]]));
    console.log('');
    console.log(
      table(
        ['request', 'n', 'failed', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        [
          summarize('POST /leads (API key, new lead, starts a funnel)', leadSamples, leadsWall, (s) => s === 201),
          summarize('POST /events (email_opened, API key → 202)', eventSamples, eventsWall, (s) => s === 202),
        ],
      ),
    );
    console.log('');
    const row = (name: string, xs: Sample[]) => {
      const ms = xs.map((x) => x.ms);
      return [name, xs.length, [...new Set(xs.map((x) => x.status))].join(','), percentile(ms, 25).toFixed(1), percentile(ms, 50).toFixed(1), percentile(ms, 75).toFixed(1), percentile(ms, 90).toFixed(1)];
    };
    console.log(
      table(
        ['anonymous POST /leads, one at a time', 'n', 'status', 'p25 ms', 'p50 ms', 'p75 ms', 'p90 ms'],
        [row('new email (creates, starts a funnel, asks to confirm)', fresh), row('known email (merges, asks to confirm)', again)],
      ),
    );
    console.log('');
    const ratio = (p: number) => (percentile(capture, p) / percentile(putItem, p)).toFixed(1);
    console.log(
      table(
        [`interleaved at ${budgetC} concurrent`, 'n', 'p50 ms', 'p99 ms'],
        [
          ['POST /leads (API key, new lead)', capture.length, percentile(capture, 50).toFixed(1), percentile(capture, 99).toFixed(1)],
          ['conditional PutItem (the unit)', putItem.length, percentile(putItem, 50).toFixed(1), percentile(putItem, 99).toFixed(1)],
          ['ratio (budget: p50 ≤ 2×, p99 ≤ 3×)', '', `${ratio(50)}×`, `${ratio(99)}×`],
        ],
      ),
    );
    const statuses = (xs: Sample[]) => [...new Set(xs.map((s) => s.status))].sort().join(',');
    console.log(`\nstatus codes: leads ${statuses(leadSamples)}; events ${statuses(eventSamples)}`);
    console.log(`executions started: ${stack.executions.list().length}; emails in local SES: ${(await stack.mail.list()).length}`);
  } finally {
    agent.destroy();
    await stopOnce();
  }
}

await main();
