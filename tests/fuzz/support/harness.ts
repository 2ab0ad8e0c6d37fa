/**
 * The fuzz harness: boots the real system (synthesized template, real handlers, DynamoDB Local, local
 * SES) on 127.0.0.1, sends generated requests over raw HTTP, and checks every answer against the
 * properties every route shares; the route table (../routes.ts) adds each route's own oracle.
 *
 * Each route runs in two phases. The census sends FUZZ_RUNS generated requests and counts, without
 * stopping, every property each answer breaks (so the nightly run reports per route how many
 * requests and how many 5xx). If anything broke, fast-check runs the strict property again from the
 * same seed and shrinks the first counterexample, which is what the failing test shows.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { keys } from '../../../functions/table/keys.js';
import { REPO_ROOT, startLocalStack, type LocalStack } from '../../../local/stack.js';
import { dropTable, synthesizedApp } from '../../support/app.js';
import { UNIQ } from './arbitraries.js';

export interface Req {
  method: string;
  /** Raw request target: path and query exactly as sent (already percent-encoded, or garbage on purpose). */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json?: any;
  /** Set when no answer came (connection reset, hang): the server crashed or is stuck. */
  failure?: string;
}

/** A request that must be rejected: with one of these statuses, and for a 400 naming one of these paths. */
export interface Rejection {
  statuses?: number[];
  paths?: string[];
}

export interface SentinelLead {
  leadId: string;
  email: string;
  firstName: string;
}

export interface FuzzContext {
  stack: LocalStack;
  apiKey: string;
  signingKey: string;
  db: DynamoDBDocumentClient;
  tableName: string;
  /** Leads that no accepted request of a fuzz case may change (only reads and rejected writes reach them). */
  sentinels: SentinelLead[];
  /** Leads that accepted events may change. */
  targets: SentinelLead[];
  /** A real cursor from GET /leads?stage=awareness&limit=1. */
  realCursor: string;
  routeKeys: string[];
  /** A fresh token of UNIQ's length. */
  uniq(): string;
  /** Set after an accepted request: asynchronous work (a funnel run) may still be writing. */
  dirty: boolean;
  memory: Record<string, any>;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

export async function send(ctx: FuzzContext, req: Req, timeoutMs = 10_000): Promise<Res> {
  const url = new URL(ctx.stack.apiUrl);
  return new Promise((resolve) => {
    let request: http.ClientRequest;
    try {
      request = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers: req.headers, agent });
    } catch (err) {
      // Node refused to send it (a character no HTTP client can put on the wire): not a request.
      resolve({ status: -1, headers: {}, text: '', failure: `unsendable: ${(err as Error).message}` });
      return;
    }
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        if (/json/.test(String(res.headers['content-type'] ?? ''))) {
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        resolve({ status: 0, headers: {}, text: '', failure: err.message });
      });
    });
    request.on('error', (err) => {
      clearTimeout(timer);
      resolve({ status: 0, headers: {}, text: '', failure: err.message });
    });
    if (req.body !== undefined) request.write(req.body);
    request.end();
  });
}

/** Replaces every UNIQ placeholder in a case (strings, keys, nested) with one fresh token. */
export function materialize<T>(value: T, token: string): T {
  const swap = (s: string) => (s.includes(UNIQ) ? s.split(UNIQ).join(token) : s);
  const walk = (v: any): any => {
    if (typeof v === 'string') return swap(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: any = {};
      for (const [k, x] of Object.entries(v)) out[swap(k)] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value);
}

// ---- oracles over DynamoDB (ground truth, read consistently) --------------------------------------

export async function leadItem(ctx: FuzzContext, leadId: string): Promise<Record<string, any> | undefined> {
  if (!leadId || Buffer.byteLength(`LEAD#${leadId}`) > 2048) return undefined;
  return (await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: keys.lead(leadId), ConsistentRead: true }))).Item;
}

/** The email index item of a normalized email (undefined for a string no key could hold). */
export async function emailIndex(ctx: FuzzContext, normalizedEmail: string): Promise<Record<string, any> | undefined> {
  const pk = keys.leadEmail(normalizedEmail).pk;
  if (!normalizedEmail || Buffer.byteLength(pk) > 2048 || /\p{Cs}/u.test(normalizedEmail)) return undefined;
  return (await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: keys.leadEmail(normalizedEmail), ConsistentRead: true }))).Item;
}

export async function timelineCount(ctx: FuzzContext, leadId: string): Promise<number> {
  let count = 0;
  let start: Record<string, any> | undefined;
  do {
    const out = await ctx.db.send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tl)',
        ExpressionAttributeValues: { ':pk': keys.lead(leadId).pk, ':tl': keys.timelinePrefix },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Timeline entries of a lead that carry this eventId. */
export async function entriesWithEventId(ctx: FuzzContext, leadId: string, eventId: string): Promise<number> {
  let count = 0;
  let start: Record<string, any> | undefined;
  do {
    const out = await ctx.db.send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tl)',
        FilterExpression: '#d.#e = :e',
        ExpressionAttributeNames: { '#d': 'data', '#e': 'eventId' },
        ExpressionAttributeValues: { ':pk': keys.lead(leadId).pk, ':tl': keys.timelinePrefix, ':e': eventId },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}

export async function timelineOf(ctx: FuzzContext, leadId: string): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  let start: Record<string, any> | undefined;
  do {
    const out = await ctx.db.send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tl)',
        ExpressionAttributeValues: { ':pk': keys.lead(leadId).pk, ':tl': keys.timelinePrefix },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** What a rejected request must leave alone on a lead: its stored state as a comparable string. */
export const leadState = (item: Record<string, any> | undefined) =>
  item === undefined
    ? 'absent'
    : JSON.stringify({
        version: item.version,
        score: item.score,
        stage: item.stage,
        status: item.status,
        run: item.run,
        email: item.email,
        firstName: item.firstName,
        suppressed: item.suppressed ?? null,
        consent: item.consent ?? null,
        ownerId: item.ownerId ?? null,
      });

async function statesOf(ctx: FuzzContext, leads: SentinelLead[]): Promise<Map<string, string>> {
  const out = await ctx.db.send(
    new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: leads.map((s) => keys.lead(s.leadId)), ConsistentRead: true } } }),
  );
  const items = out.Responses?.[ctx.tableName] ?? [];
  return new Map(leads.map((s) => [s.leadId, leadState(items.find((i) => i.pk === keys.lead(s.leadId).pk))]));
}
const sentinelStates = (ctx: FuzzContext) => statesOf(ctx, ctx.sentinels);

/** Waits (bounded) until asynchronous work started by an accepted request stops changing the sentinels. */
export async function settle(ctx: FuzzContext): Promise<void> {
  if (!ctx.dirty) return;
  const all = [...ctx.sentinels, ...ctx.targets];
  let last = await statesOf(ctx, all);
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = await statesOf(ctx, all);
    if ([...now].every(([k, v]) => last.get(k) === v)) break;
    last = now;
  }
  ctx.dirty = false;
}

// ---- the properties every route shares --------------------------------------------------------------

/**
 * A name as a form post delivers it: a lone surrogate cannot be percent-encoded as UTF-8, so
 * URLSearchParams sends U+FFFD in its place and the server names that (JSON escapes it as \uD800).
 */
const asSent = (name: string) => name.replace(/\p{Cs}/gu, '\uFFFD');

export const PROPERTIES = {
  answers: 'every request gets an answer (no crash, no hang)',
  no5xx: '(a) no 5xx',
  noInternals: '(b) no stack trace or internal name in the body',
  errorContract: 'a 4xx body is {error, message, issues?} (400: issues[] with path and message)',
  rejectsInvalid: 'an invalid request is rejected with the right 4xx',
  namesField: 'a 400 names the field at fault in issues[].path',
  writesNothing: '(c) a rejected request writes nothing',
  stored: '(d) an accepted request is found afterwards with the submitted values',
  acceptsValid: 'a valid request is accepted',
  plainStored: 'nothing stored holds control, bidi-override or lone-surrogate characters',
} as const;

const INTERNALS: Array<[string, RegExp]> = [
  // A frame is `at fn (file:line:col)`; prose such as "started at awareness (programme version 1)" is not.
  ['stack frame', /(^|\n)\s*at |\bat (?:async )?[\w$.<>[\]]+ \((?:[^()\s]*:\d+(?::\d+)?|native|<anonymous>)\)|\bat (?:file|node):/],
  ['.ts: location', /\.ts:\d|\.ts\b/],
  ['.js: location', /\.[cm]?js:\d/],
  ['node_modules', /node_modules/],
  ['TransactionCanceled', /TransactionCanceled/i],
  ['ValidationException', /ValidationException/i],
  ['ConditionalCheck', /ConditionalCheck/i],
  ['DynamoDB', /dynamo/i],
  ['AWS SDK error', /\$metadata|ResourceNotFound|SerializationException|ExpiredToken|UnrecognizedClient|InvalidParameter/],
  ['JS error name', /\b(TypeError|RangeError|SyntaxError|ReferenceError|ZodError|URIError)\b/],
  ['JSON.parse message', /Unexpected token|Unexpected end of JSON|in JSON at position/],
  ['table key', /\b(LEAD|EMAIL|EVENT|SEND|STAGE|OWNER)#|\bgsi[12](pk|sk)\b/],
  ['file path', /\/work\/|\/home\/|\/tmp\//],
];

/** The internal names a body shows that the request itself did not contain. */
export function internalsIn(res: Res, req: Req): string[] {
  const sent = `${req.path}\n${req.body ?? ''}\n${JSON.stringify(req.headers ?? {})}`;
  let decoded = sent;
  try {
    decoded += `\n${decodeURIComponent(sent.replace(/\+/g, ' '))}`;
  } catch {
    /* garbage on purpose */
  }
  const found: string[] = [];
  const leakText = `${res.text}\n${JSON.stringify(res.headers)}`;
  for (const [name, pattern] of INTERNALS) {
    const m = leakText.match(pattern);
    if (m && !sent.includes(m[0]) && !decoded.includes(m[0])) found.push(`${name} (${JSON.stringify(m[0])})`);
  }
  return found;
}

/** Gateway answers (no route, no/invalid key, body over 10 MB) are `{message}` as on API Gateway. */
const isGatewayAnswer = (res: Res) =>
  [401, 403, 404, 413].includes(res.status) && res.json && Object.keys(res.json).length === 1 && typeof res.json.message === 'string';

export function contractProblems(res: Res): string[] {
  if (res.status < 400 || res.status >= 500) return [];
  if (isGatewayAnswer(res)) return [];
  const body = res.json;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [`a ${res.status} without a JSON object body: ${res.text.slice(0, 120)}`];
  const problems: string[] = [];
  if (typeof body.error !== 'string' || typeof body.message !== 'string') problems.push('error and message must be strings');
  const extra = Object.keys(body).filter((k) => !['error', 'message', 'issues'].includes(k));
  if (extra.length) problems.push(`unexpected keys ${extra.join(',')}`);
  if (body.issues !== undefined) {
    if (!Array.isArray(body.issues) || !body.issues.every((i: any) => i && typeof i.path === 'string' && typeof i.message === 'string'))
      problems.push('issues must be [{path, message}]');
  }
  if (res.status === 400 && !(Array.isArray(body.issues) && body.issues.length > 0)) problems.push('a 400 must list its issues');
  return problems;
}

export const issuePaths = (res: Res): string[] => (Array.isArray(res.json?.issues) ? res.json.issues.map((i: any) => String(i?.path)) : []);

// ---- the route table's shape and the runner ----------------------------------------------------------

export interface Violation {
  property: string;
  detail: string;
}

export interface RouteFuzz<C> {
  /** Name in reports, e.g. "POST /leads (form)". */
  name: string;
  /** The API Gateway route key this exercises; the entry runs only if the synthesized API has it. */
  routeKey: string | ((keys: string[]) => string | undefined);
  /** Which suite file runs it (two files: two workers, two stacks). */
  suite: 'public' | 'admin';
  /** Does an ACCEPTED request of this route write (so the sentinels are only compared when rejected)? */
  writes: boolean;
  cases: (ctx: FuzzContext) => fc.Arbitrary<C>;
  /** The case as it goes on the wire (after UNIQ was replaced); may create what it needs first. */
  request: (ctx: FuzzContext, c: C) => Req | Promise<Req>;
  /** When the case is invalid: how it must be rejected. */
  mustReject?: (ctx: FuzzContext, c: C, req: Req) => Rejection | undefined;
  /** Route-specific state captured before sending (for the write checks). */
  before?: (ctx: FuzzContext, c: C, req: Req) => Promise<unknown>;
  /** Route-specific properties, given the answer and what `before` captured. */
  verify?: (ctx: FuzzContext, c: C, req: Req, res: Res, before: unknown) => Promise<Violation[]>;
}

export interface RouteStats {
  route: string;
  requests: number;
  status5xx: number;
  noAnswer: number;
  statuses: Record<string, number>;
  violations: Record<string, { count: number; example: string }>;
  ms: number;
}

export const describeCase = (req: Req, res: Res) =>
  `${req.method} ${req.path.length > 300 ? `${req.path.slice(0, 300)}…(${req.path.length} chars)` : req.path}` +
  (req.headers ? ` headers=${JSON.stringify(req.headers)}` : '') +
  (req.body !== undefined ? ` body=${req.body.length > 400 ? `${JSON.stringify(req.body.slice(0, 400))}…(${req.body.length} chars)` : JSON.stringify(req.body)}` : '') +
  ` → ${res.status}${res.failure ? ` (${res.failure})` : ''} ${res.text.length > 300 ? `${res.text.slice(0, 300)}…` : res.text}`;

/** Sends one case and returns every property it breaks (empty when all hold). */
export async function runCase<C>(ctx: FuzzContext, route: RouteFuzz<C>, raw: C, stats?: RouteStats): Promise<{ violations: Violation[]; req: Req; res: Res } | undefined> {
  const c = materialize(raw, ctx.uniq());
  const req = await route.request(ctx, c);
  await settle(ctx);
  const sentinelsBefore = await sentinelStates(ctx);
  const routeBefore = route.before ? await route.before(ctx, c, req) : undefined;
  const res = await send(ctx, req);
  if (res.status === -1) return undefined; // nothing went on the wire
  if (stats) {
    stats.requests++;
    stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1;
    if (res.status >= 500) stats.status5xx++;
    if (res.status === 0) stats.noAnswer++;
  }
  const violations: Violation[] = [];
  const v = (property: string, detail: string) => violations.push({ property, detail });
  // A request line or headers over Node's 16 KB limit are refused by the HTTP server itself (431;
  // API Gateway: 414), before any route: a fair answer to an 8 KB+ URL, with no body to check.
  if ((res.status === 414 || res.status === 431) && req.path.length > 8192) return { violations, req, res };
  if (res.status === 0) v(PROPERTIES.answers, res.failure ?? 'no answer');
  if (res.status >= 500) v(PROPERTIES.no5xx, `${res.status}${res.headers['retry-after'] ? ` (Retry-After ${res.headers['retry-after']})` : ''}`);
  const leaks = internalsIn(res, req);
  if (leaks.length) v(PROPERTIES.noInternals, leaks.join(', '));
  for (const p of contractProblems(res)) v(PROPERTIES.errorContract, p);
  const rejection = route.mustReject?.(ctx, c, req);
  if (rejection && res.status > 0 && res.status < 500) {
    const okStatus = rejection.statuses ? rejection.statuses.includes(res.status) : res.status >= 400;
    if (!okStatus) v(PROPERTIES.rejectsInvalid, `expected ${rejection.statuses?.join('|') ?? '4xx'}, got ${res.status}`);
    else if (res.status === 400 && rejection.paths && !issuePaths(res).some((p) => rejection.paths!.some((w) => [w, asSent(w)].some((want) => p === want || p.startsWith(`${want}.`)))))
      v(PROPERTIES.namesField, `expected a path in [${rejection.paths.map((p) => JSON.stringify(p)).join(', ')}], got [${issuePaths(res).map((p) => JSON.stringify(p)).join(', ')}]`);
  }
  const accepted = res.status >= 200 && res.status < 400;
  if (accepted && route.writes) ctx.dirty = true;
  if (!accepted || !route.writes) {
    const after = await sentinelStates(ctx);
    for (const [leadId, state] of after) {
      if (sentinelsBefore.get(leadId) !== state) v(PROPERTIES.writesNothing, `sentinel lead ${leadId} changed: ${sentinelsBefore.get(leadId)} → ${state}`);
    }
  }
  if (route.verify) violations.push(...(await route.verify(ctx, c, req, res, routeBefore)));
  return { violations, req, res };
}

export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 25));
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

/**
 * `npm test` (no FUZZ_RUNS) fuzzes with a fixed seed per route, so a red CI is a reproducible one;
 * `npm run fuzz` (FUZZ_RUNS set) or FUZZ_RANDOM=1 draws fresh seeds every run to explore further.
 */
const FRESH_SEEDS = process.env.FUZZ_RUNS !== undefined || process.env.FUZZ_RANDOM === '1';

function seedFor(name: string): number {
  if (FUZZ_SEED !== undefined) return FUZZ_SEED;
  let h = FRESH_SEEDS ? Date.now() | 0 : 0x5a1e5f10;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

/**
 * Runs one route: the census (every case, every broken property counted), then, if anything broke,
 * the strict property from the same seed so fast-check shrinks a counterexample. Returns the stats
 * and the failure report (undefined when every property held).
 */
export async function fuzzRoute<C>(ctx: FuzzContext, route: RouteFuzz<C>, runs = FUZZ_RUNS): Promise<{ stats: RouteStats; failure?: string }> {
  const started = Date.now();
  const stats: RouteStats = { route: route.name, requests: 0, status5xx: 0, noAnswer: 0, statuses: {}, violations: {}, ms: 0 };
  const seed = seedFor(route.name);
  const arbitrary = route.cases(ctx);
  await fc.assert(
    fc.asyncProperty(arbitrary, async (c) => {
      const outcome = await runCase(ctx, route, c, stats);
      for (const { property, detail } of outcome?.violations ?? []) {
        const example = `${detail} — ${describeCase(outcome!.req, outcome!.res)}`;
        const seen = stats.violations[property];
        if (!seen) stats.violations[property] = { count: 1, example };
        else {
          seen.count++;
          if (example.length < seen.example.length) seen.example = example;
        }
      }
    }),
    { numRuns: runs, seed },
  );
  stats.ms = Date.now() - started;
  if (Object.keys(stats.violations).length === 0) return { stats };

  // Strict phase: the first failing case again, shrunk (bounded in time).
  let shrunk = '(not reproduced on replay)';
  const result = await fc.check(
    fc.asyncProperty(arbitrary, async (c) => {
      const outcome = await runCase(ctx, route, c);
      if (outcome && outcome.violations.length) {
        throw new Error(outcome.violations.map((x) => `${x.property}: ${x.detail}`).join('\n') + `\n${describeCase(outcome.req, outcome.res)}`);
      }
    }),
    { numRuns: runs, seed, interruptAfterTimeLimit: Number(process.env.FUZZ_SHRINK_MS ?? 20_000) },
  );
  if (result.failed && result.errorInstance) shrunk = `${(result.errorInstance as Error).message}\n  (seed ${seed}, path ${result.counterexamplePath}, ${result.numShrinks} shrinks)`;
  const lines = Object.entries(stats.violations).map(([p, { count, example }]) => `- ${p}: ${count} of ${stats.requests} requests; shortest: ${example}`);
  return { stats, failure: `${route.name}: properties broken\n${lines.join('\n')}\nShrunk counterexample:\n${shrunk}\nReplay: FUZZ_SEED=${seed} FUZZ_RUNS=${runs}` };
}

export function printStats(suite: string, all: RouteStats[]): void {
  const rows = all.map((s) => `${s.route.padEnd(34)} ${String(s.requests).padStart(7)} ${String(s.status5xx).padStart(6)} ${String(s.noAnswer).padStart(9)}  ${(s.ms / 1000).toFixed(1).padStart(6)} s  ${JSON.stringify(s.statuses)}`);
  const broken = all.flatMap((s) => Object.entries(s.violations).map(([p, { count }]) => `  ${s.route}: ${p} ×${count}`));
  console.log(
    [`\nFuzz (${suite}), ${FUZZ_RUNS} runs per route:`, `${'route'.padEnd(34)} ${'requests'.padStart(7)} ${'5xx'.padStart(6)} ${'no answer'.padStart(9)}  ${'time'.padStart(8)}  statuses`, ...rows, ...(broken.length ? ['broken properties:', ...broken] : ['every property held'])].join('\n'),
  );
  const dir = path.join(REPO_ROOT, '.tmp');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `fuzz-stats-${suite}.json`), JSON.stringify({ runs: FUZZ_RUNS, at: new Date().toISOString(), routes: all }, null, 2));
}

// ---- booting ----------------------------------------------------------------------------------------

export function routeKeysOfTemplate(template: any): string[] {
  return Object.values(template.Resources ?? {})
    .filter((r: any) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map((r: any) => String(r.Properties?.RouteKey));
}

export async function bootFuzz(): Promise<FuzzContext> {
  const app = synthesizedApp();
  const signingKey = `fuzz-signing-${randomUUID()}`;
  const stack = await startLocalStack({
    ...app,
    dynamodb: { endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB! },
    ports: 0,
    timeScale: 1,
    tableName: `fuzz-${randomUUID()}`,
    signingKey,
    // Hostile input is the subject here, not throttling (tests/workflows and tests/burst cover that): the send
    // ceiling is lifted so that a route which mails answers what its input deserves, not a 503 for a busy second.
    env: { LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'CRITICAL', SEND_RATE_CEILING: '10000' },
  });
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint }), { marshallOptions: { removeUndefinedValues: true } });
  let counter = 0;
  const run = randomUUID().replace(/-/g, '').slice(0, 3);
  const ctx: FuzzContext = {
    stack,
    apiKey: stack.apiKey,
    signingKey,
    db,
    tableName: stack.tableName,
    sentinels: [],
    targets: [],
    realCursor: '',
    routeKeys: routeKeysOfTemplate(app.template),
    uniq: () => `${run}${(counter++).toString(36).padStart(5, '0')}`.slice(-8),
    dirty: true,
    memory: {},
  };
  const create = async (name: string): Promise<SentinelLead> => {
    const email = `${name}.${ctx.uniq()}@example.com`;
    const firstName = `Keep${name}`;
    const res = await send(ctx, {
      method: 'POST',
      path: '/leads',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.apiKey}` },
      body: JSON.stringify({ email, firstName, consent: true }),
    });
    if (res.status !== 201) throw new Error(`fuzz setup: could not create a lead (${res.status} ${res.text})`);
    return { leadId: res.json.leadId, email, firstName };
  };
  for (let i = 0; i < 6; i++) ctx.sentinels.push(await create(`sentinel${i}`));
  for (let i = 0; i < 6; i++) ctx.targets.push(await create(`target${i}`));
  await new Promise((r) => setTimeout(r, 1_000)); // their welcome emails go out
  const page = await send(ctx, { method: 'GET', path: '/leads?stage=awareness&limit=1', headers: { authorization: `Bearer ${ctx.apiKey}` } });
  ctx.realCursor = page.json?.cursor ?? '';
  if (!ctx.realCursor) throw new Error(`fuzz setup: no cursor from a first page (${page.status} ${page.text})`);
  await settle(ctx);
  return ctx;
}

export async function stopFuzz(ctx: FuzzContext | undefined): Promise<void> {
  agent.destroy();
  ctx?.db.destroy();
  await ctx?.stack.stop();
  // Its table goes too: DynamoDB Local keeps every table in one heap (tests/support/app.ts dropTable).
  if (ctx) await dropTable(ctx.tableName);
}

/** Whether the synthesized API has the entry's route (routes being added join by themselves). */
export function present<C>(routeKeys: string[], route: RouteFuzz<C>): boolean {
  const key = typeof route.routeKey === 'function' ? route.routeKey(routeKeys) : route.routeKey;
  return key !== undefined && routeKeys.includes(key);
}
