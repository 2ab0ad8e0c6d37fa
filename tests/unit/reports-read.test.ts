/**
 * The report readers: figures read off the aggregates the projections keep (an in-memory store fed by the
 * same projections), and the range rules of GET /reports/funnel.
 */
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.js';
import { ValidationError } from '../../functions/core/errors.js';
import type { Customer, Lead, Rep } from '../../functions/core/model.js';
import { funnelReport, resolveRange } from '../../functions/core/reports/funnel-report.js';
import { onboardingReport } from '../../functions/core/reports/onboarding-report.js';
import { projectCustomerRecord, projectLeadRecord, projectRepRecord, projectTimelineRecord } from '../../functions/core/reports/project.js';
import { retentionReport } from '../../functions/core/reports/retention-report.js';
import { trackStage } from '../../functions/core/stage-history.js';
import { aLead } from '../fakes/leads.js';
import { InMemoryReportStore } from '../fakes/reports.js';

const H = 3_600_000;
const at = (hours: number) => new Date(Date.parse('2026-03-02T00:00:00.000Z') + hours * H).toISOString();
function change(lead: Lead, next: Partial<Lead>, when: string): Lead {
  const merged = { ...lead, ...next, updatedAt: when, version: lead.version + 1 };
  return { ...merged, ...trackStage(lead, merged, when) };
}

describe('the funnel range', () => {
  const now = new Date('2026-03-31T12:00:00.000Z');
  it('defaults to the 30 days ending today, or ending at `to`', () => {
    expect(resolveRange({}, now)).toEqual({ from: '2026-03-02', to: '2026-03-31', days: 30 });
    expect(resolveRange({ to: '2026-02-28' }, now)).toEqual({ from: '2026-01-30', to: '2026-02-28', days: 30 });
  });
  it('refuses from after to, and a range over 400 days, naming from', () => {
    const problem = (q: { from?: string; to?: string }) => {
      try {
        resolveRange(q, now);
      } catch (err) {
        return err instanceof ValidationError ? { message: err.message, paths: err.issues.map((i) => i.path) } : err;
      }
      return undefined;
    };
    expect(problem({ from: '2026-03-05', to: '2026-03-04' })).toEqual({ message: 'from (2026-03-05) is after to (2026-03-04)', paths: ['from'] });
    expect(problem({ from: '2025-01-01', to: '2026-02-05' })).toEqual({ message: 'The range is 401 days; at most 400 days', paths: ['from'] });
    expect(problem({ from: '2025-01-02', to: '2026-02-05' })).toBeUndefined();
  });
});

describe('the funnel report', () => {
  it('reads stages, conversion, time in stage, velocity, sources, reps, templates and cohorts off the aggregates', async () => {
    const store = new InMemoryReportStore();
    const a = aLead({ leadId: 'a', createdAt: at(0), updatedAt: at(0), source: 'web' });
    const b = aLead({ leadId: 'b', createdAt: at(1), updatedAt: at(1), source: 'ads' });
    const a1 = change(a, { stage: 'interest' }, at(24));
    const a2 = change(a1, { stage: 'decision', ownerId: 'rep-1', assignedAt: at(30) }, at(30));
    const a3 = change(a2, { stage: 'purchase', status: 'won' }, at(72));
    const b1 = change(b, { status: 'lost' }, at(5));
    for (const l of [a, b, a1, a2, a3, b1]) await projectLeadRecord(store, l.leadId, l);
    await projectTimelineRecord(store, 'x', { leadId: 'a', entryId: 'e', at: at(2), type: 'email_sent', data: { stage: 'awareness', template: 'awareness-welcome' } }, async () => true);

    const reps = { get: async (id: string) => (id === 'rep-1' ? ({ repId: id, name: 'Ana Rep' } as Rep) : undefined) };
    const report = await funnelReport({ reports: store, reps, clock: fixedClock(at(100)) }, { from: '2026-03-01', to: '2026-03-10' });
    const stage = (s: string) => report.stages.find((r) => r.stage === s)!;
    expect(report.captured).toBe(2);
    expect(stage('awareness')).toMatchObject({ entered: 2, currentlyIn: 0, movedOn: 1, lost: 1, conversionFromPrevious: null, cumulativeConversion: 1 });
    expect(stage('interest')).toMatchObject({ entered: 1, movedOn: 1, conversionFromPrevious: 0.5, cumulativeConversion: 0.5 });
    expect(stage('awareness').timeInStage.samples).toBe(2);
    expect(Math.abs(stage('awareness').timeInStage.p90Hours! - 24) / 24).toBeLessThan(0.11);
    expect(stage('purchase')).toMatchObject({ entered: 1, movedOn: 1 });
    expect(report.velocity.won).toBe(1);
    expect(Math.abs(report.velocity.medianDays! - 3) / 3).toBeLessThan(0.11);
    expect(report.bySource).toEqual([
      { key: 'ads', captured: 1, won: 0, winRate: 0 },
      { key: 'web', captured: 1, won: 1, winRate: 1 },
    ]);
    expect(report.reps).toEqual([{ repId: 'rep-1', name: 'Ana Rep', assigned: 1, slaMetPct: null, medianHoursToFirstContact: null, won: 1, winRate: 1 }]);
    expect(report.templates).toEqual([{ template: 'awareness-welcome', sent: 1, skipped: 0, deferred: 0, opened: 0, clicked: 0 }]);
    expect(report.cohorts).toEqual([
      expect.objectContaining({ week: '2026-03-02', captured: 2, weeks: 1, reached: expect.objectContaining({ awareness: [1], interest: [0.5], decision: [0.5], won: [0.5] }) }),
    ]);

    const web = await funnelReport({ reports: store, reps, clock: fixedClock(at(100)) }, { from: '2026-03-01', to: '2026-03-10', source: 'web' });
    expect(web.captured).toBe(1);
    expect(web.filters).toEqual({ source: 'web' });
    expect(web.stages.find((r) => r.stage === 'awareness')!.lost).toBe(0);
  });
});

describe('the onboarding and retention reports', () => {
  it('read reps by status, overdue modules now, expiring certifications, NPS, health, cohorts and referrals', async () => {
    const store = new InMemoryReportStore();
    const rep: Rep = {
      repId: 'r1', name: 'Ana', email: 'a@example.com', status: 'onboarding', role: 'sdr', createdAt: at(0), startDate: '2026-03-02', track: 'onboarding', version: 1, updatedAt: at(0),
      modules: [{ moduleId: 'm1', status: 'open', dueAt: '2026-03-05T17:00:00.000Z', attempts: 0, attemptIds: [] }],
    };
    const certified: Rep = { ...rep, name: 'Bo', repId: 'r2', status: 'active', track: 'none', modules: [], certification: { certifiedAt: at(100), expiresAt: '2026-04-20T00:00:00.000Z', cycle: 1 } };
    await projectRepRecord(store, rep.repId, rep);
    await projectRepRecord(store, certified.repId, certified);
    const onboarding = await onboardingReport({ reports: store, clock: fixedClock('2026-03-10T00:00:00.000Z') });
    expect(onboarding.reps).toEqual({ onboarding: 1, active: 1, inactive: 0, lapsed: 0, total: 2 });
    expect(onboarding.modules).toEqual([{ moduleId: 'm1', attempts: 0, passed: 0, passRate: null, firstAttempts: 0, firstAttemptPassRate: null, overdueNow: 1 }]);
    expect(onboarding.modulesOverdueNow).toBe(1);
    expect(onboarding.expiringCertifications).toEqual([{ repId: 'r2', name: 'Bo', expiresAt: '2026-04-20T00:00:00.000Z', daysLeft: 41 }]);
    expect(onboarding.byRole.find((r) => r.role === 'sdr')!.certified).toBe(1);
    // Before the due day, nothing is overdue.
    expect((await onboardingReport({ reports: store, clock: fixedClock('2026-03-04T00:00:00.000Z') })).modulesOverdueNow).toBe(0);

    const customer: Customer = {
      customerId: 'c1', leadId: 'l1', email: 'c@example.com', since: at(0), status: 'active', version: 1, updatedAt: at(0),
      term: { number: 1, startDate: '2026-03-02', renewalDate: '2026-05-02', termMonths: 2 }, health: { score: 20, band: 'at-risk', at: at(0), reasons: ['no usage'] },
      nps: [{ score: 10, at: at(1), source: 'api' }, { score: 9, at: at(2), source: 'api' }, { score: 2, at: at(3), source: 'api' }],
    };
    await projectCustomerRecord(store, customer.customerId, customer);
    await projectLeadRecord(store, 'ref', aLead({ leadId: 'ref', source: 'referral', createdAt: at(0), updatedAt: at(0) }));
    const customers = { list: async (q: { health?: string }) => ({ items: q.health === 'at-risk' || !q.health ? [customer] : [] }) };
    const retention = await retentionReport({ reports: store, customers, clock: fixedClock('2026-03-10T00:00:00.000Z') });
    expect(retention.nps).toEqual({ score: 33, responses: 3, promoters: 2, passives: 0, detractors: 1, trend: [{ month: '2026-03', nps: 33, responses: 3 }] });
    expect(retention.health).toEqual({ healthy: 0, watch: 0, 'at-risk': 1, unscored: 0 });
    expect(retention.atRisk.map((c) => c.customerId)).toEqual(['c1']);
    expect(retention.renewalsDue).toEqual([{ customerId: 'c1', renewalDate: '2026-05-02', daysLeft: 53, healthBand: 'at-risk' }]);
    expect(retention.cohorts).toEqual([{ month: '2026-03', started: 1, active: 1, churned: 0, grossRetention: 1, churnRate: 0 }]);
    expect(retention.referrals).toEqual({ leads: 1, converted: 0, conversionRate: 0 });
  });
});
