import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../functions/core/clock.js';
import {
  computeHealth,
  daysWithoutUsage,
  hasHighSeverityOpen,
  healthChange,
  recordSignal,
  TICKET_SEVERITIES,
  type HealthModel,
  type HealthSignal,
  type HealthSignals,
} from '../../functions/core/health.js';
import { healthModel } from '../../workflows/programmes/health.js';
import { parseHealthModel } from '../../workflows/programmes/health-schema.js';

const NOW = new Date('2025-06-30T12:00:00.000Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY_MS).toISOString();

const record = (signals: HealthSignals | undefined, ...list: HealthSignal[]) => list.reduce((s, signal) => recordSignal(s, signal, healthModel), signals);
/** Product usage every day from `from` days ago until `to` days ago. */
const usedDaily = (from: number, to = 0, signals?: HealthSignals) =>
  record(signals, ...Array.from({ length: from - to + 1 }, (_, i): HealthSignal => ({ kind: 'usage', at: ago(from - i) })))!;
const health = (signals: HealthSignals | undefined, since?: string) => computeHealth(signals, healthModel, NOW, since ? { since } : {});
const ticket = (ticketId: string, severity: (typeof TICKET_SEVERITIES)[number], status: 'open' | 'closed', at: string): HealthSignal => ({
  kind: 'ticket',
  ticketId,
  severity,
  status,
  at,
});

describe('a customer health score', () => {
  it('puts a brand-new customer with no signals at a neutral-to-healthy score, not at risk', () => {
    for (const h of [health(undefined), health(undefined, ago(0))]) {
      expect(h.band).not.toBe('at-risk');
      expect(h.score).toBeGreaterThanOrEqual(healthModel.bands.watchBelow);
      expect(h.score).toBeLessThan(100);
      expect(h.reasons).toContain('No product usage yet');
    }
  });

  it('rates daily product usage as healthy and says how often it was used', () => {
    const h = health(usedDaily(40));
    expect(h.band).toBe('healthy');
    expect(h.score).toBeGreaterThan(health(undefined).score);
    expect(h.reasons).toContain('Used the product on 30 of the last 30 days');
  });

  it('decays a customer who stopped using the product 30 days ago into at risk, with the reason', () => {
    const h = health(usedDaily(90, 30));
    expect(h.band).toBe('at-risk');
    expect(h.reasons).toContain('No product usage for 30 days');
    expect(h.reasons.some((r) => /^Score reduced \d+% for 30 days without usage/.test(r))).toBe(true);
    expect(h.components.decay).toBeLessThan(1);
  });

  it('lowers the score step by step as a quiet customer stays quiet', () => {
    const scores = [7, 14, 21, 30].map((stopped) => health(usedDaily(90, stopped)).score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(scores).size).toBe(4);
    expect(health(usedDaily(90, 7)).components.decay).toBe(1);
  });

  it('decays a customer who never used the product from the day they started', () => {
    const h = health(undefined, ago(30));
    expect(h.band).toBe('at-risk');
    expect(h.reasons).toContain('No product usage in 30 days as a customer');
    expect(health(undefined, ago(5)).band).toBe('healthy');
  });

  it('counts opening a check-in as activity: an engaged customer does not decay', () => {
    const quiet = usedDaily(90, 30);
    const engaged = record(quiet, { kind: 'check-in-sent', at: ago(4) }, { kind: 'engaged', at: ago(3) })!;
    expect(health(engaged).components.decay).toBe(1);
    expect(health(engaged).score).toBeGreaterThan(health(quiet).score);
    expect(health(engaged).reasons).toContain('Engaged with 1 of the last 1 check-in');
  });

  it('lowers the score for an open high-severity ticket and holds check-ins until it closes', () => {
    const base = usedDaily(40);
    const open = record(base, ticket('T-1', 'high', 'open', ago(2)))!;
    expect(health(open).score).toBeLessThan(health(base).score);
    expect(health(open).reasons).toContain('1 open high-severity ticket');
    expect(hasHighSeverityOpen(open)).toBe(true);

    const closed = record(open, ticket('T-1', 'high', 'closed', ago(1)))!;
    expect(hasHighSeverityOpen(closed)).toBe(false);
    expect(health(closed).score).toBe(health(base).score);
    expect(health(closed).reasons).toContain('No open support tickets');
  });

  it('does not hold check-ins for a low or medium ticket, and costs a critical one more than a low one', () => {
    const base = usedDaily(40);
    const low = record(base, ticket('T-1', 'low', 'open', ago(1)), ticket('T-2', 'medium', 'open', ago(1)))!;
    expect(hasHighSeverityOpen(low)).toBe(false);
    expect(health(record(base, ticket('T-3', 'critical', 'open', ago(1)))).score).toBeLessThan(health(record(base, ticket('T-3', 'low', 'open', ago(1)))).score);
  });

  it('keeps a ticket closed when its open signal arrives after the close', () => {
    const s = record(undefined, ticket('T-1', 'critical', 'closed', ago(1)), ticket('T-1', 'critical', 'open', ago(2)))!;
    expect(s.openTickets).toEqual([]);
    expect(hasHighSeverityOpen(s)).toBe(false);
    const reopened = record(s, ticket('T-1', 'high', 'open', ago(0)))!;
    expect(hasHighSeverityOpen(reopened)).toBe(true);
  });

  it('lowers the score for a detractor NPS and raises it for a promoter', () => {
    const base = usedDaily(40);
    const detractor = health(record(base, { kind: 'nps', score: 4, at: ago(1) }));
    const promoter = health(record(base, { kind: 'nps', score: 10, at: ago(1) }));
    expect(detractor.score).toBeLessThan(health(base).score);
    expect(promoter.score).toBeGreaterThan(health(base).score);
    expect(detractor.reasons).toContain('NPS 4 (detractor)');
    expect(promoter.reasons).toContain('NPS 10 (promoter)');
  });

  it('keeps the latest NPS answer, whatever order they arrive in, and rejects one outside 0–10', () => {
    const s = record(undefined, { kind: 'nps', score: 9, at: ago(1) }, { kind: 'nps', score: 3, at: ago(20) })!;
    expect(s.lastNps).toEqual({ score: 9, at: ago(1) });
    expect(() => record(undefined, { kind: 'nps', score: 11, at: ago(1) })).toThrow(RangeError);
  });

  it('lowers the score for check-ins that went unanswered, but not for one sent yesterday', () => {
    const base = usedDaily(40);
    const ignored = record(base, { kind: 'check-in-sent', at: ago(40) }, { kind: 'check-in-sent', at: ago(10) })!;
    expect(health(ignored).score).toBeLessThan(health(base).score);
    expect(health(ignored).reasons).toContain('Engaged with 0 of the last 2 check-ins');
    const justSent = record(base, { kind: 'check-in-sent', at: ago(1) })!;
    expect(health(justSent).score).toBe(health(base).score);
  });
});

describe('recording health signals', () => {
  it('counts two uses on one UTC day once', () => {
    const s = record(undefined, { kind: 'usage', at: '2025-06-29T08:00:00Z' }, { kind: 'usage', at: '2025-06-29T17:30:00+02:00' }, { kind: 'usage', at: '2025-06-29T08:00:00Z' })!;
    expect(s.usageDays).toEqual(['2025-06-29']);
    expect(s.lastUsedAt).toBe('2025-06-29T15:30:00.000Z');
    expect(s.firstUsedAt).toBe('2025-06-29T08:00:00.000Z');
  });

  it('keeps only the last 90 days of usage however long the customer has used the product', () => {
    const s = usedDaily(400);
    expect(s.usageDays).toHaveLength(healthModel.history.usageDays);
    expect(s.usageDays[0]).toBe(ago(89).slice(0, 10));
    expect(s.firstUsedAt).toBe(ago(400));
  });

  it('keeps one entry per ticket, raising its severity on a later signal', () => {
    const s = record(undefined, ticket('T-1', 'low', 'open', ago(3)), ticket('T-1', 'low', 'open', ago(3)), ticket('T-1', 'critical', 'open', ago(1)))!;
    expect(s.openTickets).toEqual([{ ticketId: 'T-1', severity: 'critical', openedAt: ago(3), updatedAt: ago(1) }]);
  });

  it('bounds open tickets, dropping the least severe first', () => {
    const lows = Array.from({ length: 40 }, (_, i) => ticket(`L-${i}`, 'low', 'open', ago(41 - i)));
    const s = record(undefined, ticket('C-1', 'critical', 'open', ago(60)), ...lows)!;
    expect(s.openTickets).toHaveLength(healthModel.history.openTickets);
    expect(hasHighSeverityOpen(s)).toBe(true);
    // Among equals the oldest go: the 24 lows kept are the newest.
    expect(s.openTickets.filter((t) => t.severity === 'low').map((t) => t.ticketId).sort()).toEqual(
      Array.from({ length: healthModel.history.openTickets - 1 }, (_, i) => `L-${40 - healthModel.history.openTickets + 1 + i}`).sort(),
    );
  });

  it('counts an open then a click of one check-in as one engagement', () => {
    const s = record(undefined, { kind: 'check-in-sent', at: ago(10), checkInId: 'c1' }, { kind: 'engaged', at: ago(9) }, { kind: 'engaged', at: ago(8), checkInId: 'c1' })!;
    expect(s.checkIns).toEqual([{ sentAt: ago(10), checkInId: 'c1', engagedAt: ago(9) }]);
    expect(s.lastEngagedAt).toBe(ago(8));
  });

  it('returns a new object and leaves the one it was given alone', () => {
    const before = usedDaily(3);
    const copy = structuredClone(before);
    const after = recordSignal(before, { kind: 'usage', at: ago(-1) }, healthModel);
    expect(after).not.toBe(before);
    expect(before).toEqual(copy);
  });

  it('rejects a signal whose time is not a date', () => {
    expect(() => recordSignal(undefined, { kind: 'usage', at: 'yesterday' }, healthModel)).toThrow(RangeError);
  });

  const signal: fc.Arbitrary<HealthSignal> = fc.oneof(
    fc.record({ kind: fc.constant('usage' as const), at: fc.integer({ min: 0, max: 400 }).map(ago) }),
    fc.record({
      kind: fc.constant('ticket' as const),
      ticketId: fc.integer({ min: 0, max: 60 }).map((n) => `T-${n}`),
      severity: fc.constantFrom(...TICKET_SEVERITIES),
      status: fc.constantFrom('open' as const, 'closed' as const),
      at: fc.integer({ min: 0, max: 400 }).map(ago),
    }),
    fc.record({ kind: fc.constant('nps' as const), score: fc.integer({ min: 0, max: 10 }), at: fc.integer({ min: 0, max: 400 }).map(ago) }),
    fc.record({ kind: fc.constant('check-in-sent' as const), at: fc.integer({ min: 0, max: 400 }).map(ago) }),
    fc.record({ kind: fc.constant('engaged' as const), at: fc.integer({ min: 0, max: 400 }).map(ago) }),
  );

  it('keeps every list within its bounds and the score an integer 0–100, whatever the signals', () => {
    fc.assert(
      // size 'max': fast-check otherwise keeps arrays short, well inside the bounds under test.
      fc.property(fc.array(signal, { maxLength: 300, size: 'max' }), (signals) => {
        const s = record(undefined, ...signals);
        const { history } = healthModel;
        expect(s?.usageDays.length ?? 0).toBeLessThanOrEqual(history.usageDays);
        expect(s?.openTickets.length ?? 0).toBeLessThanOrEqual(history.openTickets);
        expect(s?.closedTickets.length ?? 0).toBeLessThanOrEqual(history.closedTickets);
        expect(s?.checkIns.length ?? 0).toBeLessThanOrEqual(history.checkIns);
        const { score } = health(s, ago(500));
        expect(Number.isInteger(score) && score >= 0 && score <= 100).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('changes nothing when a signal is recorded a second time', () => {
    fc.assert(
      fc.property(fc.array(signal, { maxLength: 50 }), signal, (before, repeated) => {
        const once = recordSignal(record(undefined, ...before), repeated, healthModel);
        expect(recordSignal(once, repeated, healthModel)).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });
});

describe('days without usage', () => {
  it('counts from the last use, or from the start for a customer who never used the product', () => {
    expect(daysWithoutUsage(usedDaily(40, 21), ago(100), NOW)).toBe(21);
    expect(daysWithoutUsage(undefined, ago(15), NOW)).toBe(15);
    expect(daysWithoutUsage(undefined, ago(15), NOW)).toBeGreaterThanOrEqual(healthModel.noUsageAlertDays);
    expect(daysWithoutUsage(undefined, ago(-2), NOW)).toBe(0);
  });
});

describe('a change of health', () => {
  const model = { minChange: 5 };
  it('is worth a timeline entry when the band changes or the score moves by at least minChange', () => {
    expect(healthChange({ score: 80, band: 'healthy' }, { score: 76, band: 'healthy' }, model).changed).toBe(false);
    expect(healthChange({ score: 80, band: 'healthy' }, { score: 75, band: 'healthy' }, model).changed).toBe(true);
    expect(healthChange({ score: 80, band: 'healthy' }, { score: 85, band: 'healthy' }, model).changed).toBe(true);
    expect(healthChange({ score: 65, band: 'healthy' }, { score: 64, band: 'watch' }, model).changed).toBe(true);
    expect(healthChange(undefined, { score: 76, band: 'healthy' }, model).changed).toBe(true);
  });

  it('crosses into at risk only when the band becomes at risk', () => {
    expect(healthChange({ score: 41, band: 'watch' }, { score: 39, band: 'at-risk' }, model)).toEqual({ changed: true, crossedIntoAtRisk: true, recovered: false });
    expect(healthChange({ score: 39, band: 'at-risk' }, { score: 20, band: 'at-risk' }, model)).toEqual({ changed: true, crossedIntoAtRisk: false, recovered: false });
    expect(healthChange(undefined, { score: 20, band: 'at-risk' }, model).crossedIntoAtRisk).toBe(true);
  });

  it('recovers when it leaves at risk', () => {
    expect(healthChange({ score: 39, band: 'at-risk' }, { score: 41, band: 'watch' }, model)).toEqual({ changed: true, crossedIntoAtRisk: false, recovered: true });
  });
});

describe('the health model', () => {
  const withChange = (change: (m: HealthModel) => void) => {
    const m = structuredClone(healthModel);
    change(m);
    return m;
  };

  it('parses as shipped', () => {
    expect(parseHealthModel(healthModel)).toEqual(healthModel);
  });

  it('rejects weights that do not add up to 1, naming the path', () => {
    expect(() => parseHealthModel(withChange((m) => (m.weights.usage = 0.5)))).toThrow(/weights: must add up to 1 \(got 1\.1\)/);
    expect(() => parseHealthModel(withChange((m) => (m.weights.nps = 0.2004)))).not.toThrow();
  });

  it('rejects a negative weight, overlapping bands and a missing setting, naming each path', () => {
    expect(() => parseHealthModel(withChange((m) => ((m.weights.support = -0.1), (m.weights.usage = 0.7))))).toThrow(/weights\.support:/);
    expect(() => parseHealthModel(withChange((m) => (m.bands.atRiskBelow = 70)))).toThrow(/bands\.atRiskBelow: must be below watchBelow/);
    expect(() => parseHealthModel(withChange((m) => delete (m as Partial<HealthModel>).noUsageAlertDays))).toThrow(/noUsageAlertDays:/);
    expect(() => parseHealthModel(withChange((m) => (m.history.usageDays = 20)))).toThrow(/history\.usageDays: must cover usage\.windowDays/);
    expect(() => parseHealthModel(withChange((m) => (m.support.penalties.critical = 1)))).toThrow(/support\.penalties: a more severe ticket/);
  });
});
