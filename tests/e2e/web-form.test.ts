/**
 * The sample web form, filled in and sent by a real browser (Debian's headless Chromium driven by
 * playwright-core) against the whole local system: the lead must arrive with its consent, and the
 * welcome email must reach local SES.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, eventually, leadsAt, uniqueEmail, type App } from '../support/app.js';
import { startChromium, type Chromium } from '../support/chromium.js';

const SCREENSHOT = path.join(process.cwd(), '.tmp', 'form.png');

let app: App;
let chromium: Chromium | undefined;
let browser: Browser;

beforeAll(async () => {
  app = await bootApp(1);
  chromium = await startChromium();
  browser = chromium.browser;
}, 120_000);

afterAll(async () => {
  await chromium?.close();
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
