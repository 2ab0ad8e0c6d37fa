import { describe, expect, it } from 'vitest';
import { checkFrequencyCap } from '../../functions/core/frequency-cap.js';

const cap = { max: 3, windowDays: 7 };
const now = new Date('2026-03-10T12:00:00.000Z');

describe('the frequency cap', () => {
  it('allows a send while fewer than the maximum fall inside the window', () => {
    expect(checkFrequencyCap(['2026-03-09T00:00:00.000Z', '2026-03-08T00:00:00.000Z'], now, cap).allowed).toBe(true);
  });

  it('refuses the send at the maximum and says when the oldest counted send leaves the window', () => {
    const result = checkFrequencyCap(['2026-03-05T00:00:00.000Z', '2026-03-07T00:00:00.000Z', '2026-03-09T00:00:00.000Z'], now, cap);
    expect(result).toMatchObject({ allowed: false, freesAt: '2026-03-12T00:00:00.000Z' });
  });

  it('forgets sends older than the window', () => {
    const result = checkFrequencyCap(['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z'], now, cap);
    expect(result).toEqual({ allowed: true, recent: ['2026-03-09T00:00:00.000Z'] });
  });
});
