import { describe, expect, it } from 'vitest';
import { boundedPool } from '../../local/concurrency.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('the bounded pool of the local runtime', () => {
  it('runs every task with never more than its limit in flight', async () => {
    const pool = boundedPool(4);
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    for (let i = 0; i < 50; i++) {
      await pool.add(async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        for (let t = 0; t < (i % 3) + 1; t++) await tick();
        inFlight--;
        done.push(i);
      });
    }
    await pool.drain();
    expect(most).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('stops taking work after the first failure, lets the rest finish, and throws that failure', async () => {
    const pool = boundedPool(2);
    const boom = new Error('boom');
    let finished = 0;
    let refused: unknown;
    try {
      for (let i = 0; i < 10; i++) {
        await pool.add(async () => {
          await tick();
          if (i === 1) throw boom;
          finished++;
        });
      }
    } catch (err) {
      refused = err;
    }
    await pool.settle();
    expect(refused).toBe(boom);
    expect(finished).toBeLessThan(9);
    await expect(pool.drain()).rejects.toBe(boom);
  });
});
