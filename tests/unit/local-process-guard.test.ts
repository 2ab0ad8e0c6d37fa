import { describe, expect, it } from 'vitest';
import { processGuard } from '../../local/process-guard.js';

const guarded = (ready: boolean) => {
  const lines: string[] = [];
  const fatal: unknown[] = [];
  const guard = processGuard({ isReady: () => ready, onFatal: (err) => fatal.push(err), log: (line) => lines.push(line) });
  return { guard, lines, fatal };
};

describe('the last line of defence of npm start', () => {
  it('logs an uncaught error or rejection once the stack is up and keeps the system running', () => {
    const { guard, lines, fatal } = guarded(true);
    guard.onUncaughtException(new Error('a timer a handler left behind threw'));
    guard.onUnhandledRejection(new Error('a forgotten promise rejected'));
    expect(fatal).toEqual([]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[local\] uncaught exception .*a timer a handler left behind threw/);
    expect(lines[1]).toMatch(/^\[local\] unhandled promise rejection .*a forgotten promise rejected/);
  });

  it('stops a start-up that failed half-way', () => {
    const { guard, lines, fatal } = guarded(false);
    const err = new Error('boom');
    guard.onUncaughtException(err);
    expect(fatal).toEqual([err]);
    expect(lines[0]).toMatch(/during start-up, stopping/);
  });
});
