/**
 * The discrete-event clock's one timer queue (local/discrete-clock.ts): a binary heap ordered by due time,
 * then by the order timers were added, so timers due in the same instant fire in the order they were set.
 * Cancelled timers stay in the heap and are dropped when they reach the top.
 */
export interface QueuedTimer {
  due: number;
  seq: number;
  cancelled: boolean;
}

const before = (a: QueuedTimer, b: QueuedTimer) => a.due < b.due || (a.due === b.due && a.seq < b.seq);

export class TimerQueue<T extends QueuedTimer> {
  private readonly heap: T[] = [];

  /** Timers not cancelled. */
  get size(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /** The earliest live timer. */
  peek(): T | undefined {
    while (this.heap.length && this.heap[0]!.cancelled) this.take();
    return this.heap[0];
  }

  /** Removes and answers the earliest live timer. */
  pop(): T | undefined {
    return this.peek() ? this.take() : undefined;
  }

  push(timer: T): void {
    const h = this.heap;
    h.push(timer);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private take(): T | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
