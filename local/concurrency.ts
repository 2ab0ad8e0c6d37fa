/**
 * A bounded pool for the local runtime's bulk work (resuming thousands of funnel runs on start):
 * at most `limit` tasks in flight; add() waits for a free slot, so a producer reading pages of
 * leads never runs ahead of the work. The first failure stops new work and is thrown by drain().
 */
export interface BoundedPool {
  /** Starts the task once a slot is free; throws the first failure so the producer stops. */
  add(task: () => Promise<void>): Promise<void>;
  /** Waits for every task; throws the first failure. */
  drain(): Promise<void>;
  /** Waits for every task in flight, never throws (for finally blocks). */
  settle(): Promise<void>;
}

export function boundedPool(limit: number): BoundedPool {
  if (!(limit >= 1)) throw new RangeError(`limit must be ≥ 1, got ${limit}`);
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const rethrow = () => {
    if (failure) throw failure.error;
  };
  return {
    async add(task) {
      rethrow();
      while (running.size >= limit) await Promise.race(running);
      rethrow();
      const settled: Promise<void> = task()
        .catch((error: unknown) => void (failure ??= { error }))
        .finally(() => running.delete(settled));
      running.add(settled);
    },
    async drain() {
      await Promise.all(running);
      rethrow();
    },
    async settle() {
      await Promise.all(running);
    },
  };
}
