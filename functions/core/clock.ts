/**
 * Time, as the core sees it. On AWS it is wall-clock time. Locally a time scale compresses it:
 * virtual now = virtual origin + (real elapsed since origin) × scale, the same scale the local Step
 * Functions runtime applies to Wait states, so "7 days" means the same thing to both. The virtual
 * origin lets a restarted local system carry on from where its compressed time had got to.
 */
export interface Clock {
  now(): Date;
  /**
   * The instant a wall-clock time (a webhook's `occurredAt`) is in this clock's time. Unchanged on
   * AWS; on a compressed local clock real "just now" is virtual now, not days in its past.
   */
  fromWallClock(wall: Date): Date;
}

export function scaledClock(scale = 1, originMs = Date.now(), realNow: () => number = Date.now, virtualOriginMs = originMs): Clock {
  if (!(scale >= 1)) throw new RangeError(`time scale must be ≥ 1, got ${scale}`);
  const toVirtual = (realMs: number) => new Date(virtualOriginMs + (realMs - originMs) * scale);
  return { now: () => toVirtual(realNow()), fromWallClock: (wall) => toVirtual(wall.getTime()) };
}

/** Where the installed time source lives: one per process, shared by every module copy that reads it. */
const INSTALLED = Symbol.for('sales-flow.installed-clock');
type WithInstalled = { [INSTALLED]?: Clock };

/**
 * Installs (or, with undefined, removes) the process's time source: the local runtime's discrete-event
 * clock, which the handlers run beside in the same process and whose time only it moves.
 */
export function installClock(source: Clock | undefined): void {
  (globalThis as WithInstalled)[INSTALLED] = source;
}

/**
 * A clock that reads the installed time source on every call (TIME_MODE=discrete: the local runtime's
 * discrete-event time). It fails loudly when nothing is installed, rather than falling back to wall time.
 */
export function installedClock(): Clock {
  const source = (): Clock => {
    const installed = (globalThis as WithInstalled)[INSTALLED];
    if (!installed) throw new Error('TIME_MODE=discrete needs the local runtime\'s clock installed in this process');
    return installed;
  };
  return { now: () => source().now(), fromWallClock: (wall) => source().fromWallClock(wall) };
}

export function fixedClock(start: Date | string): Clock & { advance(ms: number): void; set(d: Date | string): void } {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    fromWallClock: (wall) => new Date(wall),
    advance: (ms: number) => {
      t += ms;
    },
    set: (d) => {
      t = new Date(d).getTime();
    },
  };
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
