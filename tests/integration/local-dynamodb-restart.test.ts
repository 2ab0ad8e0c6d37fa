/**
 * DynamoDB Local dying (OOM killer, a stray kill) while the local system runs: requests that need it
 * answer 503 with Retry-After, not 500; it is restarted on the same port and data, with one line
 * when it goes and one when it is back; and the data written before is still there.
 * This stack runs its OWN DynamoDB Local on disk: the run's shared one is never killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { eventually, synthesizedApp, uniqueEmail } from '../support/app.js';

let stack: LocalStack;
let dir: string;
const errors = vi.spyOn(console, 'error');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sf-ddb-restart-'));
  stack = await startLocalStack({
    ...synthesizedApp(),
    dynamodb: { port: 0, dbPath: path.join(dir, 'dynamodb') },
    ports: 0,
    tableName: 'sales-flow',
    env: { LOG_LEVEL: 'ERROR', POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
});
afterAll(async () => {
  const pid = stack?.dynamodbPid();
  await stack?.stop();
  if (pid) expect(isAlive(pid)).toBe(false);
  if (dir) rmSync(dir, { recursive: true, force: true });
  errors.mockRestore();
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const getLead = (leadId: string) => fetch(`${stack.apiUrl}/leads/${leadId}`, { headers: { authorization: `Bearer ${stack.apiKey}` } });

describe('DynamoDB Local dying under the running system', () => {
  it('answers 503 with Retry-After while it is down, restarts it on the same data, and the lead is still there', async () => {
    const email = uniqueEmail('survivor');
    // With the API key (an integration), capture answers with the new lead's id.
    const created = await fetch(`${stack.apiUrl}/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify({ email, firstName: 'Sam', consent: true }),
    });
    expect(created.status).toBe(201);
    const { leadId } = (await created.json()) as { leadId: string };
    expect((await getLead(leadId)).status).toBe(200);

    const killed = stack.dynamodbPid()!;
    process.kill(killed, 'SIGKILL');
    await eventually(() => expect(isAlive(killed)).toBe(false), 10_000, 20);

    const down = await getLead(leadId);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/);

    const back = await eventually(async () => {
      const res = await getLead(leadId);
      expect(res.status).toBe(200);
      return (await res.json()) as { leadId: string; email: string };
    }, 40_000, 200);
    expect(back).toMatchObject({ leadId, email });

    const restarted = stack.dynamodbPid()!;
    expect(restarted).not.toBe(killed);
    expect(isAlive(restarted)).toBe(true);
    await eventually(() => expect(errors.mock.calls.some(([line]) => /DynamoDB Local is back/.test(String(line)))).toBe(true), 10_000);
    const notices = errors.mock.calls.map(([line]) => String(line)).filter((line) => line.startsWith('[local] DynamoDB Local'));
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/^\[local\] DynamoDB Local exited \(signal SIGKILL\); restarting on port \d+ on the same data…$/);
    expect(notices[1]).toMatch(/^\[local\] DynamoDB Local is back on port \d+/);
  });
});
