/**
 * GET /reports/onboarding: the onboarding totals, the open modules by due day (overdue now = due before
 * today) and the certification-expiry index, kept by the rep projection. Nothing here reads a rep.
 */
import type { Clock } from '../clock.js';
import { REP_ROLES, REP_STATUSES, type RepStatus } from '../model.js';
import { DAY_MS, dayOf, histogramOf } from './aggregates.js';
import { grouped } from './funnel-report.js';
import { quantile, ratio, round, sampleCount, type Histogram } from './histogram.js';
import type { ReportReader } from './ports.js';
import type { OnboardingModuleRow, OnboardingReport, OnboardingRoleRow } from './types.js';

export const EXPIRING_WITHIN_DAYS = 60;

const inDays = (h: Histogram) => {
  const days = (x: number | null) => round(x === null ? null : x / 24);
  return { medianDays: days(quantile(h, 0.5)), p90Days: days(quantile(h, 0.9)), samples: sampleCount(h) };
};

export async function onboardingReport(deps: { reports: ReportReader; clock: Clock }): Promise<OnboardingReport> {
  const now = deps.clock.now();
  const today = dayOf(now.toISOString());
  const [totals, open, expiring] = await Promise.all([
    deps.reports.totals('onboarding'),
    deps.reports.totals('open-modules'),
    deps.reports.certsExpiring(now.toISOString(), new Date(now.getTime() + EXPIRING_WITHIN_DAYS * DAY_MS).toISOString()),
  ]);

  const reps = Object.fromEntries(REP_STATUSES.map((s) => [s, Math.max(0, totals[`reps:${s}`] ?? 0)])) as Record<RepStatus, number>;
  const byRole: OnboardingRoleRow[] = [...REP_ROLES, 'unknown' as const]
    .map((role) => {
      const h = histogramOf(totals, `cert:${role}`);
      const d = inDays(h);
      return { role, certified: totals[`cert:${role}:count`] ?? 0, medianDaysToCertification: d.medianDays, p90DaysToCertification: d.p90Days };
    })
    .filter((r) => r.certified > 0 || r.role !== 'unknown');

  const overdue = new Map<string, number>();
  for (const [key, n] of Object.entries(open)) {
    const [moduleId, due] = key.split('|');
    if (!moduleId || !due || n <= 0) continue;
    overdue.set(moduleId, (overdue.get(moduleId) ?? 0) + (due < today ? n : 0));
  }
  const quiz = grouped(totals, 'mod');
  const modules: OnboardingModuleRow[] = [...new Set([...quiz.keys(), ...overdue.keys()])].sort().map((moduleId) => {
    const c = quiz.get(moduleId) ?? {};
    return {
      moduleId,
      attempts: c.attempts ?? 0,
      passed: c.passed ?? 0,
      passRate: ratio(c.passed ?? 0, c.attempts ?? 0),
      firstAttempts: c.first ?? 0,
      firstAttemptPassRate: ratio(c.firstPassed ?? 0, c.first ?? 0),
      overdueNow: overdue.get(moduleId) ?? 0,
    };
  });

  return {
    generatedAt: now.toISOString(),
    reps: { ...reps, total: Object.values(reps).reduce((t, n) => t + n, 0) },
    byRole,
    modulesOverdueNow: modules.reduce((t, m) => t + m.overdueNow, 0),
    modules,
    ramp: { toFirstLead: inDays(histogramOf(totals, 'ramp:lead')), toFirstWon: inDays(histogramOf(totals, 'ramp:won')) },
    expiringCertifications: expiring.map((c) => ({
      repId: c.repId,
      ...(c.name ? { name: c.name } : {}),
      expiresAt: c.expiresAt,
      daysLeft: Math.max(0, Math.ceil((Date.parse(c.expiresAt) - now.getTime()) / DAY_MS)),
    })),
  };
}
