/**
 * Durations as log-scale histograms: a sample of h hours lands in bucket ⌊log₁.₂ h⌋ (each bucket is 20 %
 * wide; under a minute is bucket `z`). Buckets are plain counters, so the histograms of many days add up by
 * adding counts, and a median or p90 read from the sum is within one bucket (±10 % around its middle) of
 * the exact figure whatever the range.
 */

const BASE = 1.2;
const MIN_HOURS = 1 / 60;
const MAX_BUCKET = 80; // 1.2^80 h ≈ 250 years: everything real fits

/** Bucket name of a duration in hours. */
export function bucketOf(hours: number): string {
  if (!(hours >= MIN_HOURS)) return 'z';
  return String(Math.min(MAX_BUCKET, Math.floor(Math.log(hours) / Math.log(BASE))));
}

/** The value a bucket stands for: its geometric middle (0 for `z`). */
export function bucketValue(bucket: string): number {
  if (bucket === 'z') return 0;
  return BASE ** (Number(bucket) + 0.5);
}

export type Histogram = Record<string, number>;

export function addTo(target: Histogram, source: Histogram): Histogram {
  for (const [bucket, n] of Object.entries(source)) target[bucket] = (target[bucket] ?? 0) + n;
  return target;
}

export const sampleCount = (h: Histogram) => Object.values(h).reduce((t, n) => t + Math.max(0, n), 0);

/** The q-quantile (0..1) in hours, nearest-rank on buckets; null with no samples. */
export function quantile(h: Histogram, q: number): number | null {
  const buckets = Object.entries(h)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a === 'z' ? -Infinity : Number(a)) - (b === 'z' ? -Infinity : Number(b)));
  const total = buckets.reduce((t, [, n]) => t + n, 0);
  if (!total) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    if (seen >= rank) return bucketValue(bucket);
  }
  return bucketValue(buckets.at(-1)![0]);
}

/** Rounds a figure for a report (null stays null). */
export const round = (x: number | null, digits = 2): number | null => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** a / b rounded to 4 decimals; null when b is 0. */
export const ratio = (a: number, b: number): number | null => (b > 0 ? round(a / b, 4) : null);
