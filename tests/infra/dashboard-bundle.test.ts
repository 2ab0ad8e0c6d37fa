/**
 * The Dashboard Lambda as Lambda runs it: bundled by esbuild with the function construct's settings,
 * then loaded in a fresh Node process from a directory with no checkout around it, so the browser files
 * can only come from the bundle (esbuild's text imports), never from node_modules or functions/web/.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_SPECS } from '../../infra/functions.js';
import { esbuildOptions, REPO_ROOT } from '../../infra/constructs/sales-function.js';

const run = promisify(execFile);
// Outside the repository: /tmp, not the tests' TMPDIR (.tmp/ in the checkout).
const dir = mkdtempSync(join(tmpdir().startsWith(REPO_ROOT) ? '/tmp' : tmpdir(), 'sf-dashboard-'));
const bundle = join(dir, 'index.mjs');

beforeAll(async () => {
  await build({ ...esbuildOptions(), entryPoints: [resolve(REPO_ROOT, FUNCTION_SPECS.Dashboard.entry)], outfile: bundle });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Dashboard bundle', () => {
  it('stays within the 500 KB every bundle keeps to, Chart.js included', () => {
    const size = statSync(bundle).size;
    expect(size).toBeGreaterThan(200 * 1024); // Chart.js is in it
    expect(size).toBeLessThanOrEqual(500 * 1024);
  });

  it('serves the page and Chart.js from the bundle alone', async () => {
    const probe = `
      const { handler } = await import(${JSON.stringify(bundle)});
      const ctx = { getRemainingTimeInMillis: () => 3000, functionName: 'Dashboard', awsRequestId: 'r' };
      const get = (path, asset) => handler({ version: '2.0', rawPath: path, headers: {}, pathParameters: asset ? { asset } : undefined, requestContext: { http: { method: 'GET', path } } }, ctx);
      const page = await get('/dashboard');
      const names = [...page.body.matchAll(/dashboard\\/([^"]+)"/g)].map((m) => m[1]);
      const files = await Promise.all(names.map((n) => get('/dashboard/' + n, n)));
      console.log(JSON.stringify({ page: page.statusCode, files: files.map((f, i) => ({ name: names[i], status: f.statusCode, head: f.body.slice(0, 40), length: f.body.length })) }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: dir,
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT', TABLE_NAME: 'x' },
      timeout: 30_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out.page).toBe(200);
    expect(out.files).toHaveLength(5);
    for (const f of out.files) expect(f.status, f.name).toBe(200);
    const chart = out.files.find((f: { name: string }) => f.name.startsWith('chart.'));
    expect(chart.head).toMatch(/Chart\.js v4/);
    expect(chart.length).toBeGreaterThan(200_000);
  });
});
