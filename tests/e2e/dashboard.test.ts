/**
 * The dashboard in a real browser (Debian's headless Chromium driven by playwright-core) against the
 * whole local system: the page holds no data until the key is given, a refused key is asked for again,
 * the key reads the live reports and every panel is drawn. Then, with the report routes answered by
 * typed fixtures (every section filled) or made to fail, each panel draws a chart on its canvas, and a
 * failing report leaves only its own panels saying so. No script may break the page's security policy.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, uniqueEmail, type App } from '../support/app.js';
import { startChromium, type Chromium } from '../support/chromium.js';
import { FUNNEL_FIXTURE, ONBOARDING_FIXTURE, RETENTION_FIXTURE } from '../support/fixtures/reports.js';
import { newRep, post } from '../support/reps.js';

const SCREENSHOT = path.join(process.cwd(), '.tmp', 'dashboard.png');
const PANELS = ['funnel', 'time-in-stage', 'reps', 'cohorts', 'onboarding', 'modules', 'nps', 'health', 'renewals'];
const TITLES = ['Funnel and conversion', 'Time in stage', 'Rep leaderboard and SLA', 'Cohorts by capture week', 'Onboarding progress', 'Quiz pass rates', 'NPS trend', 'Health distribution', 'Renewals in the next 90 days'];
const PANELS_OF = { funnel: PANELS.slice(0, 4), onboarding: PANELS.slice(4, 6), retention: PANELS.slice(6) };

let app: App;
let chromium: Chromium | undefined;
let browser: Browser;
const seeded: string[] = [];

/** A little of everything the reports count: leads from two sources, a qualified and a won lead, reps, a quiz, customers and their NPS. */
async function seed(app: App): Promise<void> {
  await app.addRep({ repId: 'rep-ana', name: 'Ana Ortiz' });
  const leads: string[] = [];
  for (const [i, source] of ['web', 'web', 'referral', 'event', 'web', 'event'].entries()) {
    const email = uniqueEmail(`dash${i}`);
    seeded.push(email);
    const res = await app.capture({ email, firstName: `Lead${i}`, source, utm_campaign: i % 2 ? 'autumn' : 'launch', consent: true });
    expect(res.status).toBe(201);
    leads.push(res.body.leadId);
  }
  for (const leadId of leads.slice(0, 3)) expect((await app.event({ eventId: `demo-${leadId}`, type: 'demo_requested', leadId })).status).toBeLessThan(300);
  for (const leadId of leads.slice(0, 2)) {
    const bought = await app.event({ eventId: `buy-${leadId}`, type: 'purchased', leadId, properties: { plan: 'Growth', termMonths: 12, amount: 12000, currency: 'EUR' } });
    expect(bought.status).toBeLessThan(300);
    expect((await app.event({ eventId: `nps-${leadId}`, type: 'nps_submitted', customerId: `cus-${leadId}`, properties: { score: leadId === leads[0] ? 9 : 4 } })).status).toBeLessThan(300);
  }
  // A customer won outside the funnel eleven months ago: its renewal is due within 90 days.
  const start = new Date(app.stack.clock.now().getTime() - 330 * 86_400_000).toISOString().slice(0, 10);
  const customer = await post(app, '/customers', { email: uniqueEmail('renewing'), company: 'Globex', plan: 'Growth', termMonths: 12, startDate: start });
  expect(customer.status).toBe(201);
  // A trainee through the first modules to a failed certification quiz (a quiz attempt for the pass rates).
  const trainee = await newRep(app, 'Nia');
  for (const moduleId of ['company-and-product', 'ideal-customer-profile', 'sales-flow-playbook']) {
    expect((await post(app, `/reps/${trainee.repId}/modules/${moduleId}/completions`, { attemptId: `${moduleId}-1` })).status).toBeLessThan(300);
  }
  const quiz = await post(app, `/reps/${trainee.repId}/modules/product-certification-quiz/completions`, { attemptId: 'quiz-1', score: 40 });
  expect(quiz.status).toBeLessThan(300);
}

beforeAll(async () => {
  app = await bootApp(1);
  chromium = await startChromium();
  browser = chromium.browser;
  await seed(app);
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await app?.stop();
});

interface Watched {
  page: Page;
  reportRequests: string[];
  /** Security-policy violations, console errors and uncaught exceptions, as they happen. */
  problems: string[];
}

async function open(): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const reportRequests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/reports/')) reportRequests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  // Browser globals are `any` here: the tests' type check has Node's types, not the DOM's.
  await page.addInitScript(() => {
    (globalThis as any).document.addEventListener('securitypolicyviolation', (e: any) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${app.stack.apiUrl}/dashboard`);
  return { page, reportRequests, problems };
}

const panelState = (page: Page, id: string) => page.locator(`#panel-${id}`).getAttribute('data-state');
const states = (page: Page) => Promise.all(PANELS.map(async (id) => [id, await panelState(page, id)] as const)).then(Object.fromEntries);

async function enterKey(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Show the dashboard' }).click();
}

/** Every canvas in the panel has pixels drawn on it (not only an element in the page). */
const drawnCanvases = (page: Page, id: string) =>
  page.locator(`#panel-${id} canvas`).evaluateAll((canvases) =>
    canvases.filter((c) => {
      const canvas = c as any;
      if (!canvas.width || !canvas.height) return false;
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) return true;
      return false;
    }).length,
  );

/** Answers the report routes as the browser asks them: a fixture, or a failure for the named ones. */
async function answerReports(page: Page, failing: Partial<Record<keyof typeof PANELS_OF, { status: number; body: unknown }>> = {}): Promise<void> {
  const fixtures = { funnel: FUNNEL_FIXTURE, onboarding: ONBOARDING_FIXTURE, retention: RETENTION_FIXTURE };
  for (const name of Object.keys(fixtures) as Array<keyof typeof fixtures>) {
    await page.route(`**/reports/${name}*`, (route: Route) => {
      const failure = failing[name];
      return route.fulfill({ status: failure?.status ?? 200, contentType: 'application/json', body: JSON.stringify(failure?.body ?? fixtures[name]) });
    });
  }
}

describe('the dashboard in a browser', () => {
  it('serves a page with no data in it, and asks for the key before reading any report', async () => {
    const { page, reportRequests, problems } = await open();
    try {
      await expect.poll(() => page.getByLabel('API key', { exact: true }).isVisible()).toBe(true);
      expect(await page.title()).toMatch(/Sales Flow/);
      const html = await page.content();
      for (const email of seeded) expect(html).not.toContain(email);
      expect(html).not.toContain(app.stack.apiKey);
      expect(await page.locator('canvas').count()).toBe(0);
      expect(await page.locator('#dashboard').isHidden()).toBe(true);
      expect(reportRequests).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('asks again when the key is refused, and keeps nothing of it', async () => {
    const { page, reportRequests, problems } = await open();
    try {
      await enterKey(page, 'not-the-key');
      await expect.poll(() => page.locator('#key-error').textContent()).toMatch(/not accepted/);
      expect(reportRequests.length).toBeGreaterThan(0);
      expect(await page.getByLabel('API key', { exact: true }).isVisible()).toBe(true);
      expect(await page.getByLabel('API key', { exact: true }).inputValue()).toBe('');
      expect(await page.locator('#dashboard').isHidden()).toBe(true);
      expect(await page.evaluate(() => Object.keys((globalThis as any).sessionStorage))).toEqual([]);
      // The refused reports' 401/403 are the browser's console errors; nothing else may be.
      expect(problems.filter((p) => !/status of 40[13]/.test(p))).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('reads the live reports with the key, draws every panel, and keeps the key for the tab', async () => {
    const { page, problems } = await open();
    try {
      await enterKey(page, app.stack.apiKey);
      // The aggregates follow the writes through the table stream: refresh until the seeded figures are in.
      await expect
        .poll(
          async () => {
            const now = await states(page);
            if (Object.values(now).some((s) => s !== 'drawn')) await page.getByRole('button', { name: 'Refresh' }).click();
            return now;
          },
          { timeout: 60_000, interval: 2_000 },
        )
        .toEqual(Object.fromEntries(PANELS.map((id) => [id, 'drawn'])));
      for (const title of TITLES) expect(await page.getByRole('heading', { name: title, level: 3 }).isVisible()).toBe(true);
      for (const id of PANELS) await expect.poll(() => drawnCanvases(page, id), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await page.evaluate(() => Object.values((globalThis as any).sessionStorage))).toEqual([app.stack.apiKey]);
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      // Kept for the tab: a reload reads the reports again without asking.
      await page.reload();
      await expect.poll(() => panelState(page, 'funnel'), { timeout: 20_000 }).toBe('drawn');
      expect(await page.locator('#key-panel').isHidden()).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('draws a chart on the canvas of every panel when every report section is filled', async () => {
    const { page, problems } = await open();
    try {
      await answerReports(page);
      await enterKey(page, app.stack.apiKey);
      await expect.poll(() => states(page)).toEqual(Object.fromEntries(PANELS.map((id) => [id, 'drawn'])));
      for (const id of PANELS) await expect.poll(() => drawnCanvases(page, id), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await page.locator('#funnel-kpis').textContent()).toContain('1,240');
      expect(await page.locator('#panel-reps table').textContent()).toContain('Ana Ortiz');
      // The cohort heat map follows the stage chosen.
      await page.getByLabel('Stage reached').selectOption('decision');
      await expect.poll(() => page.locator('#panel-cohorts canvas').getAttribute('aria-label')).toMatch(/reached decision/);
      // On a phone the grid is one column and nothing makes the page scroll sideways (wide tables scroll in their box).
      await page.setViewportSize({ width: 390, height: 844 });
      await expect.poll(() => page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      for (const id of PANELS) await expect.poll(() => drawnCanvases(page, id), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('says in its own panels which report failed, and draws the others', async () => {
    const { page, problems } = await open();
    try {
      await answerReports(page, { retention: { status: 503, body: { error: 'ServiceUnavailable', message: 'A service we depend on is busy or unavailable; please retry shortly' } } });
      await enterKey(page, app.stack.apiKey);
      await expect.poll(() => states(page)).toEqual(Object.fromEntries(PANELS.map((id) => [id, PANELS_OF.retention.includes(id) ? 'error' : 'drawn'])));
      for (const id of PANELS_OF.retention) {
        expect(await page.locator(`#panel-${id} [role="alert"]`).textContent()).toMatch(/retention report answered 503: A service we depend on is busy/);
      }
      expect(await page.locator('#status').textContent()).toMatch(/1 of 3 reports unavailable/);
      expect(problems.filter((p) => !/status of 503/.test(p))).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('asks for the funnel with the chosen range and filters, and refuses a range that ends before it starts', async () => {
    const { page, reportRequests } = await open();
    try {
      await answerReports(page);
      await enterKey(page, app.stack.apiKey);
      await expect.poll(() => panelState(page, 'funnel')).toBe('drawn');
      // The first read takes the route's default range (the server's clock), and the dates then show it.
      expect(new URL(reportRequests.find((u) => u.includes('/reports/funnel'))!).search).toBe('');
      expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe(FUNNEL_FIXTURE.range.from);
      expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(FUNNEL_FIXTURE.range.to);
      await page.getByLabel('From', { exact: true }).fill('2026-10-01');
      await page.getByLabel('To', { exact: true }).fill('2026-10-31');
      await page.getByLabel('Source', { exact: true }).fill('referral');
      await page.getByLabel('Campaign', { exact: true }).fill('launch');
      const before = reportRequests.length;
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect.poll(() => reportRequests.length).toBe(before + 1);
      const asked = new URL(reportRequests.at(-1)!);
      expect(asked.pathname).toBe('/reports/funnel');
      expect(Object.fromEntries(asked.searchParams)).toEqual({ from: '2026-10-01', to: '2026-10-31', source: 'referral', utm_campaign: 'launch' });

      await page.getByLabel('From', { exact: true }).fill('2026-11-02');
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect.poll(() => page.locator('#filter-problem').textContent()).toMatch(/start date is after the end date/);
      expect(reportRequests.length).toBe(before + 1);
    } finally {
      await page.close();
    }
  });
});
