/**
 * The cohort simulator's pure parts: the seeded behaviour model, scenario validation (a bad value named by
 * its path), the command line, and the what-if difference.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../functions/core/clock.js';
import {
  answerCustomerEmail,
  answerLeadEmail,
  customerPlan,
  moduleAttempts,
  nextUsage,
  planCohort,
  stageOfTemplate,
  startMsOf,
  type LeadPlan,
} from '../../scripts/simulate/behaviour.js';
import { templateOfSubject } from '../../scripts/simulate/inbox.js';
import { OptionError, parseOptions } from '../../scripts/simulate/options.js';
import { draw, unit } from '../../scripts/simulate/random.js';
import { describeTimers, numbers } from '../../scripts/simulate/report.js';
import { DEFAULT_SCENARIO, loadScenario, parseScenario, ScenarioError, type Scenario } from '../../scripts/simulate/scenario.js';
import { currentOnboardingProgramme, currentRetentionProgramme, installProgrammes } from '../../functions/shared/programmes.js';
import { REPO_ROOT } from '../../local/stack.js';
import { loadVariant, runTimeProgrammes } from '../../scripts/simulate/variant.js';
import { funnelProgramme } from '../../workflows/programmes/funnel.js';
import { onboardingProgramme } from '../../workflows/programmes/onboarding.js';
import { parseOnboardingProgramme } from '../../workflows/programmes/onboarding-schema.js';
import { retentionProgramme } from '../../workflows/programmes/retention.js';
import { leadTemplates } from '../../workflows/templates/index.js';

const scenario = loadScenario();
const raw = () => JSON.parse(readFileSync(DEFAULT_SCENARIO, 'utf8')) as Record<string, any>;
const withBehaviour = (patch: Partial<Scenario['behaviour']>): Scenario => ({ ...scenario, behaviour: { ...scenario.behaviour, ...patch } });
const allStages = (p: number) => ({ awareness: p, interest: p, consideration: p, decision: p, recycle: p });

describe('seeded randomness', () => {
  it('gives the same number for the same seed and keys, and another for another seed', () => {
    expect(unit(7, 'lead', 3, 'open')).toBe(unit(7, 'lead', 3, 'open'));
    expect(unit(8, 'lead', 3, 'open')).not.toBe(unit(7, 'lead', 3, 'open'));
    expect(unit(7, 'lead', 3, 'click')).not.toBe(unit(7, 'lead', 3, 'open'));
  });

  it('draws close to the probabilities asked for', () => {
    const r = draw(1, 'test');
    const hits = Array.from({ length: 4000 }, (_, i) => r.chance(0.3, i)).filter(Boolean).length;
    expect(hits / 4000).toBeGreaterThan(0.27);
    expect(hits / 4000).toBeLessThan(0.33);
    const picks = Array.from({ length: 3000 }, (_, i) => r.pick([1, 0, 2], `p${i}`));
    expect(picks).not.toContain(1);
    expect(picks.filter((p) => p === 2).length / 3000).toBeGreaterThan(0.6);
  });
});

describe('the cohort', () => {
  it('is the same for a seed whatever else happens, and sorted by arrival', () => {
    const a = planCohort(scenario, 42, 300, 60);
    expect(planCohort(scenario, 42, 300, 60)).toEqual(a);
    expect(planCohort(scenario, 43, 300, 60)).not.toEqual(a);
    expect(a.map((l) => l.arrivalMs)).toEqual([...a.map((l) => l.arrivalMs)].sort((x, y) => x - y));
  });

  it('arrives inside the period, on weekdays in office hours for a weekday scenario', () => {
    const start = startMsOf(scenario);
    for (const lead of planCohort(scenario, 1, 500, 30)) {
      expect(lead.arrivalMs).toBeGreaterThanOrEqual(start);
      expect(lead.arrivalMs).toBeLessThan(start + 30 * DAY_MS);
      const at = new Date(lead.arrivalMs);
      expect([0, 6]).not.toContain(at.getUTCDay());
      expect(at.getUTCHours()).toBeGreaterThanOrEqual(8);
      expect(at.getUTCHours()).toBeLessThan(18);
    }
  });

  it('splits the sources by their shares', () => {
    const cohort = planCohort(scenario, 5, 4000, 90);
    const website = cohort.filter((l) => l.source.name === 'website').length / cohort.length;
    expect(website).toBeGreaterThan(0.41);
    expect(website).toBeLessThan(0.49);
  });
});

describe('how a lead answers an email', () => {
  const lead: LeadPlan = planCohort(scenario, 9, 1, 10)[0]!;
  const at = startMsOf(scenario) + 5 * DAY_MS;

  it('answers the same email the same way every time, and every answer comes after the email', () => {
    const answers = answerLeadEmail(scenario, 9, lead, 'awareness-educational-1', at);
    expect(answerLeadEmail(scenario, 9, lead, 'awareness-educational-1', at)).toEqual(answers);
    for (const a of answers) expect(a.atMs).toBeGreaterThanOrEqual(at);
  });

  it('never reacts to an email that is not a nurture email', () => {
    expect(answerLeadEmail(withBehaviour({ open: allStages(1) }), 9, lead, 'purchase-thank-you', at)).toEqual([]);
    expect(stageOfTemplate('decision-follow-up-2')).toBe('decision');
    expect(stageOfTemplate('retention-welcome')).toBeUndefined();
  });

  it('opens, clicks and asks for a demo when the stage says it always does', () => {
    const eager = withBehaviour({ open: allStages(1), click: allStages(1), demo: allStages(1), engage: allStages(0), unsubscribe: allStages(0) });
    const types = answerLeadEmail(eager, 9, lead, 'interest-case-study-1', at).map((a) => a.action.kind === 'event' && a.action.type);
    expect(types).toEqual(['email_opened', 'email_clicked', 'demo_requested']);
  });

  it('does nothing else once it unsubscribes', () => {
    const leaving = withBehaviour({ unsubscribe: allStages(1), open: allStages(1) });
    expect(answerLeadEmail(leaving, 9, lead, 'awareness-educational-2', at)).toEqual([{ atMs: expect.any(Number), action: { kind: 'unsubscribe' } }]);
  });

  it('buys on a decision email with the plan its draw picks, and the purchase names the plan', () => {
    const buying = withBehaviour({ purchase: 1, open: allStages(0), unsubscribe: allStages(0) });
    const [purchase] = answerLeadEmail(buying, 9, lead, 'decision-proposal', at);
    expect(purchase?.action).toMatchObject({ kind: 'event', type: 'purchased', properties: { plan: expect.any(String), termMonths: expect.any(Number) } });
    expect(purchase!.atMs - at).toBeGreaterThanOrEqual(scenario.behaviour.delaysHours.purchase[0] * HOUR_MS);
  });

  it('opens an email as often as the open rate says, over many leads', () => {
    const cohort = planCohort(scenario, 3, 3000, 30).filter((l) => !l.source.multipliers?.open);
    const opened = cohort.filter((l) => answerLeadEmail(withBehaviour({ unsubscribe: allStages(0) }), 3, l, 'awareness-educational-1', at).some((a) => a.action.kind === 'event' && a.action.type === 'email_opened'));
    expect(opened.length / cohort.length).toBeCloseTo(scenario.behaviour.open.awareness, 1);
  });
});

describe('reps and customers', () => {
  it('passes a quiz by its last allowed attempt, a day apart, and the initial team at once', () => {
    const start = startMsOf(scenario);
    const hard = { ...scenario, reps: { ...scenario.reps, quizPass: 0 } };
    const attempts = moduleAttempts(hard, 1, 1, 'quiz', start, { passMark: 80, maxAttempts: 3 });
    expect(attempts.map((a) => a.score! >= 80)).toEqual([false, false, true]);
    expect(attempts[1]!.atMs - attempts[0]!.atMs).toBe(DAY_MS);
    expect(moduleAttempts(hard, 1, 1, 'quiz', start, { passMark: 80, maxAttempts: 3 }, true)).toEqual([{ atMs: start + 60_000, score: expect.any(Number) }]);
  });

  it('stops using the product when it fades, and cancels after the quiet days', () => {
    const fading = { ...scenario, customers: { ...scenario.customers, fadeShare: 1 } };
    const bought = startMsOf(scenario);
    const plan = customerPlan(fading, 4, 12, bought);
    expect(plan.fadesAtMs).toBeGreaterThan(bought);
    expect(plan.cancelsAtMs).toBeGreaterThanOrEqual(plan.fadesAtMs!);
    expect(nextUsage(fading, 4, 12, 0, plan.fadesAtMs! - 1, plan)).toBeUndefined();
    expect(nextUsage(scenario, 4, 12, 0, bought, {})).toBeGreaterThan(bought);
  });

  it('answers the survey as a promoter while engaged and as a detractor once faded', () => {
    const answering = { ...scenario, customers: { ...scenario.customers, npsAnswer: 1 } };
    const at = startMsOf(scenario) + 50 * DAY_MS;
    const engaged = answerCustomerEmail(answering, 2, 7, 'retention-nps-survey', at, {});
    const faded = answerCustomerEmail(answering, 2, 7, 'retention-nps-survey', at, { fadesAtMs: at - DAY_MS, cancelsAtMs: at + DAY_MS });
    expect((engaged[0]!.action as any).properties.score).toBeGreaterThanOrEqual(7);
    expect((faded[0]!.action as any).properties.score).toBeLessThanOrEqual(6);
  });
});

describe('the inbox', () => {
  it('knows every lead-facing template by its subject, placeholders filled', () => {
    expect(templateOfSubject('A proposal for Acme Ltd')).toBe('decision-proposal');
    for (const [name, t] of Object.entries(leadTemplates)) {
      const subject = t.subject.replace(/\{\{[^}|]*\|?([^}]*)\}\}/g, (_, fallback: string) => fallback || 'X');
      expect(templateOfSubject(subject), name).toBeDefined();
    }
  });
});

describe('scenario validation', () => {
  it('accepts the shipped default', () => {
    expect(parseScenario(raw()).name).toBe('default');
  });

  it('names the path of a bad value', () => {
    const bad = raw();
    bad.behaviour.open.awareness = 1.5;
    bad.sources[1].share = -1;
    expect(() => parseScenario(bad, 'my.json')).toThrow(ScenarioError);
    try {
      parseScenario(bad, 'my.json');
    } catch (err) {
      const paths = (err as ScenarioError).issues.map((i) => i.path);
      expect(paths).toContain('behaviour.open.awareness');
      expect(paths).toContain('sources[1].share');
      expect((err as Error).message).toMatch(/^my\.json: /);
    }
  });

  it('refuses unknown fields, a reversed range and a source named twice', () => {
    const unknown = raw();
    unknown.behaviour.opne = { awareness: 0.1 };
    expect(() => parseScenario(unknown)).toThrow(/behaviour/);
    const reversed = raw();
    reversed.reps.contactHours = [30, 1];
    expect(() => parseScenario(reversed)).toThrow(/reps\.contactHours: must be \[min, max\]/);
    const twice = raw();
    twice.sources[2].name = twice.sources[0].name;
    expect(() => parseScenario(twice)).toThrow(/sources\[2\]\.name: "website" is named twice/);
  });

  it('says which file is not JSON', () => {
    expect(() => loadScenario('package-lock.json.missing')).toThrow(/package-lock\.json\.missing/);
  });
});

describe('the command line', () => {
  it('has the defaults of the issue and an output folder under .sim/', () => {
    expect(parseOptions([])).toMatchObject({ leads: 2000, days: 180, seed: 1, clock: 'auto', bench: false, out: '.sim/default-2000x180-seed1' });
    expect(parseOptions(['--leads', '30', '--days', '30', '--seed', '7', '--compare', 'x.ts'])).toMatchObject({ leads: 30, days: 30, seed: 7, compare: 'x.ts' });
  });

  it('names a bad flag', () => {
    expect(() => parseOptions(['--leads', 'many'])).toThrow(OptionError);
    expect(() => parseOptions(['--leads', 'many'])).toThrow(/--leads must be a whole number/);
    expect(() => parseOptions(['--clock', 'fast'])).toThrow(/--clock must be auto, discrete or scaled/);
    expect(() => parseOptions(['--speed'])).toThrow(/unknown option --speed/);
    expect(() => parseOptions(['--scenario'])).toThrow(/--scenario needs a value/);
  });
});

describe('the timers line of the report and the bench', () => {
  it('says how many fired and the latest, and flags one later than its tick', () => {
    expect(describeTimers({ fired: 13_963, maxLatenessMs: 0, allowedMs: 3_600_000 })).toBe(
      '13,963 timers fired (waits, retry pauses, scheduled rules), the latest 0.0 min after its due time (allowed: 60 min, one tick)',
    );
    expect(describeTimers({ fired: 2, maxLatenessMs: 90 * 60_000, allowedMs: 3_600_000 })).toMatch(/the latest 90\.0 min after .* one tick\) — OVER$/);
  });
});

describe('the what-if difference', () => {
  it('lists numbers by path, stages and reps by name', () => {
    expect(numbers({ a: { b: 2 }, conversion: [{ stage: 'interest', reached: 3 }], load: [{ rep: 'R', won: 1 }], s: 'x' })).toEqual({
      'a.b': 2,
      'conversion[interest].reached': 3,
      'load[R].won': 1,
    });
  });
});

describe('programme variants for --compare', () => {
  const waits = (steps: Array<{ kind: string; days?: number }>) => steps.filter((st) => st.kind === 'wait').map((st) => st.days);

  it('loads the faster-nurture example: the same steps, shorter waits', async () => {
    const variant = (await loadVariant('scripts/simulate/variants/faster-nurture.ts')).LeadFunnel!;
    expect(variant.stages.awareness.map((st) => st.kind)).toEqual(funnelProgramme.stages.awareness.map((st) => st.kind));
    expect(waits(variant.stages.awareness)).toEqual([2, 3, 4]);
    expect(waits(funnelProgramme.stages.awareness)).toEqual([3, 5, 6]);
    expect(variant.recycle).toEqual(funnelProgramme.recycle);
  });

  it('loads the no-shadowing example: an onboarding variant whose paths lose their shadowing modules and stay valid', async () => {
    const variant = await loadVariant('scripts/simulate/variants/no-shadowing.ts');
    expect(Object.keys(variant)).toEqual(['RepOnboarding']);
    expect(runTimeProgrammes(variant)).toEqual({ RepOnboarding: variant.RepOnboarding });
    const programme = variant.RepOnboarding!;
    for (const [role, learning] of Object.entries(programme.paths)) {
      const shipped = onboardingProgramme.paths[role as keyof typeof onboardingProgramme.paths];
      expect(learning.modules.length, role).toBe(shipped.modules.length - shipped.modules.filter((m) => m.kind === 'shadowing').length);
      expect(learning.modules.some((m) => m.kind === 'shadowing'), role).toBe(false);
      // Every prerequisite is a module of the same path, listed before it.
      learning.modules.forEach((m, i) => {
        for (const p of m.prerequisites) expect(learning.modules.slice(0, i).map((x) => x.id), `${role} ${m.id} needs ${p}`).toContain(p);
      });
    }
    // What synth validates, it accepts.
    expect(() => parseOnboardingProgramme(programme)).not.toThrow();
  });

  it('installs a run-time variant for the handlers, and the shipped programme otherwise', async () => {
    const { RepOnboarding } = await loadVariant('scripts/simulate/variants/no-shadowing.ts');
    try {
      installProgrammes({ RepOnboarding: RepOnboarding! });
      expect(currentOnboardingProgramme()).toBe(RepOnboarding);
      expect(currentRetentionProgramme()).toBe(retentionProgramme);
    } finally {
      installProgrammes({});
    }
    expect(currentOnboardingProgramme()).toBe(onboardingProgramme);
  });

  it('says what is wrong with a path that is no variant', async () => {
    await expect(loadVariant('scripts/simulate/variants/none.ts')).rejects.toThrow(/no such file or directory/);
    await expect(loadVariant('scripts/simulate/scenarios')).rejects.toThrow(/neither index\.ts .* nor funnel\.ts/);
    await expect(loadVariant('scripts/simulate/scenario.ts')).rejects.toThrow(/exports no programmes/);
    const dir = mkdtempSync(path.join(REPO_ROOT, '.tmp', 'variant-'));
    try {
      writeFileSync(path.join(dir, 'index.ts'), 'export const programmes = { LeadFunnl: {} };\n');
      await expect(loadVariant(dir)).rejects.toThrow(/LeadFunnl is not a workflow of workflows\/registry\.ts/);
      writeFileSync(path.join(dir, 'empty.ts'), 'export const programmes = {};\n');
      await expect(loadVariant(path.join(dir, 'empty.ts'))).rejects.toThrow(/exports no programme for any of LeadFunnel, RepOnboarding, CustomerRetention/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
