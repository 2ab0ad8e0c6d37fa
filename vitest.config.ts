import { defineConfig } from 'vitest/config';

/**
 * Every AWS SDK client in a test points at 127.0.0.1. Unit tests get an unreachable local port
 * (port 9, discard) so an unmocked call fails fast instead of reaching AWS; integration, workflow
 * and e2e tests have these overwritten by tests/support/setup-env.ts (DynamoDB Local from the
 * global setup) and by startLocalStack() (the other stand-ins).
 */
const UNREACHABLE = 'http://127.0.0.1:9';
const localAwsEnv = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: UNREACHABLE,
  AWS_ENDPOINT_URL_SFN: UNREACHABLE,
  AWS_ENDPOINT_URL_SESV2: UNREACHABLE,
  AWS_ENDPOINT_URL_EVENTBRIDGE: UNREACHABLE,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: UNREACHABLE,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  // CDK synth in tests: no telemetry/notices, and its temp output stays inside the repo.
  CDK_DISABLE_VERSION_CHECK: '1',
  TMPDIR: `${process.cwd()}/.tmp`,
};

/** A project with an in-memory DynamoDB Local of its own (started at its global setup, killed by PID at teardown). */
const ownDynamoDb = ['tests/support/global-dynamodb-own.ts', 'tests/support/global-app.ts'];

/** Projects that talk to real local services share one in-memory DynamoDB Local per run unless they name their own. */
const withLocalServices = {
  globalSetup: ['tests/support/global-dynamodb.ts', 'tests/support/global-app.ts'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    env: localAwsEnv,
    setupFiles: ['tests/support/setup-env.ts'],
    // Handlers run in the test worker's process; forks isolate their module-scope config per file.
    pool: 'forks',
    // The machines running this have 2 cores; each integration file has its own table, so two
    // files in parallel are safe and keep `npm test` in minutes.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'infra', include: ['tests/infra/**/*.test.ts'], testTimeout: 60_000 } },
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], ...withLocalServices } },
      // A DynamoDB Local of its own: on the one shared with integration, e2e and fuzz, worn by the files before them,
      // the compressed-clock scenarios here ran late enough to fail (a wait stretched, a run of 503s).
      { extends: true, test: { name: 'workflows', include: ['tests/workflows/**/*.test.ts'], ...withLocalServices, globalSetup: ownDynamoDb } },
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], ...withLocalServices } },
      // The funnel on the discrete-event clock with 300 leads captured at once: alone (≈ 30 s), on a DynamoDB Local of
      // its own. Its clock checks every stream is drained before each jump; beside the other files, on the worn shared
      // instance, those checks took it 10 minutes and loaded the cores the compressed-clock files share.
      { extends: true, test: { name: 'clock', include: ['tests/clock/**/*.test.ts'], ...withLocalServices, globalSetup: ownDynamoDb, testTimeout: 300_000, sequence: { groupOrder: 1 } } },
      // Issue 9's 3,000-lead burst: alone, after every other project (a later group), so it neither starves
      // the other files of the 2 cores nor is starved by them.
      // It has a DynamoDB Local of its own (tests/support/global-dynamodb-own.ts): the shared one is worn by then.
      { extends: true, test: { name: 'burst', include: ['tests/burst/**/*.test.ts'], ...withLocalServices, globalSetup: ownDynamoDb, sequence: { groupOrder: 2 } } },
      // Property-based fuzzing of every route on the real local stack; FUZZ_RUNS per route (npm run fuzz: 10,000).
      { extends: true, test: { name: 'fuzz', include: ['tests/fuzz/**/*.test.ts'], ...withLocalServices } },
      // The cohort simulator (npm run simulate) on a small cohort: each simulation runs in a child process of its own.
      // Last and alone (after the burst), on a DynamoDB Local of its own: beside other busy files, or on the shared
      // one worn by every earlier file, its simulations ran past 5 minutes each (41-138 s on a fresh one).
      { extends: true, test: { name: 'simulate', include: ['tests/simulate/**/*.test.ts'], ...withLocalServices, globalSetup: ownDynamoDb, testTimeout: 300_000, sequence: { groupOrder: 3 } } },
    ],
  },
});
