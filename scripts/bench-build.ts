/**
 * Build benchmarks: synth time (in-process and the CLI), bundle size, what each bundle is made of,
 * and module init time per Lambda.
 *   npx tsx scripts/bench-build.ts [--runs N] [--init-runs N]
 * Prints tables; asserts nothing. Figures and their meaning: docs/benchmarks.md.
 * Everything runs locally: the CLI with CDK_DISABLE_VERSION_CHECK=1 (cdk.json has notices and
 * telemetry off), module init with every AWS endpoint pointed at a closed port on 127.0.0.1.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptions } from '../infra/constructs/sales-function.js';
import { fmtKb, fmtMs, machineNote, median, REPO_ROOT, run, table, TSX } from './bench-support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

/** Child mode: one in-process synth in a fresh process; prints {importMs, synthMs} as JSON. */
async function synthChild(): Promise<void> {
  const outdir = path.join(REPO_ROOT, '.tmp', `bench-synth-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  try {
    const t0 = performance.now();
    const { buildApp } = await import('../infra/build-app.js');
    const t1 = performance.now();
    const { app } = buildApp({ bundling: false, outdir });
    app.synth();
    const t2 = performance.now();
    console.log(JSON.stringify({ importMs: t1 - t0, synthMs: t2 - t1 }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function inProcessSynth(runs: number, validation: boolean) {
  const samples: Array<{ importMs: number; synthMs: number }> = [];
  for (let i = 0; i < runs; i++) {
    const env = { CDK_DISABLE_VERSION_CHECK: '1', CDK_VALIDATION: validation ? 'true' : 'false', TMPDIR: path.join(REPO_ROOT, '.tmp') };
    const res = await run(TSX, [path.join(REPO_ROOT, 'scripts', 'bench-build.ts'), '--synth-child'], { env, timeoutMs: 180_000 });
    const last = res.stdout.trim().split('\n').at(-1) ?? '';
    if (res.code !== 0 || !last.startsWith('{')) throw new Error(`in-process synth failed (exit ${res.code}):\n${res.stderr.slice(-2000)}`);
    samples.push(JSON.parse(last));
  }
  return { importMs: median(samples.map((s) => s.importMs)), synthMs: median(samples.map((s) => s.synthMs)) };
}

const CLI_OUT = path.join(REPO_ROOT, '.tmp', 'bench-cdk.out');

async function cliSynth(): Promise<number> {
  rmSync(CLI_OUT, { recursive: true, force: true });
  const res = await run('npx', ['cdk', 'synth', '--quiet', '--output', CLI_OUT], {
    env: { CDK_DISABLE_VERSION_CHECK: '1', TMPDIR: path.join(REPO_ROOT, '.tmp') },
    timeoutMs: 300_000,
  });
  if (res.code !== 0) throw new Error(`cdk synth failed (exit ${res.code}):\n${res.stderr.slice(-3000)}`);
  return res.ms;
}

interface Bundle {
  logicalId: string;
  /** The handler file (`SalesFlow:Entry`). */
  entry: string;
  file: string;
  bytes: number;
  env: Record<string, string>;
}

/** Each AWS::Lambda::Function → its `aws:asset:path` folder in the cloud assembly → the .mjs in it. */
function bundles(): Bundle[] {
  const templateFile = readdirSync(CLI_OUT).find((f) => f.endsWith('.template.json'));
  if (!templateFile) throw new Error(`no template in ${CLI_OUT}`);
  const template = JSON.parse(readFileSync(path.join(CLI_OUT, templateFile), 'utf8'));
  const out: Bundle[] = [];
  for (const [logicalId, res] of Object.entries<any>(template.Resources)) {
    if (res.Type !== 'AWS::Lambda::Function') continue;
    const assetPath = res.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') throw new Error(`${logicalId} has no aws:asset:path metadata`);
    const dir = path.join(CLI_OUT, assetPath);
    const mjs = readdirSync(dir).filter((f) => f.endsWith('.mjs'));
    if (mjs.length !== 1) throw new Error(`${logicalId}: expected one .mjs in ${dir}, found ${mjs.join(', ') || 'none'}`);
    const file = path.join(dir, mjs[0]!);
    // Config is parsed at module scope: give every variable a harmless stand-in value.
    const env = Object.fromEntries(
      Object.entries<unknown>(res.Properties?.Environment?.Variables ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : `bench-${k.toLowerCase()}`]),
    );
    out.push({ logicalId, entry: res.Metadata?.['SalesFlow:Entry'], file, bytes: statSync(file).size, env });
  }
  return out.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

/** Byte groups of a bundle worth watching; a module counts in the first group whose pattern it matches. */
const PARTS = {
  /** zod classic and the translations of its messages (zod/mini with the English locale is the rest). */
  zodClassic: /node_modules\/zod\/(v4\/classic\/|v4\/locales\/(?!en\.js)|index\.js)/,
  zod: /node_modules\/zod\//,
  /** The SDK's default credential chain, aliased away in BUNDLING: should stay 0. */
  credentialChain: /node_modules\/@aws-sdk\/(credential-provider-(?!env\/)|nested-clients\/|token-providers\/)/,
  sdk: /node_modules\/@(aws-sdk|smithy)\//,
} as const;
type Part = keyof typeof PARTS;

/**
 * What a bundle is made of: esbuild rebuilds the entry with the construct's own settings and a
 * metafile (CDK's asset has none). The rebuild's size is printed too: it should match the asset's.
 */
async function composition(entry: string): Promise<Record<Part | 'total', number>> {
  const res = await build({ ...esbuildOptions(), entryPoints: [path.join(REPO_ROOT, entry)], outfile: 'bench.mjs', write: false, metafile: true });
  const output = Object.values(res.metafile!.outputs)[0]!;
  const parts = { zodClassic: 0, zod: 0, credentialChain: 0, sdk: 0, total: output.bytes };
  for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
    const part = (Object.keys(PARTS) as Part[]).find((p) => PARTS[p].test(file));
    if (part) parts[part] += bytesInOutput;
  }
  return parts;
}

const CLOSED = 'http://127.0.0.1:9';
const INIT_PROBE = 'const t=performance.now();await import(process.argv[1]);console.log(JSON.stringify({ms:performance.now()-t}));';

/** Imports a bundle in a fresh `node` process; the time of the import() alone (module init). */
async function initTimes(bundle: Bundle, runs: number): Promise<number[]> {
  const env: NodeJS.ProcessEnv = {
    ...bundle.env,
    PUBLIC_BASE_URL: 'https://bench.invalid',
    FUNNEL_STATE_MACHINE_ARN: bundle.env.FUNNEL_STATE_MACHINE_ARN?.startsWith('arn:') ? bundle.env.FUNNEL_STATE_MACHINE_ARN : 'arn:aws:states:us-east-1:123456789012:stateMachine:LeadFunnel',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL: CLOSED,
    ...Object.fromEntries(['DYNAMODB', 'SFN', 'SESV2', 'EVENTBRIDGE', 'SECRETS_MANAGER'].map((s) => [`AWS_ENDPOINT_URL_${s}`, CLOSED])),
  };
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const res = await run(process.execPath, ['--input-type=module', '-e', INIT_PROBE, pathToFileURL(bundle.file).href], { env, timeoutMs: 60_000 });
    const last = res.stdout.trim().split('\n').at(-1) ?? '';
    if (res.code !== 0 || !last.startsWith('{')) throw new Error(`${bundle.logicalId}: import failed (exit ${res.code}):\n${res.stderr.slice(-1500)}`);
    times.push(JSON.parse(last).ms);
  }
  return times;
}

async function main(): Promise<void> {
  const runs = arg('--runs', 1);
  const initRuns = arg('--init-runs', 5);
  console.log(`# Build benchmarks (${machineNote()}; synth runs: ${runs}, init runs per bundle: ${initRuns})\n`);

  const withValidation = await inProcessSynth(runs, true);
  const noValidation = await inProcessSynth(runs, false);
  const cliMs = await cliSynth();
  console.log(
    table(
      ['synth', 'bundling', 'import app modules', 'construct + synth', 'total'],
      [
        ['in-process buildApp (validation + cdk-nag)', 'off', fmtMs(withValidation.importMs), fmtMs(withValidation.synthMs), fmtMs(withValidation.importMs + withValidation.synthMs)],
        ['in-process buildApp, CDK_VALIDATION=false', 'off', fmtMs(noValidation.importMs), fmtMs(noValidation.synthMs), fmtMs(noValidation.importMs + noValidation.synthMs)],
        ['npx cdk synth --quiet (wall, incl. npx)', 'on', '-', '-', fmtMs(cliMs)],
      ],
    ),
  );

  const list = bundles();
  const rows: Array<Array<string | number>> = [];
  for (const b of list) {
    const times = await initTimes(b, initRuns);
    const parts = await composition(b.entry);
    rows.push([
      b.logicalId,
      fmtKb(b.bytes),
      fmtKb(parts.total),
      fmtKb(parts.zod + parts.zodClassic),
      fmtKb(parts.zodClassic),
      fmtKb(parts.sdk + parts.credentialChain),
      fmtKb(parts.credentialChain),
      median(times).toFixed(0),
      Math.min(...times).toFixed(0),
      Math.max(...times).toFixed(0),
    ]);
  }
  const total = list.reduce((s, b) => s + b.bytes, 0);
  console.log(`\nBundles (from ${path.relative(REPO_ROOT, CLI_OUT)}; module init = import() in a fresh node ${process.version}, ms)\n`);
  console.log(
    table(['function', 'bundle .mjs', 'rebuilt', 'zod', 'zod classic', 'AWS SDK', 'credential chain', 'init p50', 'min', 'max'], rows),
  );
  console.log(`\n${list.length} functions, ${fmtKb(total)} of bundles in all`);
}

if (process.argv.includes('--synth-child')) await synthChild();
else if (existsSync(path.join(REPO_ROOT, 'node_modules'))) await main();
