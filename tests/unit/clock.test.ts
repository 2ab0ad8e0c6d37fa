import { describe, expect, it } from 'vitest';
import { DAY_MS, fixedClock, scaledClock } from '../../functions/core/clock.js';

describe('the scaled clock', () => {
  it('runs real time when the scale is 1', () => {
    let real = 1_000_000;
    const clock = scaledClock(1, real, () => real);
    real += 5_000;
    expect(clock.now().getTime()).toBe(1_005_000);
  });

  it('compresses time by the scale from its origin', () => {
    let real = 1_000_000;
    const clock = scaledClock(86_400, real, () => real);
    real += 1_000; // a real second is a virtual day
    expect(clock.now().getTime()).toBe(1_000_000 + DAY_MS);
  });

  it('carries on from a virtual origin, so a restarted local system does not go back in time', () => {
    let real = 1_000_000;
    const later = real + 30 * DAY_MS;
    const clock = scaledClock(86_400, real, () => real, later);
    expect(clock.now().getTime()).toBe(later);
    real += 2_000;
    expect(clock.now().getTime()).toBe(later + 2 * DAY_MS);
  });

  it('refuses a scale below 1', () => {
    expect(() => scaledClock(0.5)).toThrow(RangeError);
  });

  it('maps a wall-clock instant into its own time: unchanged at scale 1, as on AWS', () => {
    const clock = scaledClock(1, 1_000_000, () => 1_000_000);
    expect(clock.fromWallClock(new Date(1_003_000)).getTime()).toBe(1_003_000);
  });

  it('maps a wall-clock instant through its origin and scale, so "just now" in real time is its now', () => {
    let real = 1_000_000;
    const later = real + 30 * DAY_MS;
    const clock = scaledClock(86_400, real, () => real, later);
    real += 2_000;
    expect(clock.fromWallClock(new Date(real)).getTime()).toBe(clock.now().getTime());
    expect(clock.fromWallClock(new Date(real - 500)).getTime()).toBe(later + 1.5 * DAY_MS);
  });
});

describe('the fixed clock', () => {
  it('takes a wall-clock instant as it is', () => {
    const clock = fixedClock('2026-03-02T09:00:00.000Z');
    expect(clock.fromWallClock(new Date('2026-03-01T00:00:00.000Z')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });
});
