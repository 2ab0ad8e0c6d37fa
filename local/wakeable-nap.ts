/**
 * A sleep that another part of the runtime can cut short: a poller's idle nap (the stream mappings), or the
 * self-driving clock's wait while idle, woken as soon as work may have arrived.
 */
export interface WakeableNap {
  /** Sleeps `ms` of wall time, or until `wake()`. */
  nap(ms: number): Promise<void>;
  /** Ends the nap in progress, if any. */
  wake(): void;
}

export function wakeableNap(): WakeableNap {
  let wakeNow: (() => void) | undefined;
  return {
    nap: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wakeNow = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    wake: () => wakeNow?.(),
  };
}
