/**
 * `npx tsx scripts/bench-clock.ts [--leads 300] [--days 30] [--burst] [--resolution-ms 0] [--ceiling 100000]`
 *
 * The discrete-event clock's speed and faithfulness (issue 8 §4): boots the real synthesized app on the
 * discrete clock (DynamoDB Local in memory, ephemeral ports), lets N leads arrive spread evenly over the
 * first half of D virtual days (or all at once with --burst) through POST /leads, drives the clock to day D,
 * and prints virtual days and lead-days per wall second, the clock's counters (timers fired, jumps, max
 * lateness of a timer against its due time) and the largest difference between an awareness send's gap
 * and the programmed wait before it, over every lead. A benchmark, not a test: figures depend on the machine.
 *
 * --ceiling sets SEND_RATE_CEILING (sends per virtual second): the ceiling's in-place wait for a slot is
 * real time, so a ceiling a burst exceeds costs wall time per retry round (see docs/internals.md).
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS } from '../functions/core/clock.js';
import { spanSeconds } from '../workflows/engine/steps.js';
import { funnelProgramme } from '../workflows/programmes/funnel.js';
import { startLocalStack } from '../local/stack.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`--${name} must be a number ≥ 0, got ${process.argv[i + 1]}`);
  return n;
}

const leads = arg('leads', 300);
const days = arg('days', 30);
const burst = process.argv.includes('--burst');
const resolutionMs = arg('resolution-ms', 0);
const ceiling = arg('ceiling', 100_000);
/** A Monday morning well ahead of the wall clock. */
const START = Date.parse('2031-03-03T09:00:00.000Z');

const bootStarted = performance.now();
const stack = await startLocalStack({
  clock: { mode: 'discrete', resolutionMs },
  virtualStartMs: START,
  dynamodb: 'memory',
  ports: 0,
  tableName: `bench-clock-${randomUUID().slice(0, 8)}`,
  env: { LOG_LEVEL: 'ERROR', SEND_RATE_CEILING: String(ceiling) },
});
const bootMs = performance.now() - bootStarted;

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
};

try {
  const end = START + days * DAY_MS;
  // Arrival times: evenly over the first half of the period, so every lead lives through some waits.
  const arrivals = [...Array(leads).keys()].map((i) => (burst ? START : START + Math.floor((i * days * DAY_MS) / 2 / Math.max(1, leads))));
  const leadIds: Array<{ id: string; arrivedAt: number }> = [];
  const started = performance.now();
  let lastReport = started;
  const progress = () => {
    const now = performance.now();
    if (now - lastReport < 5_000) return;
    lastReport = now;
    const s = stack.clock.stats();
    console.log(`  … virtual day ${((s.nowMs - START) / DAY_MS).toFixed(1)} of ${days}, ${leadIds.length} leads in, ${s.timersFired} timers fired, ${((now - started) / 1000).toFixed(0)} s`);
  };
  for (let i = 0; i < arrivals.length; ) {
    const at = arrivals[i]!;
    await stack.clock.runUntil(at);
    // Everyone arriving in this instant, 32 requests at a time.
    const group: number[] = [];
    while (i < arrivals.length && arrivals[i] === at) group.push(i++);
    for (let j = 0; j < group.length; j += 32) {
      await Promise.all(
        group.slice(j, j + 32).map(async (n) => {
          const { status, body } = await call('POST', '/leads', { email: `bench-${n}-${randomUUID().slice(0, 6)}@example.com`, firstName: 'Bench', consent: true });
          if (status !== 201) throw new Error(`POST /leads → ${status} ${JSON.stringify(body)}`);
          leadIds.push({ id: body.leadId, arrivedAt: at });
        }),
      );
    }
    progress();
  }
  for (let t = stack.clock.nowMs(); t < end; ) {
    t = Math.min(end, t + DAY_MS);
    await stack.clock.runUntil(t);
    progress();
  }
  const wallMs = performance.now() - started;
  const stats = stack.clock.stats();

  // Faithfulness: each awareness send's gap to the send before it, against the programmed wait.
  const awareness = funnelProgramme.stages.awareness;
  const gaps = awareness.flatMap((step, k) => {
    const wait = awareness[k - 1];
    return step.kind === 'send' && wait?.kind === 'wait' ? [{ stepId: step.id, afterMs: spanSeconds(wait) * 1000 }] : [];
  });
  let worstMs = 0;
  let measured = 0;
  for (const { id } of leadIds) {
    const { body } = await call('GET', `/leads/${id}`);
    const sent = new Map<string, number>((body.timeline as Array<{ type: string; at: string; data?: { stepId?: string } }>).filter((e) => e.type === 'email_sent').map((e) => [e.data?.stepId ?? '', Date.parse(e.at)]));
    let previous = sent.get('welcome');
    for (const { stepId, afterMs } of gaps) {
      const at = sent.get(stepId);
      if (previous === undefined || at === undefined) break;
      worstMs = Math.max(worstMs, Math.abs(at - previous - afterMs));
      measured += 1;
      previous = at;
    }
  }

  const leadDays = leadIds.reduce((sum, l) => sum + (end - l.arrivedAt) / DAY_MS, 0);
  const mails = ((await (await fetch(`${stack.sesUrl}/store`)).json()) as { emails: unknown[] }).emails.length;
  console.log(`
Discrete-event clock: ${leads} leads ${burst ? 'at once' : `arriving over ${days / 2} days`}, ${days} virtual days, resolution ${resolutionMs} ms, send ceiling ${ceiling}/s
  boot (synth, DynamoDB Local, handlers)   ${(bootMs / 1000).toFixed(1)} s
  wall time (arrivals + run)               ${(wallMs / 1000).toFixed(1)} s
  virtual days per wall second             ${(days / (wallMs / 1000)).toFixed(2)}
  lead-days per wall second                ${(leadDays / (wallMs / 1000)).toFixed(0)}  (${leadDays.toFixed(0)} lead-days)
  emails sent                              ${mails}
  timers fired / jumps                     ${stats.timersFired} / ${stats.jumps}
  idle checks, nothing else running (wall) ${(stats.probeWallMs / 1000).toFixed(1)} s (${((100 * stats.probeWallMs) / wallMs).toFixed(0)}% of the run: the clock's own cost)
  max lateness of a timer (virtual)        ${stats.maxLatenessMs} ms
  worst awareness wait vs programme        ${(worstMs / 3_600_000).toFixed(3)} h over ${measured} waits`);
} finally {
  await stack.stop();
}
