/**
 * Seeded randomness for the simulator, as pure functions of (seed, keys): a decision never depends on the
 * order in which the simulator happens to make it, so two runs with one seed make the same decisions
 * even when the local system answers in a different order (concurrent requests, a loaded machine).
 */
import { createHash } from 'node:crypto';

export type Key = string | number;

/** A uniform number in [0, 1) for the seed and keys (48 bits of SHA-256). */
export function unit(seed: number, ...keys: Key[]): number {
  const h = createHash('sha256').update(`${seed}\u0000${keys.join('\u0000')}`).digest();
  return (h.readUInt32BE(0) * 2 ** 16 + h.readUInt16BE(4)) / 2 ** 48;
}

/** Decisions about one thing (a lead, a rep, one email), each named by a key of its own. */
export interface Draw {
  unit(key: Key): number;
  /** True with probability p (clamped to [0, 1]). */
  chance(p: number, key: Key): boolean;
  /** A number in [lo, hi). */
  between(range: readonly [number, number], key: Key): number;
  /** An index drawn by the weights (non-negative, not all zero). */
  pick(weights: readonly number[], key: Key): number;
}

export function draw(seed: number, ...prefix: Key[]): Draw {
  const u = (key: Key) => unit(seed, ...prefix, key);
  return {
    unit: u,
    chance: (p, key) => u(key) < Math.min(1, Math.max(0, p)),
    between: ([lo, hi], key) => lo + (hi - lo) * u(key),
    pick(weights, key) {
      const total = weights.reduce((a, b) => a + b, 0);
      if (!(total > 0)) throw new RangeError('pick needs a positive weight');
      let x = u(key) * total;
      for (let i = 0; i < weights.length; i++) {
        x -= weights[i]!;
        if (x < 0) return i;
      }
      return weights.length - 1;
    },
  };
}
