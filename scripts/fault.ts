/**
 * `npm run fault`: crash `npm start` mid-nurture and check that the restart keeps its promises.
 *   npm run fault -- [--leads 20] [--time-scale 86400] [--nurture-ms 6000] [--after-ms 8000] [--keep]
 *
 * Runs npm start's entry (local/start.ts, as one Node process) with its own data directory
 * (SALES_FLOW_DATA_DIR under .tmp/), its own free ports and a compressed clock; captures leads, lets
 * nurture run, SIGKILLs the process by PID (its DynamoDB Local Java child must die by its watchdog;
 * checked, and killed by PID if not), restarts it on the same data, and verifies:
 *   - no email was sent twice: the local SES store is in memory and lost with the process, so it is
 *     polled just before the kill and again at the end; no recipient gets one subject twice, and every
 *     email after the restart has a send-ledger entry (DynamoDB, the ground truth: one entry per send)
 *     that did not exist before the kill;
 *   - every nurturing lead's run resumed: its current execution is RUNNING after the restart.
 * Prints the result; exits 1 on a violation. Every process it starts is killed by PID on every exit path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, createWriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { REPO_ROOT, pool, sleep } from './bench-support.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  const n = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`${name} must be a number ≥ 0`);
  return n;
};
const LEADS = arg('--leads', 20);
const SCALE = arg('--time-scale', 86_400);
const NURTURE_MS = arg('--nurture-ms', 6_000);
const AFTER_MS = arg('--after-ms', 8_000);
const KEEP = process.argv.includes('--keep');
const TABLE = 'sales-flow';
const FUNNEL_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:LeadFunnel';
const NURTURING = ['active', 'recycled'];

const stamp = `${Date.now().toString(36)}-${randomUUID().slice(0, 4)}`;
const dataDir = path.join(REPO_ROOT, '.tmp', `fault-${stamp}`);
const logFile = path.join(REPO_ROOT, '.tmp', `fault-${stamp}.log`);

/** PIDs this script started (the app, and any Java child seen): killed on every exit path. */
const owned = new Set<number>();
const killPid = (pid: number, signal: NodeJS.Signals = 'SIGKILL') => {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
};
process.on('exit', () => owned.forEach((pid) => killPid(pid)));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Java processes whose parent is `pid` (DynamoDB Local). */
function javaChildren(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && comm === 'java') out.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** TCP ports a process listens on (from /proc: its socket inodes in LISTEN state). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9]!)) continue;
      ports.push(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

interface App {
  child: ChildProcess;
  pid: number;
  output: string;
  resumed: number;
}

async function startApp(env: NodeJS.ProcessEnv, label: string): Promise<App> {
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`\n==== ${label} ====\n`);
  // One Node process (tsx as a loader, not the tsx CLI that spawns another): its PID is the app's.
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--time-scale', String(SCALE)], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (!child.pid) throw new Error('could not spawn local/start.ts');
  owned.add(child.pid);
  const app: App = { child, pid: child.pid, output: '', resumed: 0 };
  const onData = (d: Buffer) => {
    app.output += d.toString();
    log.write(d);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  child.once('exit', () => log.end());
  const deadline = Date.now() + 180_000;
  while (!app.output.includes('Sales Flow is running locally')) {
    if (child.exitCode !== null) throw new Error(`local/start.ts exited (${child.exitCode}) before it was ready:\n${app.output.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`local/start.ts was not ready within 180 s:\n${app.output.slice(-2000)}`);
    await sleep(200);
  }
  // Runs of the leads in the data directory restart in the background after "ready".
  while (!/Resumed\s+\d+/.test(app.output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`local/start.ts did not finish resuming:\n${app.output.slice(-2000)}`);
    await sleep(200);
  }
  app.resumed = Number(/Resumed\s+(\d+)/.exec(app.output)?.[1] ?? 0);
  for (const pid of javaChildren(app.pid)) owned.add(pid);
  return app;
}

async function stopApp(app: App): Promise<void> {
  const java = javaChildren(app.pid);
  if (app.child.exitCode === null) {
    const exited = new Promise((r) => app.child.once('exit', r));
    killPid(app.pid, 'SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    killPid(app.pid, 'SIGKILL');
  }
  for (const pid of java) if (alive(pid)) killPid(pid);
}

async function main(): Promise<number> {
  mkdirSync(dataDir, { recursive: true });
  const [api, ses, ddb] = [await freePort(), await freePort(), await freePort()];
  const apiKey = `fault-${randomUUID()}`;
  const env = {
    ...process.env,
    SALES_FLOW_DATA_DIR: dataDir,
    PORT: String(api),
    SES_PORT: String(ses),
    DYNAMODB_PORT: String(ddb),
    SALES_API_KEY: apiKey,
    LOG_LEVEL: 'ERROR',
  };
  const apiUrl = `http://127.0.0.1:${api}`;
  const sesUrl = `http://127.0.0.1:${ses}`;
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: `http://127.0.0.1:${ddb}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const violations: string[] = [];
  console.log(`# Fault: SIGKILL npm start mid-nurture and restart it (time scale ${SCALE}, ${LEADS} leads, data ${path.relative(REPO_ROOT, dataDir)}, log ${path.relative(REPO_ROOT, logFile)})\n`);

  const mails = async () => ((await (await fetch(`${sesUrl}/store`, { signal: AbortSignal.timeout(30_000) })).json()) as { emails: any[] }).emails;
  const ledger = async (leadId: string) => {
    const out = await db.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)', ExpressionAttributeValues: { ':pk': `LEAD#${leadId}`, ':s': 'SEND#' }, ConsistentRead: true }),
    );
    return (out.Items ?? []).map((i) => String(i.sk));
  };

  let app = await startApp(env, 'first start');
  try {
    const leads: Array<{ leadId: string; email: string }> = [];
    await pool([...Array(LEADS).keys()], 4, async (i) => {
      const email = `fault.${stamp}.${i}@example.com`;
      const res = await fetch(`${apiUrl}/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ email, firstName: `Fault ${i}`, consent: true }),
      });
      const body = (await res.json()) as any;
      if (res.status !== 201 || !body.leadId) throw new Error(`capture ${email} → ${res.status} ${JSON.stringify(body)}`);
      leads.push({ leadId: body.leadId, email });
    });
    await sleep(NURTURE_MS);

    // Just before the kill: what local SES got (lost with the process) and the ledger (kept on disk).
    const before = await mails();
    const ledgerBefore = new Map<string, string[]>();
    for (const l of leads) ledgerBefore.set(l.leadId, await ledger(l.leadId));
    const java = javaChildren(app.pid);
    const exited = new Promise((r) => app.child.once('exit', r));
    killPid(app.pid, 'SIGKILL');
    await exited;
    const killedAt = Date.now();
    while (java.some(alive) && Date.now() - killedAt < 10_000) await sleep(200);
    const survivors = java.filter(alive);
    if (survivors.length) {
      violations.push(`DynamoDB Local (PID ${survivors.join(', ')}) outlived the SIGKILLed app by 10 s: its watchdog did not kill it`);
      survivors.forEach((pid) => killPid(pid));
    }
    console.log(
      `killed PID ${app.pid} mid-nurture after ${NURTURE_MS} ms: ${before.length} emails in local SES, ${[...ledgerBefore.values()].flat().length} send-ledger entries; ` +
        `DynamoDB Local ${java.length ? `(PID ${java.join(', ')}) ${survivors.length ? 'SURVIVED' : `gone within ${((Date.now() - killedAt) / 1000).toFixed(1)} s`}` : 'child not found'}`,
    );

    app = await startApp(env, 'restart on the same data');
    const sfnPort = listeningPorts(app.pid).find((p) => p !== api && p !== ses);
    if (!sfnPort) throw new Error('could not find the restarted process’s Step Functions endpoint');
    const listRunning = async () => {
      const res = await fetch(`http://127.0.0.1:${sfnPort}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListExecutions' },
        body: JSON.stringify({ stateMachineArn: FUNNEL_ARN, statusFilter: 'RUNNING' }),
      });
      return new Set((((await res.json()) as any).executions ?? []).map((e: any) => e.name as string));
    };
    const running = await listRunning();
    let nurturing = 0;
    for (const l of leads) {
      const lead = (await db.send(new GetCommand({ TableName: TABLE, Key: { pk: `LEAD#${l.leadId}`, sk: 'PROFILE' }, ConsistentRead: true }))).Item;
      if (!lead) {
        violations.push(`lead ${l.leadId} is gone after the restart`);
        continue;
      }
      if (!NURTURING.includes(lead.status)) continue;
      nurturing++;
      const name = `${l.leadId}-r${lead.run}`;
      if (!running.has(name)) violations.push(`lead ${l.leadId} (${lead.stage}, ${lead.status}): its current execution ${name} is not RUNNING after the restart`);
    }
    console.log(`restarted as PID ${app.pid}: it reports ${app.resumed} resumed run(s); ${nurturing} nurturing lead(s), ${running.size} funnel execution(s) RUNNING`);

    await sleep(AFTER_MS);
    const after = await mails();
    const ledgerAfter = new Map<string, string[]>();
    for (const l of leads) ledgerAfter.set(l.leadId, await ledger(l.leadId));

    // No recipient gets one subject twice, across both lives of the process.
    const seen = new Map<string, number>();
    for (const m of [...before, ...after]) for (const to of m.destination?.to ?? []) seen.set(`${to} | ${m.subject}`, (seen.get(`${to} | ${m.subject}`) ?? 0) + 1);
    for (const [key, n] of seen) if (n > 1) violations.push(`sent twice: ${key} (${n}×)`);
    // Every email after the restart is one new ledger entry (each entry is one send).
    for (const l of leads) {
      const newEntries = (ledgerAfter.get(l.leadId) ?? []).filter((sk) => !(ledgerBefore.get(l.leadId) ?? []).includes(sk)).length;
      const sentAfter = after.filter((m) => (m.destination?.to ?? []).some((to: string) => to.includes(l.email))).length;
      if (sentAfter > newEntries) violations.push(`lead ${l.leadId}: ${sentAfter} email(s) after the restart but only ${newEntries} new send-ledger entr${newEntries === 1 ? 'y' : 'ies'}`);
    }
    console.log(
      `after ${AFTER_MS} ms more: ${after.length} emails in the new local SES, ${[...ledgerAfter.values()].flat().length} send-ledger entries in all ` +
        `(${[...ledgerAfter.values()].flat().length - [...ledgerBefore.values()].flat().length} new)`,
    );
  } finally {
    await stopApp(app);
    db.destroy();
    if (!KEEP) rmSync(dataDir, { recursive: true, force: true });
  }
  if (violations.length) {
    console.log(`\nFAILED: ${violations.length} violation(s)\n${violations.map((v) => `  - ${v}`).join('\n')}`);
    return 1;
  }
  console.log('\nOK: no email sent twice, and every nurturing lead’s run resumed after the SIGKILL');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('fault failed:', err);
    process.exit(1);
  },
);
