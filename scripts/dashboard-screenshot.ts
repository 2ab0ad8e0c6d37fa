/**
 * Takes the README's dashboard screenshot from a seeded local stack:
 *   npx tsx scripts/dashboard-screenshot.ts [--out docs/dashboard.png] [--days 42] [--seed 7]
 * Boots the whole system in memory on discrete-event time (local/discrete-clock.ts), lets a few weeks of
 * a small sales team happen over the HTTP API a virtual day at a time — leads from three sources and two
 * campaigns every day, engagement and demo requests that move some along, reps who make contact,
 * purchases, losses, trainees taking quizzes, customers answering the NPS survey, renewals coming up —
 * then opens /dashboard in headless Chromium, enters the key, waits for every panel and saves the page.
 * The same seed gives the same business, however loaded the machine (time moves only between days).
 * About 8 minutes on 2 busy cores. The committed picture was then made smaller with
 * `pngquant --quality 70-90 --speed 1` (Debian's pngquant; ~415 KB → ~145 KB).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRepStore } from '../functions/adapters/dynamodb/rep-store.js';
import { apiClient, type ApiCall } from '../local/api-client.js';
import type { DiscreteClock } from '../local/discrete-clock.js';
import { REPO_ROOT, startLocalStack, type LocalStack } from '../local/stack.js';
import { startChromium } from '../tests/support/chromium.js';
import { seededRandom } from '../local/seeded-random.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const OUT = path.resolve(REPO_ROOT, arg('--out', 'docs/dashboard.png'));
const DAYS = Number(arg('--days', '42'));
const DAY_MS = 86_400_000;
const PANELS = ['funnel', 'time-in-stage', 'reps', 'cohorts', 'onboarding', 'modules', 'nps', 'health', 'renewals'];

// A seed gives the same business every time.
const rnd = seededRandom(Number(arg('--seed', '7')));
const chance = (p: number) => rnd() < p;
const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)]!;

const FIRST = ['Ada', 'Ben', 'Chloé', 'Dev', 'Eva', 'Femi', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lena', 'Mo', 'Noor', 'Otto', 'Pia'];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Soylent', 'Cyberdyne', 'Wonka'];
const SOURCES = [
  { source: 'web', campaign: 'autumn-webinar', weight: 5 },
  { source: 'web', campaign: undefined, weight: 4 },
  { source: 'event', campaign: 'launch-tour', weight: 2 },
  { source: 'partner', campaign: undefined, weight: 1 },
];

interface Lead {
  leadId: string;
  stage: 'new' | 'engaged' | 'considering' | 'decision' | 'closed';
  sinceDay: number;
}

/** How long a lead stays in each state before it goes quiet (closed here: the funnel's own recycling goes on). */
const QUIET_AFTER_DAYS = { new: 6, engaged: 10, considering: 12 } as const;

async function simulateBusiness(stack: LocalStack<DiscreteClock>, call: ApiCall): Promise<void> {
  // Three certified account executives (as npm start seeds its demo rep), one due to recertify soon.
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint }), { marshallOptions: { removeUndefinedValues: true } });
  const roster = new DynamoRepStore(db, stack.tableName, () => stack.clock.now());
  const now = stack.clock.now();
  for (const [repId, name] of [['rep-ana', 'Ana Ortiz'], ['rep-ben', 'Ben Okafor'], ['rep-chen', 'Chen Wu']] as const) {
    await roster.put({
      repId,
      name,
      email: `${repId}@sales.example.com`,
      role: 'ae',
      track: 'none',
      status: 'active',
      createdAt: now.toISOString(),
      certification: { certifiedAt: now.toISOString(), expiresAt: new Date(now.getTime() + (repId === 'rep-chen' ? 50 : 365) * DAY_MS).toISOString(), cycle: 1 },
    });
  }
  db.destroy();
  // Customers won before the period: their renewals come up in the next weeks; most use the product.
  const customers: Array<{ customerId: string; usage: number }> = [];
  for (let i = 0; i < 8; i++) {
    const start = new Date(now.getTime() - (280 + i * 9) * DAY_MS).toISOString().slice(0, 10);
    const res = await call('POST', '/customers', { email: `customer${i}.${randomUUID().slice(0, 6)}@example.com`, company: `${COMPANIES[i]} Ltd`, plan: 'Growth', termMonths: 12, startDate: start });
    if (res.status === 201) customers.push({ customerId: res.body.customerId, usage: [0.6, 0.5, 0.4, 0.3, 0.2, 0.05, 0, 0.5][i]! });
  }

  const leads: Lead[] = [];
  const trainees: Array<{ repId: string; passed: number }> = [];
  const startMs = Date.now();
  const t0 = stack.clock.nowMs();
  for (let day = 0; day < DAYS; day++) {
    // New leads, weighted by source.
    const arrivals = 2 + Math.floor(rnd() * 3);
    for (let n = 0; n < arrivals; n++) {
      const bag = SOURCES.flatMap((s) => Array(s.weight).fill(s));
      const { source, campaign } = pick(bag);
      const email = `${pick(FIRST).toLowerCase()}.${randomUUID().slice(0, 8)}@${pick(COMPANIES).toLowerCase()}.example.com`;
      const res = await call('POST', '/leads', { email, firstName: pick(FIRST), company: pick(COMPANIES), source, ...(campaign ? { utm_campaign: campaign } : {}), consent: true });
      if (res.status === 201) leads.push({ leadId: res.body.leadId, stage: 'new', sinceDay: day });
    }
    // Engagement moves some along; demo requests qualify; reps make contact; deals close; the rest go quiet.
    for (const lead of leads.filter((l) => l.stage !== 'closed')) {
      const age = day - lead.sinceDay;
      const event = (type: string, properties?: Record<string, unknown>) =>
        call('POST', '/events', { eventId: `${type}-${lead.leadId}-${day}`, type, leadId: lead.leadId, ...(properties ? { properties } : {}) });
      const quietAfter = QUIET_AFTER_DAYS[lead.stage as keyof typeof QUIET_AFTER_DAYS];
      if (quietAfter !== undefined && age > quietAfter) lead.stage = 'closed';
      else if (lead.stage === 'new' && age >= 1 && chance(0.3)) {
        // 8 + 2 + 5 (the pricing page) points: interest.
        await event('content_downloaded');
        await event('page_viewed', { path: '/pricing' });
        lead.stage = 'engaged';
        lead.sinceDay = day;
      } else if (lead.stage === 'engaged' && age >= 2 && chance(0.3)) {
        // 10 + 8 more: consideration.
        await event('form_submitted');
        await event('content_downloaded');
        lead.stage = 'considering';
        lead.sinceDay = day;
      } else if (lead.stage === 'considering' && age >= 2 && chance(0.3)) {
        await event('demo_requested');
        lead.stage = 'decision';
        lead.sinceDay = day;
      } else if (lead.stage === 'decision' && age === 1 && chance(0.8)) {
        await event('rep_contacted');
      } else if (lead.stage === 'decision' && age >= 3 && chance(0.3)) {
        if (chance(0.65)) {
          await event('purchased', { plan: pick(['Starter', 'Growth', 'Scale']), termMonths: 12, amount: pick([4800, 12000, 30000]), currency: 'EUR' });
          customers.push({ customerId: `cus-${lead.leadId}`, usage: pick([0.7, 0.5, 0.3, 0.1]) });
        } else await event('lost', { reason: 'budget' });
        lead.stage = 'closed';
      }
    }
    // Customers use the product (or do not), and some answer the NPS survey.
    for (const customer of customers) {
      const event = (type: string, properties?: Record<string, unknown>) =>
        call('POST', '/events', { eventId: `${type}-${customer.customerId}-${day}`, type, customerId: customer.customerId, ...(properties ? { properties } : {}) });
      if (chance(customer.usage)) await event('product_used');
      if (chance(0.04)) await event('nps_submitted', { score: customer.usage >= 0.4 ? pick([10, 9, 9, 8, 7]) : pick([8, 7, 6, 4, 2]) });
    }
    // A trainee starts every week and works through their plan.
    if (day % 7 === 0) {
      const res = await call('POST', '/reps', { email: `trainee${day}.${randomUUID().slice(0, 6)}@sales.example.com`, firstName: pick(FIRST), lastName: 'Trainee', role: 'sdr', managerEmail: 'manager@example.com' });
      if (res.status === 201) trainees.push({ repId: res.body.repId, passed: 0 });
    }
    for (const trainee of trainees) {
      if (!chance(0.4)) continue;
      const modules = ['company-and-product', 'ideal-customer-profile', 'sales-flow-playbook', 'product-certification-quiz'];
      const moduleId = modules[trainee.passed];
      if (!moduleId) continue;
      const score = moduleId.endsWith('quiz') ? pick([55, 72, 88, 95]) : undefined;
      const res = await call('POST', `/reps/${trainee.repId}/modules/${moduleId}/completions`, { attemptId: `${moduleId}-${day}`, ...(score ? { score } : {}) });
      if (res.status < 300 && (score === undefined || score >= 70)) trainee.passed++;
    }
    // The day's work done, the next day: every wait and run due meanwhile happens first.
    await stack.clock.runUntil(t0 + (day + 1) * DAY_MS);
    process.stdout.write(`\r  day ${day + 1}/${DAYS}: ${leads.length} leads, ${trainees.length} trainees (${((Date.now() - startMs) / 1000).toFixed(0)} s)`);
  }
  process.stdout.write('\n');
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.log('Booting the local stack in memory (discrete-event time)…');
  const stack = await startLocalStack({ dynamodb: 'memory', ports: 0, clock: 'discrete', tableName: 'sales-flow-screenshot', env: { LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' } });
  const chromium = await startChromium().catch(async (err) => {
    await stack.stop();
    throw err;
  });
  try {
    await simulateBusiness(stack, apiClient(stack));
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${stack.apiUrl}/dashboard`);
    await page.getByLabel('API key', { exact: true }).fill(stack.apiKey);
    await page.getByRole('button', { name: 'Show the dashboard' }).click();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const states = await Promise.all(PANELS.map((id) => page.locator(`#panel-${id}`).getAttribute('data-state')));
      if (states.every((s) => s === 'drawn' || s === 'empty')) break;
      if (Date.now() > deadline) throw new Error(`panels not drawn: ${PANELS.map((id, i) => `${id}=${states[i]}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await page.waitForTimeout(1_500); // the charts' entry animation
    mkdirSync(path.dirname(OUT), { recursive: true });
    await page.screenshot({ path: OUT, fullPage: true });
    console.log(`Saved ${path.relative(REPO_ROOT, OUT)}`);
  } finally {
    await chromium.close();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
