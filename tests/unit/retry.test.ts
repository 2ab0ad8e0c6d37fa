import { describe, expect, it } from 'vitest';
import { backoffMs, withOptimisticRetry } from '../../functions/core/retry.js';
import { VersionConflictError } from '../../functions/core/errors.js';

describe('the optimistic retry', () => {
  it('waits a random time within a window that doubles up to its cap (full jitter)', () => {
    const policy = { baseMs: 10, capMs: 100 };
    expect(backoffMs(1, { ...policy, random: () => 0.999 })).toBe(9);
    expect(backoffMs(3, { ...policy, random: () => 0.5 })).toBe(20);
    expect(backoffMs(10, { ...policy, random: () => 0.999 })).toBe(99);
    expect(backoffMs(4, { ...policy, random: () => 0 })).toBe(0);
  });

  it('retries a version conflict from a fresh attempt, sleeping between attempts', async () => {
    const slept: number[] = [];
    let calls = 0;
    const result = await withOptimisticRetry(
      async (n) => {
        calls++;
        if (n < 3) throw new VersionConflictError('lead-1');
        return n;
      },
      { attempts: 5, baseMs: 10, capMs: 100, random: () => 0.5, sleep: async (ms) => void slept.push(ms) },
    );
    expect(result).toBe(3);
    expect(calls).toBe(3);
    expect(slept).toEqual([5, 10]);
  });

  it('gives up after its attempts, and never retries another error', async () => {
    const policy = { attempts: 3, baseMs: 1, capMs: 1, sleep: async () => undefined };
    await expect(withOptimisticRetry(async () => { throw new VersionConflictError('x'); }, policy)).rejects.toBeInstanceOf(VersionConflictError);
    let calls = 0;
    await expect(withOptimisticRetry(async () => { calls++; throw new Error('boom'); }, policy)).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });
});
