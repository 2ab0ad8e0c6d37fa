/**
 * What Lambda will load: every function of the synthesized template, bundled by esbuild with the
 * function construct's own settings, then imported in a fresh Node process with the template's
 * environment. Catches what type-checking and the in-process tests cannot: a dependency that breaks
 * only as an ESM bundle, a module-scope config read that throws, an SDK left external.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { FUNCTION_SPECS } from '../../infra/functions.js';
import { BUNDLE_ALIASES, BUNDLING, esbuildOptions, REPO_ROOT } from '../../infra/constructs/sales-function.js';
import { assemblyDir } from './support.js';

const run = promisify(execFile);
const { app, stack } = buildApp({ bundling: false, outdir: assemblyDir('bundles'), nag: false });
const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, any> };
const functions = Object.entries(template.Resources)
  .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
  .map(([id, r]) => ({ id, entry: r.Metadata['SalesFlow:Entry'] as string, env: (r.Properties.Environment?.Variables ?? {}) as Record<string, unknown> }));
const outdir = resolve(REPO_ROOT, '.tmp', 'bundle-test');

/** Token-valued variables (table names, ARNs) get a plausible literal; endpoints go nowhere. */
function lambdaEnv(env: Record<string, unknown>): NodeJS.ProcessEnv {
  const literal = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : `test-${k.toLowerCase()}`]));
  if (typeof env.PUBLIC_BASE_URL !== 'string') literal.PUBLIC_BASE_URL = 'https://api.example.test';
  return { PATH: process.env.PATH, ...literal, ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_'))) };
}

beforeAll(async () => {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await Promise.all(
    functions.map((fn) => build({ ...esbuildOptions(), entryPoints: [resolve(REPO_ROOT, fn.entry)], outfile: join(outdir, `${fn.id}.mjs`) })),
  );
}, 120_000);

describe('the Lambda bundles', () => {
  it('covers every function of the template, which are exactly those of the spec table', () => {
    expect(functions.map((f) => f.id).sort()).toEqual(Object.keys(FUNCTION_SPECS).sort());
    expect(functions.length).toBeGreaterThanOrEqual(20);
  });

  it.each(functions.map((f) => [f.id, f] as const))('bundles %s with the AWS SDK inside and loads it as Lambda would', async (_id, fn) => {
    const file = join(outdir, `${fn.id}.mjs`);
    expect(readFileSync(file, 'utf8')).not.toMatch(/from\s*["']@aws-sdk\//);
    const probe = 'const m = await import(process.argv[1]); console.log(typeof m.handler);';
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe, file], { env: lambdaEnv(fn.env), timeout: 30_000 });
    expect(stdout.trim()).toBe('function');
  });

  it('passes the construct the same aliases as this test', () => {
    expect(BUNDLING.esbuildArgs['--alias']).toEqual(Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`));
  });

  it('signs SDK calls with the credentials Lambda puts in the environment', async () => {
    const file = join(outdir, 'credentials-probe.mjs');
    await build({
      ...esbuildOptions(),
      stdin: {
        contents: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; console.log(JSON.stringify(await new DynamoDBClient({}).config.credentials()));",
        resolveDir: REPO_ROOT,
        loader: 'ts',
      },
      outfile: file,
    });
    const env = { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDLAMBDA', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' };
    const { stdout } = await run(process.execPath, [file], { env, timeout: 30_000 });
    expect(JSON.parse(stdout)).toMatchObject({ accessKeyId: 'AKIDLAMBDA', secretAccessKey: 'secret', sessionToken: 'token' });
    // …from the environment provider alone: none of the default chain's other links is bundled.
    expect(readFileSync(file, 'utf8')).not.toContain('defaultProvider::');
  });
});
