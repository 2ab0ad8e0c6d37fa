/**
 * A scenario: who arrives (sources and their shares), how people behave (per funnel stage, and per source as
 * multipliers), what they buy, the sales team, and how customers use the product. JSON, validated here with
 * the path of a bad value (`behaviour.open.awareness: must be at most 1`). The shipped default is
 * scenarios/default.json.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const DEFAULT_SCENARIO = fileURLToPath(new URL('./scenarios/default.json', import.meta.url));

/** The funnel stages a lead's email can come from, as the behaviour model sees them. */
export const NURTURE_STAGES = ['awareness', 'interest', 'consideration', 'decision', 'recycle'] as const;
export type NurtureStage = (typeof NURTURE_STAGES)[number];

const probability = z.number().min(0).max(1);
const positive = z.number().positive();
/** [min, max] with min ≤ max. */
const range = (what: z.ZodNumber) => z.tuple([what, what]).refine(([lo, hi]) => lo <= hi, { message: 'must be [min, max] with min ≤ max' });
const hoursRange = range(z.number().min(0));
const perStage = z.strictObject(Object.fromEntries(NURTURE_STAGES.map((s) => [s, probability])) as Record<NurtureStage, typeof probability>);
const multiplier = z.number().min(0).max(10);

const source = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be 1–40 characters a-z, 0-9 or -'),
  share: positive,
  utm_campaign: z.string().min(1).max(60).optional(),
  /** Share of the source's leads who give marketing consent. */
  consent: probability,
  multipliers: z
    .strictObject({ open: multiplier, click: multiplier, demo: multiplier, purchase: multiplier, unsubscribe: multiplier })
    .partial()
    .optional(),
});

const plan = z.strictObject({
  name: z.string().min(1).max(40),
  share: positive,
  amount: z.number().min(0),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO currency code'),
  termMonths: z.number().int().min(1).max(36),
});

const role = z.enum(['sdr', 'ae', 'csm']);

export const scenarioSchema = z.strictObject({
  name: z.string().min(1).max(80),
  description: z.string().max(2000).optional(),
  /** The virtual calendar day the simulation starts on (fixed, so business hours and weekdays repeat). */
  startDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'),
  sources: z.array(source).min(1).max(20),
  /** How arrivals spread over the period: evenly, or on weekdays only. */
  arrivals: z.enum(['uniform', 'weekdays']),
  behaviour: z.strictObject({
    /** Chance a lead opens an email of the stage. */
    open: perStage,
    /** Chance an opened email is clicked. */
    click: perStage,
    /** Chance a click leads on to a pricing page or a content download (the score moves). */
    engage: perStage,
    /** Chance a click leads to a demo request (qualifies for decision at once). */
    demo: perStage,
    /** Chance an email is answered by unsubscribing. */
    unsubscribe: perStage,
    /** Chance a decision-stage email ends in a purchase. */
    purchase: probability,
    /** Chance a lead who had every decision email without buying is marked lost. */
    lost: probability,
    delaysHours: z.strictObject({ open: hoursRange, click: hoursRange, engage: hoursRange, demo: hoursRange, purchase: hoursRange }),
  }),
  plans: z.array(plan).min(1).max(10),
  reps: z.strictObject({
    managerEmail: z.email(),
    /** Certified from day 0 (they run through onboarding at once). */
    initial: z.array(z.strictObject({ role, count: z.number().int().min(1).max(50) })).min(1),
    /** New hires during the period, who onboard at the pace below. */
    hires: z.array(z.strictObject({ day: z.number().min(0), role, count: z.number().int().min(1).max(50) })),
    /** Days a hire takes per module. */
    moduleDays: range(z.number().min(0)),
    /** Chance a quiz attempt passes. */
    quizPass: probability,
    signoffHours: hoursRange,
    /** Hours a rep takes to contact a new lead (the SLA is the programme's). */
    contactHours: hoursRange,
  }),
  customers: z.strictObject({
    /** Days between two uses of the product by an engaged customer. */
    usageEveryDays: range(positive),
    /** Share of customers who stop using the product, and after how many days of their term. */
    fadeShare: probability,
    fadeAfterDays: range(z.number().min(0)),
    /** Days of silence after which a faded customer cancels. */
    cancelAfterQuietDays: range(z.number().min(0)),
    /** Chance the NPS survey is answered. */
    npsAnswer: probability,
    /** Chance an engaged customer signs the renewal when the 30-day notice arrives (else it renews by itself). */
    renewEarly: probability,
  }),
  simulation: z
    .strictObject({
      /** Virtual hours between two looks at the inbox: reactions are timed from the look. */
      tickHours: z.number().min(0.25).max(24),
    })
    .partial()
    .optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type Source = Scenario['sources'][number];
export type Plan = Scenario['plans'][number];

export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const pathOf = (p: readonly PropertyKey[]) => p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '') || '(root)';

/** Validates parsed JSON; a bad value is named by its path (`sources[1].share: …`). */
export function parseScenario(raw: unknown, where = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message }));
    throw new ScenarioError(`${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  const scenario = result.data;
  const names = scenario.sources.map((s) => s.name);
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) throw new ScenarioError(`${where}: sources[${twice}].name: "${names[twice]}" is named twice`, [{ path: `sources[${twice}].name`, message: 'is named twice' }]);
  if (Number.isNaN(Date.parse(`${scenario.startDate}T00:00:00Z`))) throw new ScenarioError(`${where}: startDate: not a date`, [{ path: 'startDate', message: 'not a date' }]);
  return scenario;
}

/** Reads and validates a scenario file (the shipped default without one). */
export function loadScenario(file = DEFAULT_SCENARIO): Scenario {
  const where = path.relative(process.cwd(), file) || file;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ScenarioError(`${where}: ${(err as Error).message}`, [{ path: '(file)', message: (err as Error).message }]);
  }
  return parseScenario(raw, where);
}
