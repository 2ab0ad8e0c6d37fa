import { describe, expect, it } from 'vitest';
import { DiscreteClock } from '../../local/discrete-clock.js';

const T0 = Date.parse('2031-01-01T00:00:00.000Z');
const HOUR = 3_600_000;
const realSleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DiscreteClock', () => {
  it('fires timers in due order (ties in the order they were set), each at its own due time', async () => {
    const clock = new DiscreteClock({ startMs: T0 });
    const fired: Array<[string, number]> = [];
    for (const [name, at] of [['c', 3], ['a', 1], ['b', 2], ['a2', 1]] as const) clock.schedule(T0 + at * HOUR, () => fired.push([name, clock.nowMs() - T0]));
    await clock.runUntil(T0 + 10 * HOUR);
    expect(fired).toEqual([['a', HOUR], ['a2', HOUR], ['b', 2 * HOUR], ['c', 3 * HOUR]]);
    expect(clock.nowMs()).toBe(T0 + 10 * HOUR);
    expect(clock.stats()).toMatchObject({ timersFired: 4, maxLatenessMs: 0, pendingTimers: 0, inFlight: 0 });
  });

  it('leaves a timer due exactly at the target for the next run', async () => {
    const clock = new DiscreteClock({ startMs: T0 });
    let fired = false;
    clock.schedule(T0 + HOUR, () => (fired = true));
    await clock.runUntil(T0 + HOUR);
    expect(fired).toBe(false);
    await clock.runUntil(T0 + HOUR + 1);
    expect(fired).toBe(true);
  });

  it('does not jump while work is in flight, and takes a parked lease back before anything else can look', async () => {
    const clock = new DiscreteClock({ startMs: T0 });
    const order: string[] = [];
    const work = clock.track(async () => {
      await realSleep(50);
      order.push(`work ended at +${clock.nowMs() - T0}`);
    });
    clock.schedule(T0 + HOUR, () => order.push('timer'));
    const lease = clock.begin();
    const parked = clock.sleepUntil(T0 + 2 * HOUR, { holding: lease }).then(() => {
      expect(lease.held).toBe(true);
      order.push(`woke at +${(clock.nowMs() - T0) / HOUR}h`);
    });
    const run = clock.runUntil(T0 + 3 * HOUR);
    await work;
    await parked;
    lease.release();
    await run;
    expect(order).toEqual(['work ended at +0', 'timer', 'woke at +2h']);
  });

  it('looks again when an idle probe finds work, and moves only once the probe finds its part drained', async () => {
    const clock = new DiscreteClock({ startMs: T0 });
    let unread = 2;
    const seenAt: number[] = [];
    clock.addIdleProbe(async () => {
      if (unread === 0) return;
      unread -= 1;
      void clock.track(async () => {
        await realSleep(10);
        seenAt.push(clock.nowMs());
      });
    });
    clock.schedule(T0 + HOUR, () => undefined);
    await clock.runUntil(T0 + 2 * HOUR);
    expect(seenAt).toEqual([T0, T0]);
  });

  it('batches timers within the resolution at the latest one\'s time and reports the lateness', async () => {
    const clock = new DiscreteClock({ startMs: T0, resolutionMs: HOUR });
    const fired: number[] = [];
    for (const minutes of [10, 40, 65, 200]) clock.schedule(T0 + minutes * 60_000, () => fired.push((clock.nowMs() - T0) / 60_000));
    await clock.runUntil(T0 + 10 * HOUR);
    // 10, 40 and 65 are within an hour of the first: all at 65 (the first 55 minutes late); 200 on its own.
    expect(fired).toEqual([65, 65, 65, 200]);
    expect(clock.stats().maxLatenessMs).toBe(55 * 60_000);
    expect(clock.stats().jumps).toBe(3);
  });

  it('ticks a recurring timer on its grid without overlapping runs, and runUntilIdle ignores it', async () => {
    const clock = new DiscreteClock({ startMs: T0 });
    const ticks: number[] = [];
    const stop = clock.every(6 * HOUR, async () => {
      ticks.push((clock.nowMs() - T0) / HOUR);
    });
    clock.schedule(T0 + 13 * HOUR, () => undefined);
    const stats = await clock.runUntilIdle();
    expect(ticks).toEqual([6, 12]);
    expect(stats.nowMs).toBe(T0 + 13 * HOUR);
    await clock.runUntil(T0 + 25 * HOUR);
    expect(ticks).toEqual([6, 12, 18, 24]);
    stop();
    await clock.runUntil(T0 + 48 * HOUR);
    expect(ticks).toHaveLength(4);
  });

  it('cancels a sleeping timer on abort and rejects as States.Aborted, with the lease taken back', async () => {
    const clock = new DiscreteClock({ startMs: T0 });
    const lease = clock.begin();
    const stopped = new AbortController();
    const sleeping = clock.sleepUntil(T0 + HOUR, { holding: lease, signal: stopped.signal });
    expect(clock.stats().inFlight).toBe(0);
    stopped.abort();
    await expect(sleeping).rejects.toMatchObject({ name: 'States.Aborted' });
    expect(clock.stats().inFlight).toBe(1);
    lease.release();
    await clock.runUntilIdle();
    expect(clock.stats()).toMatchObject({ timersFired: 0, nowMs: T0 });
  });

  it('lets a timer fire for work already ended without putting it back in flight', async () => {
    const clock = new DiscreteClock({ startMs: T0 });
    const lease = clock.begin();
    const orphan = clock.sleepUntil(T0 + HOUR, { holding: lease });
    lease.end();
    await clock.runUntil(T0 + 2 * HOUR);
    await orphan;
    expect(lease.held).toBe(false);
    expect(clock.stats().inFlight).toBe(0);
  });

  it('resolves a sleep already due at once, without a jump', async () => {
    const clock = new DiscreteClock({ startMs: T0 });
    await clock.sleepUntil(T0 - HOUR);
    await clock.sleepUntil(T0);
    expect(clock.stats()).toMatchObject({ jumps: 0, timersFired: 0, nowMs: T0 });
  });
});
