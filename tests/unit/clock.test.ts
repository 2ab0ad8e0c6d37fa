import { describe, expect, it } from 'vitest';
import { DAY_MS, scaledClock } from '../../functions/core/clock.js';

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
});
