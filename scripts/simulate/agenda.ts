/**
 * What the simulated people will do and when: a time-ordered queue (a binary heap on (virtual time, insertion
 * order)), with each item tagged by the person it concerns so one person's actions run in order while
 * different people's run side by side.
 */
export interface AgendaItem {
  atMs: number;
  /** Whose action it is (a lead, a rep): items of one subject run one after another. */
  subject: string;
  /** Runs alone, after the system settled (see runDue). */
  serial?: boolean;
  run: () => Promise<void>;
}

interface Entry extends AgendaItem {
  seq: number;
}

export class Agenda {
  private readonly heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  add(item: AgendaItem): void {
    this.heap.push({ ...item, seq: this.seq++ });
    this.up(this.heap.length - 1);
  }

  peekAt(): number | undefined {
    return this.heap[0]?.atMs;
  }

  /** Every item due by `ms`, in (time, insertion) order. */
  takeDue(ms: number): AgendaItem[] {
    const due: AgendaItem[] = [];
    while (this.heap.length && this.heap[0]!.atMs <= ms) due.push(this.pop());
    return due;
  }

  private pop(): Entry {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    [this.heap[a], this.heap[b]] = [this.heap[b]!, this.heap[a]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.heap.length && this.less(l, m)) m = l;
      if (r < this.heap.length && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

/**
 * Runs due items in rounds: a round is the next item of every subject, run side by side (at most
 * `concurrency` at once), and the system is let settle between rounds, so one person's second action meets
 * the system as the first one left it. A `serial` item (one that may hand a lead to a rep, or certify one:
 * the round-robin turn is shared) runs alone, after a settle, so the order of those is the agenda's.
 */
export async function runDue(items: AgendaItem[], concurrency: number, settle: () => Promise<void>): Promise<void> {
  const lanes = new Map<string, AgendaItem[]>();
  for (const item of items) lanes.set(item.subject, [...(lanes.get(item.subject) ?? []), item]);
  for (let round = 0; ; round++) {
    const batch = [...lanes.values()].flatMap((lane) => (lane[round] ? [lane[round]!] : []));
    if (!batch.length) return;
    if (round > 0) await settle();
    const together = batch.filter((i) => !i.serial);
    let next = 0;
    const worker = async () => {
      while (next < together.length) await together[next++]!.run();
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, together.length) }, worker));
    for (const item of batch.filter((i) => i.serial)) {
      await settle();
      await item.run();
    }
  }
}
