/**
 * `npm run load`: posts N distinct leads at concurrency C and verifies the outcome end to end.
 *   npm run load -- [--leads 1000] [--concurrency 32] [--time-scale 3600] [--url http://127.0.0.1:3000 --key KEY --ses http://127.0.0.1:8005]
 * Without --url it boots its own local stack (DynamoDB Local in memory, ephemeral ports on 127.0.0.1,
 * a compressed clock) and stops it (the DynamoDB Local child by PID) on every exit path. With --url it
 * targets a running `npm start` (the key it printed; its SES for the mail check).
 *
 * Verified for every lead: it is stored (GET /leads/{leadId}), its funnel execution started (its
 * timeline has workflow_started), and it got exactly one welcome email (local SES GET /store).
 * Prints throughput and p50/p95/p99 latency; exits 1 when any verification fails.
 *
 *   npm run load -- --burst [--leads 13000] [--start-rate 250]
 * The burst of issue 9: 10× Step Functions' StartExecution bucket posted as fast as the API takes them,
 * on its own local stack whose StartExecution quota is AWS's in the large regions (a bucket of 1,300,
 * refilled at 300 per second). Prints how long the run outbox took to drain it, the longest a lead
 * waited between its answer and its run, how many start calls were throttled, and checks every lead
 * got exactly one run.
 */
import { fmtMs, machineNote, percentile, pool, table } from './bench-support.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const num = (name: string, fallback: number) => {
  const raw = arg(name);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a whole number ≥ 1, got ${raw}`);
  return n;
};

interface Target {
  apiUrl: string;
  apiKey: string;
  sesUrl: string;
  stop(): Promise<void>;
  /** The local stack, when this script booted it. */
  stack?: import('../local/stack.js').LocalStack;
}

const BURST_QUOTA = { bucket: 1_300, refillPerSecond: 300 };

async function boot(timeScale: number): Promise<Target> {
  const url = arg('--url');
  if (url) {
    const key = arg('--key') ?? process.env.SALES_API_KEY;
    if (!key) throw new Error('--url needs the API key: --key KEY or SALES_API_KEY');
    return { apiUrl: url.replace(/\/$/, ''), apiKey: key, sesUrl: (arg('--ses') ?? 'http://127.0.0.1:8005').replace(/\/$/, ''), stop: async () => {} };
  }
  const { startLocalStack } = await import('../local/stack.js');
  const burst = process.argv.includes('--burst');
  const stack = await startLocalStack({
    dynamodb: 'memory',
    ports: 0,
    timeScale,
    env: {
      LOG_LEVEL: 'ERROR',
      // The burst measures starts: its welcome emails may go as fast as the machine sends them.
      ...(burst ? { START_RATE: String(num('--start-rate', 250)), SEND_RATE_CEILING: '100000' } : {}),
    },
    ...(burst ? { startQuota: BURST_QUOTA } : {}),
  });
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stack.stop());
  const onSignal = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { apiUrl: stack.apiUrl, apiKey: stack.apiKey, sesUrl: stack.sesUrl, stop, stack };
}

/** `--burst`: post the burst, then wait for the run outbox to start every run; prints the figures. */
async function burst(target: Target, leads: number, concurrency: number): Promise<number> {
  const stack = target.stack;
  if (!stack) throw new Error('--burst runs on its own local stack (it sets the StartExecution quota): leave out --url');
  const run = Date.now().toString(36);
  const answered = new Map<string, number>();
  const statuses: Record<string, number> = {};
  const tPost = performance.now();
  const t0 = Date.now();
  await pool([...Array(leads).keys()], concurrency, async (i) => {
    const r = await call(target, 'POST', '/leads', { email: `burst.${run}.${i}@example.com`, firstName: `Burst ${i}` }).catch(() => ({ status: 0, json: undefined, ms: NaN }));
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status === 201 && r.json?.leadId) answered.set(`${r.json.leadId}-r1`, Date.now());
  });
  const postedMs = performance.now() - tPost;
  const deadline = Date.now() + Number(arg('--verify-timeout-ms') ?? 1_800_000);
  let started = stack.executions.list('LeadFunnel');
  while (started.length < answered.size && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    started = stack.executions.list('LeadFunnel');
  }
  await stack.streams.idle({ timeoutMs: 120_000 }).catch(() => undefined);
  started = stack.executions.list('LeadFunnel');
  const names = started.map((e) => e.name);
  const waits = started.map((e) => e.startDate.getTime() - (answered.get(e.name) ?? e.startDate.getTime()));
  const lastStart = Math.max(...started.map((e) => e.startDate.getTime()));
  const missing = [...answered.keys()].filter((n) => !names.includes(n));
  const doubled = names.length - new Set(names).size;
  console.log(
    table(
      ['burst', 'value'],
      [
        ['leads posted', `${leads} (${JSON.stringify(statuses)}) in ${fmtMs(postedMs)}`],
        ['StartExecution quota', `bucket ${BURST_QUOTA.bucket}, refill ${BURST_QUOTA.refillPerSecond}/s (START_RATE ${num('--start-rate', 250)}/s)`],
        ['runs started', `${new Set(names).size}/${answered.size}`],
        ['drain time', `${fmtMs(lastStart - t0)} from the first post to the last run started`],
        ['longest wait of a lead', `${fmtMs(Math.max(...waits))} between its 201 and its run (p50 ${fmtMs(percentile(waits, 50))}, p99 ${fmtMs(percentile(waits, 99))})`],
        ['start calls throttled', stack.startQuota.throttled],
        ['start calls accepted', `${stack.startQuota.accepted} (${stack.startQuota.accepted - new Set(names).size} refused as duplicates)`],
      ],
    ),
  );
  if (missing.length || doubled || answered.size !== leads) {
    console.log(`\nFAILED: ${leads - answered.size} not answered 201, ${missing.length} without a run, ${doubled} with two runs`);
    return 1;
  }
  console.log('\nOK: every lead of the burst got exactly one run');
  return 0;
}

async function call(target: Target, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; ms: number }> {
  const t = performance.now();
  const res = await fetch(`${target.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${target.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, ms: performance.now() - t };
}

async function main(): Promise<number> {
  const isBurst = process.argv.includes('--burst');
  const leads = num('--leads', isBurst ? BURST_QUOTA.bucket * 10 : 1000);
  const concurrency = num('--concurrency', 32);
  // A burst runs in real time: a quota is per real second, and the runs should only start, not race ahead.
  const timeScale = num('--time-scale', isBurst ? 1 : 3600);
  if (isBurst) {
    console.log(`# Burst: ${leads} leads at concurrency ${concurrency} against a StartExecution quota of ${BURST_QUOTA.bucket}/${BURST_QUOTA.refillPerSecond} (${machineNote()})\n`);
    const target = await boot(timeScale);
    try {
      return await burst(target, leads, concurrency);
    } finally {
      await target.stop();
    }
  }
  console.log(`# Load: ${leads} leads at concurrency ${concurrency} (${machineNote()}${arg('--url') ? `; target ${arg('--url')}` : `; own local stack, time scale ${timeScale}`})\n`);
  const t0 = performance.now();
  const target = await boot(timeScale);
  const readyMs = performance.now() - t0;
  try {
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const emailOf = (i: number) => `load.${run}.${i}@example.com`;
    const samples: Array<{ ms: number; status: number }> = [];
    const ids = new Map<number, string>();
    const tPost = performance.now();
    await pool([...Array(leads).keys()], concurrency, async (i) => {
      try {
        const r = await call(target, 'POST', '/leads', { email: emailOf(i), firstName: `Load ${i}`, company: 'Load Test Ltd', consent: true });
        samples.push({ ms: r.ms, status: r.status });
        if (r.status === 201 && r.json?.leadId) ids.set(i, r.json.leadId);
      } catch (err) {
        samples.push({ ms: NaN, status: 0 });
      }
    });
    const wallMs = performance.now() - tPost;
    const ms = samples.map((s) => s.ms).filter(Number.isFinite);
    const statuses = samples.reduce<Record<string, number>>((acc, s) => ((acc[s.status] = (acc[s.status] ?? 0) + 1), acc), {});
    console.log(
      table(
        ['phase', 'value'],
        [
          ['stack ready', arg('--url') ? '(external)' : fmtMs(readyMs)],
          ['POST /leads sent', samples.length],
          ['answered 201', statuses['201'] ?? 0],
          ['status codes', JSON.stringify(statuses)],
          ['wall time', fmtMs(wallMs)],
          ['throughput', `${(samples.length / (wallMs / 1000)).toFixed(1)} req/s`],
          ['latency p50', `${percentile(ms, 50).toFixed(0)} ms`],
          ['latency p95', `${percentile(ms, 95).toFixed(0)} ms`],
          ['latency p99', `${percentile(ms, 99).toFixed(0)} ms`],
          ['latency max', `${Math.max(...ms).toFixed(0)} ms`],
        ],
      ),
    );

    // Verification: stored, funnel started, exactly one welcome email. Emails and runs are asynchronous:
    // poll (bounded) until every lead has them or the deadline passes.
    const problems: string[] = [];
    for (let i = 0; i < leads; i++) if (!ids.has(i)) problems.push(`lead ${i} (${emailOf(i)}) was not created: ${samples[i]?.status ?? '?'}`);
    // The awareness programme's first step (workflows/programmes/funnel.ts → awareness-welcome).
    const welcomeSubject = arg('--welcome-subject') ?? 'Thanks for getting in touch';
    const started = new Set<string>();
    const stored = new Set<string>();
    const deadline = Date.now() + Number(arg('--verify-timeout-ms') ?? 180_000);
    let welcome = new Map<string, number>();
    for (;;) {
      await pool([...ids.values()].filter((id) => !started.has(id)), Math.min(concurrency, 16), async (leadId) => {
        const r = await call(target, 'GET', `/leads/${leadId}`);
        if (r.status !== 200) return;
        stored.add(leadId);
        if ((r.json.timeline ?? []).some((e: any) => e.type === 'workflow_started')) started.add(leadId);
      });
      const store = (await (await fetch(`${target.sesUrl}/store`, { signal: AbortSignal.timeout(30_000) })).json()) as { emails: any[] };
      welcome = new Map();
      for (const m of store.emails) {
        const to: string[] = m.destination?.to ?? [];
        for (const address of to) {
          const match = /load\.[^.]+\.(\d+)@example\.com/.exec(address);
          if (match && match[0].includes(run) && String(m.subject ?? '').includes(welcomeSubject)) welcome.set(match[0], (welcome.get(match[0]) ?? 0) + 1);
        }
      }
      const allMailed = [...ids.keys()].every((i) => (welcome.get(emailOf(i)) ?? 0) >= 1);
      if ((started.size === ids.size && allMailed) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const tVerified = performance.now();
    for (const [i, leadId] of ids) {
      if (!stored.has(leadId)) problems.push(`lead ${leadId} (${emailOf(i)}) is not stored`);
      else if (!started.has(leadId)) problems.push(`lead ${leadId} (${emailOf(i)}): no funnel execution started`);
      const n = welcome.get(emailOf(i)) ?? 0;
      if (n !== 1) problems.push(`lead ${leadId} (${emailOf(i)}) got ${n} welcome emails, expected exactly 1`);
    }
    const twice = [...welcome.values()].filter((n) => n > 1).length;
    console.log(
      `\nverified in ${fmtMs(tVerified - tPost - wallMs)} after the last post: stored ${stored.size}/${leads}, funnel started ${started.size}/${leads}, ` +
        `exactly one welcome email ${[...ids.keys()].filter((i) => welcome.get(emailOf(i)) === 1).length}/${leads}${twice ? `, ${twice} got more than one` : ''}`,
    );
    if (problems.length) {
      console.log(`\nFAILED: ${problems.length} problem(s)\n${problems.slice(0, 20).map((p) => `  - ${p}`).join('\n')}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`);
      return 1;
    }
    console.log('\nOK: every lead stored, its funnel started, and exactly one welcome email each');
    return 0;
  } finally {
    await target.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('load failed:', err);
    process.exit(1);
  },
);
