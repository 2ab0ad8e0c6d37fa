/**
 * The local runtime's throttling pieces on their own: retry pauses on a compressed clock keep Step
 * Functions' backoff, MaxDelaySeconds and FULL jitter (scaled), and the local SES's sending rate is a
 * token bucket of R a second with bursts of R.
 */
import { describe, expect, it } from 'vitest';
import { matchingRetrier, prepareDefinition, retryPauseMs, type Retrier } from '../../local/sfn/definition.js';
import { SesThrottle } from '../../local/ses.js';

const throttled: Retrier = { errors: ['SendThrottled'], intervalSeconds: 1, backoffRate: 2, maxDelaySeconds: 120, maxAttempts: 200, jitter: 'FULL' };

describe('local retry pauses on a compressed clock', () => {
  it('read every retrier of a Task with Step Functions’ defaults', () => {
    const prepared = prepareDefinition('M', {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'fn' }, End: true,
          Retry: [{ ErrorEquals: ['SendThrottled'], IntervalSeconds: 1, BackoffRate: 2, MaxDelaySeconds: 120, MaxAttempts: 200, JitterStrategy: 'FULL' }, { ErrorEquals: ['States.ALL'] }],
        },
      },
    }, () => true);
    expect(prepared.retryStates.T).toEqual([throttled, { errors: ['States.ALL'], intervalSeconds: 1, backoffRate: 2, maxAttempts: 3, jitter: 'NONE' }]);
  });

  it('grow by the backoff rate up to MaxDelaySeconds, scaled to real time', () => {
    const noJitter = { ...throttled, jitter: 'NONE' as const };
    expect([0, 1, 2, 6, 7, 50].map((n) => retryPauseMs(noJitter, n, 60))).toEqual([17, 33, 67, 1067, 2000, 2000]);
  });

  it('draw FULL jitter uniformly below the capped backoff, and never go under a few milliseconds', () => {
    expect(retryPauseMs(throttled, 10, 60, () => 0.5)).toBe(1000);
    expect(retryPauseMs(throttled, 10, 60, () => 0)).toBe(5);
    expect(retryPauseMs(throttled, 0, 86_400, () => 0.99)).toBe(5);
  });

  it('pick the retrier Step Functions would: the first naming the error, States.ALL or States.TaskFailed', () => {
    const all: Retrier = { ...throttled, errors: ['States.ALL'] };
    expect(matchingRetrier([{ ...throttled, errors: ['SupersededError'] }, throttled, all], 'SendThrottled')).toBe(1);
    expect(matchingRetrier([throttled, all], 'Boom')).toBe(1);
    expect(matchingRetrier([throttled], 'Boom')).toBe(-1);
    expect(matchingRetrier([{ ...throttled, errors: ['States.TaskFailed'] }], 'Boom')).toBe(0);
  });
});

describe('the local SES sending rate', () => {
  it('takes a burst of R, then R a second, and counts what it refuses', () => {
    let now = 0;
    const throttle = new SesThrottle(() => now);
    throttle.set(5);
    expect(Array.from({ length: 7 }, () => throttle.admit())).toEqual([true, true, true, true, true, false, false]);
    now += 200; // a fifth of a second: one more token
    expect([throttle.admit(), throttle.admit()]).toEqual([true, false]);
    now += 10_000; // idle: at most a second's worth saved up
    expect(Array.from({ length: 6 }, () => throttle.admit()).filter(Boolean)).toHaveLength(5);
    expect(throttle.stats).toEqual({ admitted: 11, throttled: 4 });
  });

  it('takes everything without a rate, and lets a rate under one a second through once a second', () => {
    let now = 0;
    const throttle = new SesThrottle(() => now);
    throttle.set(undefined);
    expect(Array.from({ length: 100 }, () => throttle.admit()).every(Boolean)).toBe(true);
    throttle.set(0.5);
    expect([throttle.admit(), throttle.admit()]).toEqual([true, false]);
    now += 2_000;
    expect(throttle.admit()).toBe(true);
    expect(() => throttle.set(0)).toThrow(RangeError);
  });
});
