/**
 * Properties of the workflow engine over random valid programmes (fast-check): each synthesizes,
 * passes asl-validator, and runs on the local runtime with stub task functions — every send step
 * delivered at most once per subject (a cap deferral tries the same step again, never a second
 * delivery), exactly the sends on the path the branches and splits take, and run-time due dates
 * (waitUntil) passing on the compressed clock.
 */
import validator from 'asl-validator';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stepSchemas } from '../../workflows/engine/schema.js';
import type { Step } from '../../workflows/engine/steps.js';
import { localExecutions, stubRuntime, synthesizeProgramme, type StubCall } from '../support/engine/harness.js';

const SCALE = 20_000_000;
const DAY_MS = 86_400_000;
const RUNS = Number(process.env.ENGINE_PROPERTY_RUNS ?? 12);
const TEMPLATES = ['t-a', 't-b', 't-c'];

/** A random valid step list; `ids` numbers steps so send ids are unique across the whole programme. */
function stepsArb(depth: number): fc.Arbitrary<Array<(ids: () => number) => Step[]>> {
  const send = fc.record({ template: fc.constantFrom(...TEMPLATES), category: fc.constantFrom('marketing', 'transactional', 'recycle' as const) })
    .map((s) => (ids: () => number) => [{ kind: 'send', id: `s${ids()}`, template: s.template, category: s.category } as Step]);
  const wait = fc.record({ days: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }), hours: fc.integer({ min: 1, max: 48 }) })
    .map((w) => () => [{ kind: 'wait', ...(w.days ? { days: w.days } : {}), hours: w.hours } as Step]);
  const waitUntil = fc.constant((ids: () => number) => [{ kind: 'waitUntil', id: `due-${ids()}`, at: 'dueAt' } as Step]);
  const probe = fc.constantFrom('a', 'b', 'c').map((route) => (ids: () => number) => [{ kind: 'task', id: `t${ids()}`, task: 'probe', payload: { route } } as Step]);
  const leaves = [send, send, wait, waitUntil, probe];
  if (depth <= 0) return fc.array(fc.oneof(...leaves), { minLength: 1, maxLength: 4 });
  const nested = stepsArb(depth - 1);
  const build = (list: Array<(ids: () => number) => Step[]>, ids: () => number) => list.flatMap((make) => make(ids));
  const waitForEvent = fc.record({ hours: fc.integer({ min: 1, max: 72 }), onTimeout: nested }).map((w) => (ids: () => number) => [
    { kind: 'waitForEvent', id: `e${ids()}`, event: 'reply', timeout: { hours: w.hours }, onTimeout: build(w.onTimeout, ids) } as Step,
  ]);
  // A branch routes on the result of the task step just before it.
  const branch = fc.record({ route: fc.constantFrom('a', 'b', 'c'), a: nested, b: nested, otherwise: nested }).map((b) => (ids: () => number) => {
    const task = `t${ids()}`;
    return [
      { kind: 'task', id: task, task: 'probe', payload: { route: b.route }, keep: ['route'] } as Step,
      { kind: 'branch', id: `b${ids()}`, on: `${task}.route`, cases: [{ equals: 'a', steps: build(b.a, ids) }, { equals: 'b', steps: build(b.b, ids) }], otherwise: build(b.otherwise, ids) } as Step,
    ];
  });
  const split = fc.record({ percent: fc.integer({ min: 0, max: 100 }), x: nested, y: nested }).map((s) => (ids: () => number) => [
    { kind: 'split', id: `ab${ids()}`, arms: [{ name: 'x', percent: s.percent, steps: build(s.x, ids) }, { name: 'y', percent: 100 - s.percent, steps: build(s.y, ids) }] } as Step,
  ]);
  return fc.array(fc.oneof(...leaves, waitForEvent, branch, split), { minLength: 1, maxLength: 4 });
}

const programmeArb = stepsArb(2).map((list) => {
  let n = 0;
  return list.flatMap((make) => make(() => ++n));
});

/** The stub ChooseArm: deterministic from subject and split, like the real one. */
const armFor = (leadId: string, splitId: string, arms: Array<{ name: string; percent: number }>) => {
  const bucket = [...`${splitId}:${leadId}`].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 100, 7);
  let upTo = 0;
  for (const arm of arms) if (bucket < (upTo += arm.percent)) return arm.name;
  return arms.at(-1)!.name;
};

/** The send (and waitUntil) ids on the path the stubs' answers take through the programme. */
function expectedPath(steps: Step[], leadId: string, last: { route?: string } = {}): string[] {
  return steps.flatMap((step): string[] => {
    switch (step.kind) {
      case 'send': return [step.id];
      case 'waitUntil': return [step.id];
      case 'task': last.route = String(step.payload?.route); return [];
      case 'waitForEvent': return expectedPath(step.onTimeout, leadId, last);
      case 'branch': return expectedPath(step.cases.find((c) => c.equals === last.route)?.steps ?? step.otherwise, leadId, last);
      case 'split': return expectedPath(step.arms.find((a) => a.name === armFor(leadId, step.id, step.arms))!.steps, leadId, last);
      default: return [];
    }
  });
}

const SUBJECTS = ['lead-1', 'lead-2'];
const stopAll: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const stop of stopAll) await stop();
});

describe('the workflow engine, over random valid programmes', () => {
  it('synthesizes each into a valid definition that runs locally, delivering every send step at most once per subject', async () => {
    const { list } = stepSchemas({ templates: TEMPLATES, tasks: ['probe'] });
    await fc.assert(
      fc.asyncProperty(programmeArb, fc.integer({ min: 0, max: 2 }), async (steps, deferrals) => {
        expect(list.safeParse(steps).success).toBe(true);
        const definition = synthesizeProgramme(steps);
        const validation = validator(definition);
        expect(validation.errorsText()).toBe('');

        const calls: StubCall[] = [];
        const deferred = new Map<string, number>();
        const runtime = stubRuntime({
          SendEmail: (p) => {
            // The first `deferrals` tries of each step are deferred by the cap: control flow, not delivery.
            const key = `${p.leadId}/${p.stepId}`;
            const seen = deferred.get(key) ?? 0;
            if (seen < deferrals) {
              deferred.set(key, seen + 1);
              // A deferral's message is when the send may go: here at once (a past time passes straight through).
              throw Object.assign(new Error(new Date(0).toISOString()), { name: 'SendDeferred' });
            }
            return { outcome: 'sent' };
          },
          ChooseArm: (p) => ({ arm: armFor(p.leadId, p.splitId, p.arms) }),
          Probe: (p) => ({ route: p.route }),
          RecordFailure: () => ({}),
        }, calls);
        const { executions, virtualNow } = localExecutions(runtime, SCALE);
        stopAll.push(() => executions.stopAll());
        const arn = executions.addMachine('EngineTest', definition as never);
        const dueAt = virtualNow() + 3 * DAY_MS;
        const runs = SUBJECTS.map((leadId) => executions.start(arn, `${leadId}-r1`, JSON.stringify({ leadId, run: 1, entry: 'main', dueAt: new Date(dueAt).toISOString() })));
        await Promise.all(runs.map((r) => r.done));

        for (const [i, leadId] of SUBJECTS.entries()) {
          expect(runs[i]!.status, `${leadId}: ${runs[i]!.error} ${runs[i]!.cause}`).toBe('SUCCEEDED');
          const delivered = calls.filter((c) => c.fn === 'SendEmail' && c.payload.leadId === leadId).map((c) => c.payload.stepId);
          const attempts = new Map<string, number>();
          for (const id of delivered) attempts.set(id, (attempts.get(id) ?? 0) + 1);
          // Each send step is tried once plus once per deferral, and delivered (not deferred) once.
          for (const [id, n] of attempts) expect(n, `${leadId} ${id}`).toBe(deferrals + 1);
          expect([...attempts.keys()]).toEqual(expectedPath(steps, leadId).filter((id) => id.startsWith('s')));
          expect(calls.filter((c) => c.fn === 'RecordFailure')).toEqual([]);
        }
        // A run-time due date holds a run back until it has passed on the compressed clock.
        if (SUBJECTS.some((leadId) => expectedPath(steps, leadId).some((id) => id.startsWith('due-')))) expect(virtualNow()).toBeGreaterThanOrEqual(dueAt);
      }),
      // A fixed seed in `npm test` (reproducible); ENGINE_PROPERTY_RUNS or ENGINE_PROPERTY_SEED explore further.
      { numRuns: RUNS, seed: process.env.ENGINE_PROPERTY_SEED ? Number(process.env.ENGINE_PROPERTY_SEED) : process.env.ENGINE_PROPERTY_RUNS ? undefined : 20_261_127 },
    );
    // Each run synthesizes a state machine and runs three subjects through it: on 2 shared cores a dozen
    // runs have taken a minute; the default per-test limit would fail a correct engine on a busy machine.
  }, 240_000);
});
