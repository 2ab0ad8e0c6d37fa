/**
 * The one schema programmes are validated with, once, at synth (infra and the tests import it; the
 * Lambdas that read programme data do not, so their bundles carry no schema for it). A bad value is
 * reported with its path, the way a person would point at it: `stages.awareness[2].template: names no template`.
 */
import { z } from 'zod';
import { SEND_WINDOWS } from '../../functions/core/send-window.js';
import type { Span, Step } from './steps.js';

export interface StepRules {
  /** Template names a send may use. */
  templates: readonly string[];
  /** Function keys a task step may call. */
  tasks?: readonly string[];
}

/** Step ids end up in state names and ledger keys: keep them short and plain. */
export const stepId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and dashes (max 40)');

const positive = z.number().positive();
const spanParts = { days: positive.optional(), hours: positive.optional(), minutes: positive.optional() };
const hasLength = (w: Span) => w.days !== undefined || w.hours !== undefined || w.minutes !== undefined;
const lengthMessage = { message: 'a wait needs days, hours or minutes' };
const timeout = z.strictObject(spanParts).refine(hasLength, lengthMessage);
const wait = z.strictObject({ kind: z.literal('wait'), ...spanParts }).refine(hasLength, lengthMessage);

/** Schemas of the step kinds for one set of templates and tasks. */
export function stepSchemas(rules: StepRules) {
  const templates = new Set(rules.templates);
  const steps: z.ZodType<Step[]> = z.lazy(() => z.array(step));
  const step: z.ZodType<Step> = z.lazy(() =>
    z.discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('send'),
        id: stepId,
        template: z.string().refine((name) => templates.has(name), { message: 'names no template in workflows/templates' }),
        category: z.enum(['marketing', 'transactional', 'recycle']),
        window: z.enum(SEND_WINDOWS, { message: `must be ${SEND_WINDOWS.map((w) => `'${w}'`).join(' or ')}` }).optional(),
      }),
      wait,
      z.strictObject({ kind: z.literal('waitUntil'), id: stepId, at: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'must be a field path like dueAt or module.dueAt') }),
      z.strictObject({ kind: z.literal('waitForEvent'), id: stepId, event: z.string().min(1).max(40), timeout, onTimeout: steps }),
      z.strictObject({
        kind: z.literal('branch'),
        id: stepId,
        on: z.string().regex(/^[a-z0-9][a-z0-9-]*\.[A-Za-z][A-Za-z0-9]*$/, 'must be <task id>.<field>'),
        cases: z.array(z.strictObject({ equals: z.union([z.string().min(1), z.number(), z.boolean()]), steps })).min(1, 'a branch needs a case'),
        otherwise: steps,
      }),
      z.strictObject({
        kind: z.literal('split'),
        id: stepId,
        arms: z
          .array(z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,19}$/, 'must be a short plain name'), percent: z.number().int().min(0).max(100), steps }))
          .min(2, 'a split needs at least two arms')
          .refine((arms) => arms.reduce((sum, a) => sum + a.percent, 0) === 100, { message: 'arm percentages must add up to 100' })
          .refine((arms) => new Set(arms.map((a) => a.name)).size === arms.length, { message: 'arm names must differ' }),
      }),
      z.strictObject({
        kind: z.literal('task'),
        id: stepId,
        task: rules.tasks ? z.enum(rules.tasks as [string, ...string[]]) : z.string().min(1),
        payload: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
        keep: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/)).optional(),
      }),
    ]),
  ) as z.ZodType<Step>;
  /** A programme's list of steps (a stage, the recycle nurture): send ids unique in all of it. */
  const list = z.array(step).superRefine(uniqueSendIds);
  return { step, list };
}

/**
 * Send ids must be unique across a list and everything nested in it: the exactly-once ledger is keyed
 * by them, so two sends with one id would deliver only the first.
 */
function uniqueSendIds(steps: Step[], ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  const walk = (list: Step[], path: (string | number)[]) =>
    list.forEach((s, i) => {
      const at = [...path, i];
      if (s.kind === 'send') {
        if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [...at, 'id'], message: `duplicate send id "${s.id}"` });
        seen.add(s.id);
      } else if (s.kind === 'waitForEvent') walk(s.onTimeout, [...at, 'onTimeout']);
      else if (s.kind === 'branch') {
        s.cases.forEach((c, k) => walk(c.steps, [...at, 'cases', k, 'steps']));
        walk(s.otherwise, [...at, 'otherwise']);
      } else if (s.kind === 'split') s.arms.forEach((a, k) => walk(a.steps, [...at, 'arms', k, 'steps']));
    });
  walk(steps, []);
}

/** `stages.awareness[2].template` — the way a person would point at the value. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

/** Parses with a schema; throws one message listing every problem with its path. */
export function validateWith<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    const seen = new Set<string>();
    const problems = result.error.issues
      .map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`)
      .filter((p) => !seen.has(p) && seen.add(p));
    throw new Error(`invalid ${what} — ${problems.join('; ')}`);
  }
  return result.data;
}
