/**
 * One fuzz suite (a test file): boots its own stack, runs each of its routes from the table as one
 * test, and prints per route the number of requests and of 5xx (also written to .tmp/fuzz-stats-*.json).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { synthesizedApp } from '../../support/app.js';
import { ROUTES } from '../routes.js';
import { FUZZ_RUNS, bootFuzz, fuzzRoute, present, printStats, routeKeysOfTemplate, stopFuzz, type FuzzContext, type RouteStats } from './harness.js';

export function defineFuzzSuite(suite: 'public' | 'admin'): void {
  const routeKeys = routeKeysOfTemplate(synthesizedApp().template);
  const routes = ROUTES.filter((r) => r.suite === suite && present(routeKeys, r));
  let ctx: FuzzContext | undefined;
  const stats: RouteStats[] = [];

  describe(`fuzz: ${suite} routes (${FUZZ_RUNS} generated requests per route)`, () => {
    beforeAll(async () => {
      ctx = await bootFuzz();
    });
    afterAll(async () => {
      printStats(suite, stats);
      await stopFuzz(ctx);
    });

    for (const route of routes) {
      it(
        route.name,
        async () => {
          const { stats: s, failure } = await fuzzRoute(ctx!, route);
          stats.push(s);
          printStats(suite, stats); // after each route too: a long nightly run reports as it goes
          if (failure) throw new Error(failure);
        },
        Math.max(120_000, FUZZ_RUNS * 600),
      );
    }
  });
}
