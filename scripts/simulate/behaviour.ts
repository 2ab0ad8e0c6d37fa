/**
 * The behaviour model: who arrives when, and how each person answers each email — pure functions of the
 * scenario, the seed and what the person received, so a seed gives the same cohort and the same answers
 * whatever order the simulator meets them in (scripts/simulate/random.ts).
 *
 * - A lead answers a nurture email of stage S by unsubscribing (unsubscribe[S]), or opens it (open[S]) some
 *   hours later, may click it (click[S]), and after a click may look at pricing or download content
 *   (engage[S]: a pricing page, a download or a form, and the score moves) or ask for a demo (demo[S], straight to decision). A decision-stage email
 *   may end in a purchase (`purchase`, a plan drawn by its share); the last one without a purchase in
 *   `lost`. Each source multiplies the probabilities it names.
 * - A rep contacts a lead assigned to them some hours later (contactHours; past the SLA the lead moves on),
 *   passes a quiz with quizPass per attempt (the last allowed attempt passes), completes a module in
 *   moduleDays; the manager signs off in signoffHours.
 * - A customer uses the product every usageEveryDays; a share fades (stops using it after fadeAfterDays
 *   and cancels cancelAfterQuietDays later); a survey is answered with npsAnswer (promoters while engaged,
 *   detractors once faded); an engaged customer may sign the renewal on the 30-day notice.
 */
import { DAY_MS, HOUR_MS } from '../../functions/core/clock.js';
import { draw } from './random.js';
import { NURTURE_STAGES, type NurtureStage, type Plan, type Scenario, type Source } from './scenario.js';

export interface LeadPlan {
  index: number;
  email: string;
  firstName: string;
  company: string;
  source: Source;
  consent: boolean;
  arrivalMs: number;
}

export type Action = { kind: 'event'; type: string; properties?: Record<string, unknown> } | { kind: 'unsubscribe' };
export interface Reaction {
  atMs: number;
  action: Action;
}

export const SIM_DOMAIN = 'sim.example.com';
export const leadEmail = (index: number) => `lead-${String(index).padStart(5, '0')}@${SIM_DOMAIN}`;
export const LEAD_EMAIL = new RegExp(`lead-\\d{5}@${SIM_DOMAIN.replace(/\./g, '\\.')}`);
export const leadIndexOf = (email: string) => Number(/lead-(\d{5})@/.exec(email)?.[1] ?? NaN);

export const startMsOf = (scenario: Scenario) => Date.parse(`${scenario.startDate}T00:00:00Z`);

/** The funnel stage a lead-facing template belongs to (by its name), if it is a nurture email. */
export function stageOfTemplate(template: string): NurtureStage | undefined {
  const prefix = template.split('-')[0] as NurtureStage;
  return (NURTURE_STAGES as readonly string[]).includes(prefix) ? prefix : undefined;
}

/** The cohort: `leads` people arriving over `days`, each with a source drawn by its share. Sorted by arrival. */
export function planCohort(scenario: Scenario, seed: number, leads: number, days: number): LeadPlan[] {
  const start = startMsOf(scenario);
  const dayStarts = Array.from({ length: Math.max(1, Math.floor(days)) }, (_, d) => start + d * DAY_MS);
  const arrivalDays = scenario.arrivals === 'weekdays' ? dayStarts.filter((ms) => ![0, 6].includes(new Date(ms).getUTCDay())) : dayStarts;
  const shares = scenario.sources.map((s) => s.share);
  const cohort = Array.from({ length: leads }, (_, index): LeadPlan => {
    const r = draw(seed, 'lead', index);
    const source = scenario.sources[r.pick(shares, 'source')]!;
    const day = arrivalDays[Math.min(arrivalDays.length - 1, Math.floor(r.unit('day') * arrivalDays.length))]!;
    // Office hours for a weekday mix, any hour otherwise; whole minutes keep the figures readable.
    const minute = scenario.arrivals === 'weekdays' ? Math.floor(r.between([8 * 60, 18 * 60], 'minute')) : Math.floor(r.between([0, 24 * 60], 'minute'));
    return {
      index,
      email: leadEmail(index),
      firstName: `Lead${index}`,
      company: `Company ${index % 997}`,
      source,
      consent: r.chance(source.consent, 'consent'),
      arrivalMs: day + minute * 60_000,
    };
  });
  return cohort.sort((a, b) => a.arrivalMs - b.arrivalMs || a.index - b.index);
}

const m = (source: Source, what: keyof NonNullable<Source['multipliers']>) => source.multipliers?.[what] ?? 1;
const hours = (h: number) => Math.round(h * HOUR_MS);

export function planOf(scenario: Scenario, seed: number, leadIndex: number): Plan {
  return scenario.plans[draw(seed, 'lead', leadIndex).pick(scenario.plans.map((p) => p.share), 'plan')]!;
}

/**
 * How a lead answers one email (`nth`: how many of that template it had before, for a template sent again).
 * Nothing for an email that is not a nurture email (the welcome's confirmation, the thank-you).
 */
export function answerLeadEmail(scenario: Scenario, seed: number, lead: LeadPlan, template: string, receivedMs: number, nth = 0): Reaction[] {
  const stage = stageOfTemplate(template);
  if (!stage) return [];
  const b = scenario.behaviour;
  const d = b.delaysHours;
  const r = draw(seed, 'email', lead.index, template, nth);
  if (r.chance(b.unsubscribe[stage] * m(lead.source, 'unsubscribe'), 'unsubscribe')) return [{ atMs: receivedMs + hours(r.between(d.open, 'unsubscribe-at')), action: { kind: 'unsubscribe' } }];
  const out: Reaction[] = [];
  if (stage === 'decision' && r.chance(b.purchase * m(lead.source, 'purchase'), 'purchase')) {
    const plan = planOf(scenario, seed, lead.index);
    const properties = { plan: plan.name, amount: plan.amount, currency: plan.currency, termMonths: plan.termMonths };
    out.push({ atMs: receivedMs + hours(r.between(d.purchase, 'purchase-at')), action: { kind: 'event', type: 'purchased', properties } });
  } else if (template === LAST_DECISION_TEMPLATE && r.chance(b.lost, 'lost')) {
    out.push({ atMs: receivedMs + hours(r.between(d.purchase, 'lost-at')), action: { kind: 'event', type: 'lost', properties: { reason: 'no decision' } } });
  }
  if (!r.chance(b.open[stage] * m(lead.source, 'open'), 'open')) return out;
  const openAt = receivedMs + hours(r.between(d.open, 'open-at'));
  out.push({ atMs: openAt, action: { kind: 'event', type: 'email_opened', properties: { template } } });
  if (!r.chance(b.click[stage] * m(lead.source, 'click'), 'click')) return out;
  const clickAt = openAt + hours(r.between(d.click, 'click-at'));
  out.push({ atMs: clickAt, action: { kind: 'event', type: 'email_clicked', properties: { template } } });
  if (r.chance(b.engage[stage], 'engage')) {
    const at = clickAt + hours(r.between(d.engage, 'engage-at'));
    const engagements: Action[] = [
      { kind: 'event', type: 'page_viewed', properties: { path: '/pricing' } },
      { kind: 'event', type: 'content_downloaded', properties: { asset: template } },
      { kind: 'event', type: 'form_submitted', properties: { form: 'contact-us' } },
    ];
    out.push({ atMs: at, action: engagements[r.pick([0.4, 0.4, 0.2], 'engage-kind')]! });
  }
  if (r.chance(b.demo[stage] * m(lead.source, 'demo'), 'demo')) out.push({ atMs: clickAt + hours(r.between(d.demo, 'demo-at')), action: { kind: 'event', type: 'demo_requested' } });
  return out;
}

/** The decision programme's last email: a lead who had it without buying may be marked lost. */
export const LAST_DECISION_TEMPLATE = 'decision-follow-up-2';

/**
 * When the rep logs contact with a lead assigned to them (`attempt`: how many times this lead was assigned
 * before). Drawn per lead and assignment, not per rep: which rep the round-robin picks depends on rep ids
 * the system generates, and the figures must not.
 */
export function repContactAt(scenario: Scenario, seed: number, leadIndex: number, assignedMs: number, attempt = 0): number {
  return assignedMs + hours(draw(seed, 'contact', leadIndex, attempt).between(scenario.reps.contactHours, 'hours'));
}

export interface ModuleAttempt {
  atMs: number;
  score?: number;
}

/**
 * A hire's attempts at one module, from `fromMs`: a module takes moduleDays (nothing for the initial team,
 * who are certified on day 0); a quiz is retaken a day after a fail, and its last allowed attempt passes.
 */
export function moduleAttempts(scenario: Scenario, seed: number, rep: number, moduleId: string, fromMs: number, quiz?: { passMark: number; maxAttempts: number }, initial = false): ModuleAttempt[] {
  const r = draw(seed, 'module', rep, moduleId);
  const first = fromMs + (initial ? 60_000 : Math.round(r.between(scenario.reps.moduleDays, 'days') * DAY_MS));
  if (!quiz) return [{ atMs: first }];
  const attempts: ModuleAttempt[] = [];
  for (let n = 0; n < quiz.maxAttempts; n++) {
    const passes = initial || n === quiz.maxAttempts - 1 || r.chance(scenario.reps.quizPass, `pass-${n}`);
    const score = passes ? Math.round(r.between([quiz.passMark, 100.99], `score-${n}`)) : Math.round(r.between([20, quiz.passMark - 0.01], `score-${n}`));
    attempts.push({ atMs: first + n * DAY_MS, score: Math.min(100, score) });
    if (passes) break;
  }
  return attempts;
}

/** `rep`: the simulator's number for the rep (its system id is random). */
export const signoffAt = (scenario: Scenario, seed: number, rep: number, requestedMs: number, initial = false) =>
  requestedMs + (initial ? 60_000 : hours(draw(seed, 'signoff', rep).between(scenario.reps.signoffHours, 'hours')));

export interface CustomerPlan {
  /** When usage stops (never for an engaged customer). */
  fadesAtMs?: number;
  /** When a faded customer cancels. */
  cancelsAtMs?: number;
}

export function customerPlan(scenario: Scenario, seed: number, leadIndex: number, boughtMs: number): CustomerPlan {
  const c = scenario.customers;
  const r = draw(seed, 'customer', leadIndex);
  if (!r.chance(c.fadeShare, 'fades')) return {};
  const fadesAtMs = boughtMs + Math.round(r.between(c.fadeAfterDays, 'fade-days') * DAY_MS);
  return { fadesAtMs, cancelsAtMs: fadesAtMs + Math.round(r.between(c.cancelAfterQuietDays, 'quiet-days') * DAY_MS) };
}

/** The customer's next use of the product after `fromMs` (its `n`th), or undefined once it has faded. */
export function nextUsage(scenario: Scenario, seed: number, leadIndex: number, n: number, fromMs: number, plan: CustomerPlan): number | undefined {
  const at = fromMs + Math.round(draw(seed, 'usage', leadIndex).between(scenario.customers.usageEveryDays, n) * DAY_MS);
  return plan.fadesAtMs !== undefined && at >= plan.fadesAtMs ? undefined : at;
}

/** How a customer answers a retention email: the survey (a score), the renewal notice (an early renewal). */
export function answerCustomerEmail(scenario: Scenario, seed: number, leadIndex: number, template: string, receivedMs: number, plan: CustomerPlan, nth = 0): Reaction[] {
  const r = draw(seed, 'customer-email', leadIndex, template, nth);
  const faded = plan.fadesAtMs !== undefined && receivedMs >= plan.fadesAtMs;
  const later = (key: string) => receivedMs + hours(r.between([1, 48], key));
  if (template === 'retention-nps-survey') {
    if (!r.chance(scenario.customers.npsAnswer, 'answers')) return [];
    const score = faded ? Math.floor(r.between([0, 7], 'score')) : Math.floor(r.between([7, 11], 'score'));
    return [{ atMs: later('at'), action: { kind: 'event', type: 'nps_submitted', properties: { score } } }];
  }
  if (template === 'retention-renewal-30' && !faded && plan.cancelsAtMs === undefined && r.chance(scenario.customers.renewEarly, 'renews')) {
    return [{ atMs: later('at'), action: { kind: 'event', type: 'subscription_renewed' } }];
  }
  return [];
}
