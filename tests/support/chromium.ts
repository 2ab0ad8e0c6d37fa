/**
 * Debian's headless Chromium, driven by playwright-core, for the browser tests (the sample form, the
 * dashboard). Launched as a browser server rather than with `launch`, so the test can kill the
 * Chromium process by its PID if closing it fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { chromium, type Browser, type BrowserServer } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface Chromium {
  browser: Browser;
  /** Closes the browser; kills its process by PID if that fails; removes its temporary files. */
  close(): Promise<void>;
}

/**
 * Chromium keeps a singleton Unix socket beside its profile, and a socket path is limited to 108
 * bytes: under the repository's .tmp/ (TMPDIR in the tests) a deep checkout crashes it with "Socket
 * path too long". Profile, artifacts and the browser's own temp files go in a short directory.
 */
export async function startChromium(): Promise<Chromium> {
  // CI installs Chromium (.ci/run); a missing browser is a broken set-up, never a reason to skip.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) to run the browser tests`);
  }
  const browserTmp = mkdtempSync('/tmp/sf-chrome-');
  let server: BrowserServer | undefined;
  // Playwright makes its profile directory under os.tmpdir(), which reads TMPDIR at each call.
  const testTmp = process.env.TMPDIR;
  process.env.TMPDIR = browserTmp;
  try {
    server = await chromium.launchServer({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      host: '127.0.0.1',
      env: { ...process.env, TMPDIR: browserTmp },
    });
  } catch (err) {
    rmSync(browserTmp, { recursive: true, force: true });
    throw err;
  } finally {
    if (testTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = testTmp;
  }
  const launched = server;
  const browser = await chromium.connect(launched.wsEndpoint());
  return {
    browser,
    async close() {
      const pid = launched.process().pid;
      try {
        await browser.close();
        await launched.close();
      } catch (err) {
        console.error('[e2e] closing Chromium failed, killing it by PID:', err);
        if (pid) process.kill(pid, 'SIGKILL');
      }
      rmSync(browserTmp, { recursive: true, force: true });
    },
  };
}
