/**
 * The cross-workflow frequency cap: at most `max` promotional emails per rolling `windowDays`,
 * counted from the lead's `recentMarketingSends`. Over the cap an email is deferred, not dropped.
 */
import { DAY_MS } from './clock.js';

export interface FrequencyCap {
  max: number;
  windowDays: number;
}

export interface CapCheck {
  allowed: boolean;
  /** Sends still inside the window (older ones are pruned so the list stays short). */
  recent: string[];
  /** When the oldest counted send leaves the window (only when not allowed). */
  freesAt?: string;
}

export function checkFrequencyCap(recentSends: readonly string[] | undefined, now: Date, cap: FrequencyCap): CapCheck {
  const windowStart = now.getTime() - cap.windowDays * DAY_MS;
  const recent = (recentSends ?? []).filter((at) => new Date(at).getTime() > windowStart).sort();
  if (recent.length < cap.max) return { allowed: true, recent };
  const oldestCounted = recent[recent.length - cap.max]!;
  return { allowed: false, recent, freesAt: new Date(new Date(oldestCounted).getTime() + cap.windowDays * DAY_MS).toISOString() };
}
