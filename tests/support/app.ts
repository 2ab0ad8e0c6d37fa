/**
 * Shared by the workflow scenarios: boots the real system (synthesized template, real handlers,
 * DynamoDB Local, local SES) on a compressed clock and talks to it only over its HTTP API, the way
 * a web form, a webhook sender and an admin would.
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { DynamoRepRoster } from '../../functions/adapters/dynamodb/rep-roster.js';
import { documentClient } from '../../functions/shared/clients.js';
import type { Rep } from '../../functions/core/model.js';
import { apiClient, type ApiAnswer } from '../../local/api-client.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack.js';
import type { SynthesizedApp } from '../../local/synth.js';

/** The app as synthesized once for this test run (tests/support/global-app.ts). */
export function synthesizedApp(): SynthesizedApp {
  return JSON.parse(readFileSync(inject('appTemplatePath'), 'utf8')) as SynthesizedApp;
}

export interface App {
  stack: LocalStack;
  /** POST /leads as an integration (with the API key): answers the lead's id; consent is taken as given. */
  capture(body: Record<string, unknown>): Promise<ApiAnswer>;
  /** POST /leads as a browser's form would (no key): answers 202 `{status: 'received'}` for anyone. */
  captureAnonymous(body: Record<string, unknown>): Promise<ApiAnswer>;
  event(body: Record<string, unknown>): Promise<ApiAnswer>;
  lead(leadId: string): Promise<any>;
  /** Emails received by one address, oldest first. */
  mailTo(address: string): Promise<Array<{ subject: string; text: string; html: string; headers: Record<string, string> }>>;
  domainEvents(type?: string): Array<{ DetailType?: string; detail: Record<string, any> }>;
  addRep(rep: Partial<Rep> & { repId: string }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real app at `timeScale`; a scenario may run another synthesized app (a fixture programme), start its
 * clock later, or put the DynamoDB fault proxy in front of the handlers (`stack.faults.failDynamoDbWrites`).
 */
export async function bootApp(
  timeScale: number,
  options: {
    app?: SynthesizedApp;
    virtualStartMs?: number;
    dynamodbFaults?: LocalStackOptions['dynamodbFaults'];
    /** Step Functions' StartExecution quota (e.g. AWS's 1300/300); unlimited unless set. */
    startQuota?: LocalStackOptions['startQuota'];
    /** Settings the handlers read (e.g. START_RATE, SEND_RATE_CEILING) over the synthesized ones. */
    env?: Record<string, string>;
    /** The HMAC key of signed links (unsubscribe, survey), for a test that signs its own; random otherwise. */
    signingKey?: string;
  } = {},
): Promise<App> {
  const stack = await startLocalStack({
    ...(options.app ?? synthesizedApp()),
    ...(options.virtualStartMs !== undefined ? { virtualStartMs: options.virtualStartMs } : {}),
    ...(options.dynamodbFaults ? { dynamodbFaults: options.dynamodbFaults } : {}),
    ...(options.startQuota ? { startQuota: options.startQuota } : {}),
    ...(options.signingKey ? { signingKey: options.signingKey } : {}),
    dynamodb: { endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB! },
    ports: 0,
    timeScale,
    tableName: `wf-${randomUUID()}`,
    env: { LOG_LEVEL: 'ERROR', ...options.env },
  });
  const api = apiClient(stack);
  const call = (method: string, path: string, body?: unknown, auth = false) => api(method, path, body, { auth });
  const roster = new DynamoRepRoster(documentClient(), stack.tableName);
  return {
    stack,
    capture: (body) => call('POST', '/leads', body, true),
    captureAnonymous: (body) => call('POST', '/leads', body),
    event: (body) => call('POST', '/events', body, true),
    lead: async (leadId) => {
      const res = await call('GET', `/leads/${leadId}`, undefined, true);
      if (res.status !== 200) throw new Error(`GET /leads/${leadId} → ${res.status}`);
      return res.body;
    },
    mailTo: async (address) =>
      (await stack.mail.list())
        .filter((m) => m.destination.to.some((to: string) => to.includes(address)))
        .sort((a, b) => a.at - b.at)
        .map((m) => ({
          subject: m.subject,
          text: m.body.text ?? '',
          html: m.body.html ?? '',
          headers: Object.fromEntries((m.headers ?? []).map((h: { name: string; value: string }) => [h.name.toLowerCase(), h.value])),
        })),
    domainEvents: (type) =>
      stack.events
        .list()
        .filter((e: any) => !type || e.DetailType === type)
        .map((e: any) => ({ ...e, detail: typeof e.Detail === 'string' ? JSON.parse(e.Detail) : e.Detail })),
    // Seeded certified (ten virtual years), so a rep added here receives leads as the funnel tests expect.
    addRep: (rep) =>
      roster.put({
        name: `Rep ${rep.repId}`,
        email: `${rep.repId}@sales.example.com`,
        status: 'active',
        createdAt: new Date().toISOString(),
        certification: { certifiedAt: stack.clock.now().toISOString(), expiresAt: new Date(stack.clock.now().getTime() + 3650 * 86_400_000).toISOString(), cycle: 1 },
        ...rep,
      }),
    // The table goes with the app: DynamoDB Local keeps every table in one JVM heap, and the burst test, which
    // runs last, ran several times slower behind the tables every earlier file left behind.
    stop: async () => {
      await stack.stop();
      await dropTable(stack.tableName);
    },
  };
}

/** Deletes a test's table from the shared DynamoDB Local (best effort: a failed drop must not fail the test). */
export async function dropTable(tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch {
    // already gone, or DynamoDB Local is stopping
  } finally {
    client.destroy();
  }
}

/** Retries an assertion until it passes or the deadline is reached (for asynchronous outcomes). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Real milliseconds that `virtualHours` take on a clock compressed by `timeScale`. */
export const realMs = (virtualHours: number, timeScale: number) => (virtualHours * 3_600_000) / timeScale;

export const uniqueEmail = (name: string) => `${name}.${randomUUID().slice(0, 8)}@example.com`;

export const timelineTypes = (lead: { timeline: Array<{ type: string }> }) => lead.timeline.map((e) => e.type);

/** GET on the HTTP API with the admin key, for routes the App has no helper for (`/leads?owner=…`). */
export const adminGet = (app: App, path: string): Promise<ApiAnswer> => apiClient(app.stack)('GET', path);

/** A lead's timeline entries of one type, in timeline order. */
export const entriesOf = (lead: { timeline: TimelineItem[] }, type: string) => lead.timeline.filter((e) => e.type === type);

/** A timeline entry as GET /leads/{leadId} returns it. */
export interface TimelineItem {
  type: string;
  at: string;
  summary: string;
  data?: Record<string, any>;
}

/** The admin's view of a stage: every lead, page by page, through GET /leads?stage=… */
export async function leadsAt(app: App, stage: string): Promise<any[]> {
  const leads: any[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ stage, limit: '100', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${app.stack.apiUrl}/leads?${query}`, { headers: { authorization: `Bearer ${app.stack.apiKey}` } });
    if (res.status !== 200) throw new Error(`GET /leads?${query} → ${res.status}`);
    const page = (await res.json()) as { items: any[]; cursor?: string };
    leads.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return leads;
}

/**
 * A consenting lead captured (as an integration) and qualified for decision by a demo request, so its
 * decision run starts at once; its id goes to `open`, for the test to close it afterwards.
 */
export async function qualifiedLead(app: App, name: string, open: string[]): Promise<{ leadId: string; email: string }> {
  const email = uniqueEmail(name);
  const { body } = await app.capture({ email, firstName: name, company: `${name} Ltd`, consent: true });
  open.push(body.leadId);
  const demo = await app.event({ eventId: `${body.leadId}-demo`, type: 'demo_requested', leadId: body.leadId });
  if (demo.body?.stage !== 'decision') throw new Error(`demo_requested left ${body.leadId} at ${demo.body?.stage}`);
  return { leadId: body.leadId as string, email };
}

/** Team emails name the lead in their summary: the ones one address received about this lead. */
export const teamMailAbout = async (app: App, to: string, leadEmail: string) => (await app.mailTo(to)).filter((m) => m.text.includes(leadEmail));
