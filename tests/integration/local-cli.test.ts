import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../local/stack.js';

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['local/start.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('npm start', () => {
  it('says in one sentence what to do when its port is taken, and exits non-zero', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await run({ PORT: String(port), SES_PORT: '0', DYNAMODB_PORT: '0' });
      expect(code).not.toBe(0);
      expect(stderr.trim()).toBe(`Port ${port} (HTTP API) is already in use: stop whatever is using it, or set PORT to a free port.`);
    } finally {
      blocker.close();
    }
  });

  it('says in one sentence what to do when Java is missing, and exits non-zero', async () => {
    // A PATH with node on it and nothing else, so spawning `java` fails as on a machine without it.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'no-java-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));
    try {
      const { code, stderr } = await run({ PATH: bin, PORT: '0', SES_PORT: '0', DYNAMODB_PORT: '0' });
      expect(code).not.toBe(0);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/Java/);
      expect(lines[0]).toMatch(/install/i);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
