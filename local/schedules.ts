/**
 * The template's scheduled EventBridge rules, run locally: every `AWS::Events::Rule` with a
 * `rate(...)` ScheduleExpression that targets a template Lambda invokes it on the compressed clock
 * (the rate divided by the time scale, but never more often than every MIN_INTERVAL_MS), with an
 * event shaped like EventBridge's "Scheduled Event". `cron(...)` rules are refused, not ignored.
 */
import { randomUUID } from 'node:crypto';
import type { DiscreteClock } from './discrete-clock.js';
import type { FunctionRuntime } from './functions.js';
import { resolveIntrinsics, resourcesOfType, type CfnTemplate, type ReferenceMap } from './template.js';

/** A daily rule at ×86400 would fire every real second at most; faster would only pile up invocations. */
export const MIN_INTERVAL_MS = 1_000;

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export interface LocalSchedule {
  ruleId: string;
  /** Virtual milliseconds between invocations. */
  rateMs: number;
  targets: string[];
}

/** `rate(1 day)`, `rate(5 minutes)` → milliseconds. */
export function rateMs(expression: string): number {
  const m = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression.trim());
  if (!m || Number(m[1]) < 1) throw new Error(`unsupported schedule expression ${expression}: the local runtime runs rate(N minute|hour|day) only`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export function readSchedules(template: CfnTemplate, refs: ReferenceMap): LocalSchedule[] {
  return resourcesOfType(template, 'AWS::Events::Rule').flatMap(([ruleId, res]) => {
    const expression = res.Properties?.ScheduleExpression;
    if (typeof expression !== 'string') return [];
    if (res.Properties?.State === 'DISABLED') return [];
    const targets = ((res.Properties?.Targets ?? []) as Array<{ Arn: unknown }>).map((t) => String(resolveIntrinsics(t.Arn, refs, template)));
    return [{ ruleId, rateMs: rateMs(expression), targets }];
  });
}

/**
 * Starts a timer per scheduled rule; the returned function stops them and waits for invocations in
 * flight. A failed invocation is logged and the rule keeps its schedule, as EventBridge would.
 * With `discrete`, each rule is a recurring timer of the discrete-event clock instead, at its rate in
 * virtual time but never more often than `floorMs` (every tick would otherwise be a jump of its own).
 */
export function startSchedules(
  template: CfnTemplate,
  refs: ReferenceMap,
  functions: FunctionRuntime,
  scale: number,
  discrete?: { clock: DiscreteClock; floorMs: number },
): () => Promise<void> {
  const timers: NodeJS.Timeout[] = [];
  const stops: Array<() => void> = [];
  const inFlight = new Set<Promise<unknown>>();
  for (const schedule of readSchedules(template, refs)) {
    for (const target of schedule.targets) {
      if (!functions.find(target)) throw new Error(`Rule ${schedule.ruleId} targets ${target}, which is not a Lambda function of this template`);
    }
    const interval = Math.max(MIN_INTERVAL_MS, schedule.rateMs / scale);
    let running = false;
    const invokeTargets = () => {
      const event = scheduledEvent(schedule.ruleId, discrete ? discrete.clock.now() : new Date());
      return Promise.all(schedule.targets.map((t) => functions.invoke(t, event).catch((err) => console.error(`[local] rule ${schedule.ruleId} → ${t}:`, err))));
    };
    if (discrete) {
      // The clock waits for each run before it moves on, so runs of one rule never overlap here.
      const tick = () => {
        const run = invokeTargets().finally(() => inFlight.delete(run));
        inFlight.add(run);
        return run;
      };
      stops.push(discrete.clock.every(Math.max(schedule.rateMs, discrete.floorMs), tick));
      continue;
    }
    const fire = () => {
      // One invocation per rule at a time: a slow run is not overlapped by the next tick.
      if (running) return;
      running = true;
      const run = invokeTargets().finally(() => {
        running = false;
        inFlight.delete(run);
      });
      inFlight.add(run);
    };
    const timer = setInterval(fire, interval);
    timer.unref();
    timers.push(timer);
  }
  return async () => {
    for (const t of timers) clearInterval(t);
    for (const stop of stops) stop();
    await Promise.all([...inFlight]);
  };
}

/** The event EventBridge gives a scheduled rule's target. */
function scheduledEvent(ruleId: string, time: Date) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    time: time.toISOString(),
    resources: [ruleId],
    detail: {},
  };
}
