/**
 * The sample web form, filled in and sent by a real browser (Debian's headless Chromium driven by
 * playwright-core) against the whole local system: the lead must arrive with its consent, and the
 * welcome email must reach local SES.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserServer } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, eventually, leadsAt, uniqueEmail, type App } from '../support/app.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.join(process.cwd(), '.tmp', 'form.png');

let app: App;
let server: BrowserServer | undefined;
let browser: Browser;
/**
 * Chromium keeps a singleton Unix socket beside its profile, and a socket path is limited to 108
 * bytes: under the repository's .tmp/ (TMPDIR in the tests) a deep checkout crashes it with "Socket
 * path too long". Profile, artifacts and the browser's own temp files go in a short directory.
 */
let browserTmp: string | undefined;

async function launchChromium(): Promise<BrowserServer> {
  browserTmp = mkdtempSync('/tmp/sf-chrome-');
  // Playwright makes its profile directory under os.tmpdir(), which reads TMPDIR at each call.
  const testTmp = process.env.TMPDIR;
  process.env.TMPDIR = browserTmp;
  try {
    return await chromium.launchServer({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      host: '127.0.0.1',
      env: { ...process.env, TMPDIR: browserTmp },
    });
  } finally {
    if (testTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = testTmp;
  }
}

beforeAll(async () => {
  // CI installs Chromium (.ci/run); a missing browser is a broken set-up, never a reason to skip.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) to run the web-form test`);
  }
  app = await bootApp(1);
  // A browser server (rather than launch) exposes the Chromium process, so afterAll can kill it by PID.
  server = await launchChromium();
  browser = await chromium.connect(server.wsEndpoint());
}, 120_000);

afterAll(async () => {
  const pid = server?.process().pid;
  try {
    await browser?.close();
    await server?.close();
  } catch (err) {
    console.error('[e2e] closing Chromium failed, killing it by PID:', err);
    if (pid) process.kill(pid, 'SIGKILL');
  }
  if (browserTmp) rmSync(browserTmp, { recursive: true, force: true });
  await app?.stop();
});

describe('the sample web form in a browser', () => {
  it('sends a lead that gets the welcome email, and its opt-in counts once the person confirms it in the browser', async () => {
    const email = uniqueEmail('browser');
    const page = await browser.newPage();
    try {
      await page.goto(`${app.stack.apiUrl}/`);
      await expect.poll(() => page.title()).toMatch(/sample web form/i);
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      await page.getByLabel('Work email').fill(email);
      await page.getByLabel('First name').fill('Ada');
      await page.getByLabel('Last name').fill('Lovelace');
      await page.getByLabel('Company').fill('Analytical Engines');
      await page.getByLabel(/send me occasional emails/).check();
      await Promise.all([page.waitForURL(`${app.stack.apiUrl}/thank-you`), page.getByRole('button', { name: 'Send' }).click()]);
      await expect.poll(() => page.locator('h1').textContent()).toBe('Thank you!');
    } finally {
      await page.close();
    }

    const [listed] = (await leadsAt(app, 'awareness')).filter((l) => l.email === email);
    expect(listed).toMatchObject({ email, firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', stage: 'awareness' });
    // An opt-in from a public form waits for the person to confirm it (double opt-in).
    const lead = await app.lead(listed.leadId);
    expect(lead.consent).toMatchObject({ given: false });
    expect(lead.consentRequest).toMatchObject({ textVersion: 'v1', sourceForm: 'sample-form', ip: '127.0.0.1' });

    const mails = await eventually(async () => {
      const all = await app.mailTo(email);
      expect(all).toHaveLength(2);
      return all;
    });
    const welcome = mails.find((m) => /Thanks for getting in touch/.test(m.subject));
    const confirmation = mails.find((m) => /Please confirm/.test(m.subject));
    expect(welcome!.text).toContain('Ada');
    expect(welcome!.headers['list-unsubscribe']).toMatch(/\/unsubscribe\?token=/);

    // The person follows the link and presses the button: consent now shows both steps.
    const link = /https?:\/\/\S+\/consent\/confirm\?token=[A-Za-z0-9._%-]+/.exec(confirmation!.text)![0];
    const confirmPage = await browser.newPage();
    try {
      await confirmPage.goto(link);
      await expect.poll(() => confirmPage.locator('h1').textContent()).toBe('Confirm your subscription');
      expect((await app.lead(listed.leadId)).consent.given).toBe(false);
      await Promise.all([confirmPage.waitForLoadState(), confirmPage.getByRole('button', { name: /Yes, send me/ }).click()]);
      await expect.poll(() => confirmPage.locator('h1').textContent()).toBe('Thank you');
    } finally {
      await confirmPage.close();
    }
    expect((await app.lead(listed.leadId)).consent).toMatchObject({
      given: true,
      method: 'double-opt-in',
      textVersion: 'v1',
      sourceForm: 'sample-form',
      ip: '127.0.0.1',
      requestedAt: expect.any(String),
      confirmedAt: expect.any(String),
    });
  });
});
