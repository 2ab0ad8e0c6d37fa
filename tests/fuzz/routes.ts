/**
 * The table of fuzzed routes: one entry per route, each with its case generator, how a case goes on
 * the wire, when it must be rejected, and its own oracle (what a rejected request must leave alone,
 * what an accepted one must have stored). Adding a route is adding one entry; an entry whose route
 * the synthesized API does not have (yet) is left out by the suites.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { signUnsubscribeToken } from '../../functions/core/unsubscribe-token.js';
import { signSurveyToken } from '../../functions/core/nps-token.js';
import { plainTextProblem } from '../../functions/core/text.js';
import { EVENT_TYPES, STAGES } from '../../functions/core/model.js';
import {
  RawJson,
  UNIQ,
  brokenJsonText,
  contentTypes,
  deepValue,
  enc,
  flipAt,
  hostileString,
  isPlain,
  jsonish,
  notAString,
  plainText,
  rawNumber,
  toJsonText,
  urlPart,
  PERCENT_GARBAGE,
} from './support/arbitraries.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/table/keys.js';
import {
  PROPERTIES,
  emailIndex,
  entriesWithEventId,
  leadItem,
  leadState,
  send,
  timelineCount,
  type FuzzContext,
  type Rejection,
  type Req,
  type Res,
  type RouteFuzz,
  type Violation,
} from './support/harness.js';

/**
 * A fault that turns up about once in `n` cases (else null). Not `fc.option(arb, { freq: n })`: that gives the
 * null once in n — the fault nearly always — so the accepted paths behind it were hardly ever reached.
 */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number) => fc.oneof({ arbitrary: fc.constant(null), weight: n - 1 }, { arbitrary: arb, weight: 1 });

const MAX_BODY = 16 * 1024;
const tooBig = (req: Req) => req.body !== undefined && Buffer.byteLength(req.body) > MAX_BODY;
const isAccepted = (res: Res) => res.status >= 200 && res.status < 400;
const isRejected = (res: Res) => res.status >= 400 && res.status < 500;
const bearer = (ctx: FuzzContext, auth: Auth): Record<string, string> =>
  auth === 'key'
    ? { authorization: `Bearer ${ctx.apiKey}` }
    : auth === 'wrong'
      ? { authorization: 'Bearer not-the-key' }
      : auth === 'longer'
        ? { authorization: `Bearer ${ctx.apiKey}x` }
        : auth === 'basic'
          ? { authorization: `Basic ${Buffer.from(`x:${ctx.apiKey}`).toString('base64')}` }
          : {};
type Auth = 'key' | 'none' | 'wrong' | 'longer' | 'basic';
const authArb = fc.oneof({ arbitrary: fc.constant<Auth>('key'), weight: 8 }, fc.constantFrom<Auth>('none', 'wrong', 'longer', 'basic'));
/** What an authenticated route must answer before anything else for a caller without the key. */
const authRejection = (auth: Auth): Rejection | undefined => (auth === 'key' ? undefined : { statuses: auth === 'none' ? [401] : [401, 403] });

const merge = (a: Rejection | undefined, b: Rejection | undefined): Rejection | undefined => {
  if (!a) return b;
  if (!b) return a;
  return { statuses: a.statuses && b.statuses ? [...new Set([...a.statuses, ...b.statuses])] : undefined, paths: a.paths && b.paths ? [...a.paths, ...b.paths] : (a.paths ?? b.paths) };
};
const field400 = (...paths: string[]): Rejection => ({ statuses: [400], paths });
/** `/leads/{leadId}` needs exactly one non-empty segment after the prefix; anything else is no route at all. */
const unroutable = (path: string, prefix: string) => {
  const rest = path.split('?')[0]!.slice(prefix.length);
  return rest === '' || rest.includes('/');
};

// ---- POST /leads -------------------------------------------------------------------------------------

const PROFILE_MAX: Record<string, number> = {
  firstName: 100,
  lastName: 100,
  company: 200,
  jobTitle: 200,
  phone: 50,
  message: 5000,
  source: 200,
  utm_source: 200,
  utm_medium: 200,
  utm_campaign: 200,
};
const FORM_FIELDS = ['_hp', '_redirect', '_formId', '_consentVersion'];
const KNOWN_FIELDS = new Set(['email', 'consent', ...Object.keys(PROFILE_MAX), ...FORM_FIELDS]);
const CONSENT_WORDS = ['on', 'true', 'yes', '1', 'off', 'false', 'no', '0', ''];

type EmailSpec =
  | { kind: 'fresh'; suffix: string; domain: string; upper: boolean; pad: string }
  | { kind: 'known'; i: number }
  | { kind: 'hostile'; value: string }
  | { kind: 'missing' }
  | { kind: 'wrongType'; value: unknown };

interface CaptureCase {
  encoding: 'json' | 'form';
  auth: 'none' | 'key';
  email: EmailSpec;
  fields: Array<[string, unknown]>;
  unknown?: [string, unknown];
  repeated?: string;
  honeypot?: string;
  redirect?: string;
  acceptHtml: boolean;
  contentType: 'right' | 'wrong' | 'missing' | 'swapped';
  raw?: string;
  tail?: string;
}

const emailSpec: fc.Arbitrary<EmailSpec> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('fresh' as const),
      suffix: fc.oneof(
        { arbitrary: fc.constant(''), weight: 2 },
        { arbitrary: fc.stringMatching(/^[a-z0-9]{1,12}$/), weight: 4 },
        { arbitrary: fc.stringMatching(/^[a-z0-9]{50,70}$/), weight: 1 },
        { arbitrary: fc.constantFrom('+tag', '.x', '_y', "o'neil", '-z'), weight: 1 },
      ),
      domain: fc.constantFrom('example.com', 'Example.COM', 'mail.example.org', 'xn--bcher-kva.example', 'example.co.uk'),
      upper: fc.boolean(),
      pad: fc.constantFrom('', ' ', '  ', '\t', '\n', ' \r\n'),
    }),
    weight: 12,
  },
  { arbitrary: fc.record({ kind: fc.constant('known' as const), i: fc.nat(5) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('hostile' as const),
      value: fc.oneof(
        hostileString,
        fc.tuple(hostileString, fc.constantFrom('@example.com', '@', '@@example.com', '@localhost', '@example.com\r\nBcc: x@evil.example')).map(([a, b]) => `${a}${UNIQ}${b}`),
        fc.tuple(fc.constantFrom(...['\u0000', '\u202e', '\ud800', '\r\n', '%00', ' ', '"']), fc.nat(1)).map(([c, at]) => (at ? `a${c}${UNIQ}@example.com` : `a${UNIQ}@exa${c}mple.com`)),
      ),
    }),
    weight: 3,
  },
  { arbitrary: fc.constant({ kind: 'missing' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('wrongType' as const), value: notAString }), weight: 1 },
);

const profileValue = (name: string) =>
  fc.oneof(
    { arbitrary: plainText(name === 'phone' ? 20 : 40), weight: 14 },
    { arbitrary: hostileString, weight: 4 },
    { arbitrary: fc.integer({ min: 1, max: 30 }).map((n) => 'y'.repeat(PROFILE_MAX[name]! + n)), weight: 1 },
    { arbitrary: notAString, weight: 1 },
  );

const captureCases = (encoding: 'json' | 'form'): fc.Arbitrary<CaptureCase> =>
  fc
    .record(
      {
        auth: fc.constantFrom<'none' | 'key'>('none', 'key'),
        email: emailSpec,
        fields: fc.uniqueArray(fc.constantFrom(...Object.keys(PROFILE_MAX), 'consent'), { maxLength: 4 }).chain((names) =>
          fc.tuple(...names.map((n) => (n === 'consent' ? fc.oneof(fc.boolean(), fc.constantFrom(...CONSENT_WORDS, ' YES ', 'maybe', 'ja'), hostileString, notAString) : profileValue(n)).map((v) => [n, v] as [string, unknown]))),
        ),
        unknown: rarely(fc.tuple(fc.oneof(fc.constant(''), fc.constantFrom('favouriteColour', '__proto__', 'constructor', 'Email', 'email ', '_hp2'), hostileString), fc.oneof(plainText(5), jsonish)), 10),
        repeated: rarely(fc.constantFrom('email', 'firstName', 'consent', '_redirect'), 10),
        honeypot: rarely(fc.oneof(fc.constant(''), fc.constant('http://spam.example'), hostileString), 8),
        redirect: fc.option(
          fc.oneof(
            fc.constantFrom('/thank-you', 'https://www.example.com/thanks?from=form', 'https://evil.example/phish', '//evil.example', '/thanks\r\nSet-Cookie: x=1', '/€', '/%E2%82%AC', '/%0D%0ALocation:%20https://evil.example', '/%0A', 'javascript:alert(1)', '/\u0000', '/\u202e'),
            hostileString.map((s) => `/${s}`),
          ),
          { freq: 3 },
        ),
        acceptHtml: fc.boolean(),
        contentType: fc.oneof({ arbitrary: fc.constant('right' as const), weight: 25 }, fc.constantFrom('wrong' as const, 'missing' as const, 'swapped' as const)),
        raw: encoding === 'json' ? rarely(brokenJsonText, 12) : fc.constant(null),
        tail: encoding === 'form' ? rarely(fc.constantFrom(...PERCENT_GARBAGE.map((g) => `${g}=1`), '%E0%A4%A', '=', '&&', 'a=%', '%=%'), 12) : fc.constant(null),
      },
      { requiredKeys: ['auth', 'email', 'fields', 'acceptHtml', 'contentType'] },
    )
    .map((c) => {
      const out: CaptureCase = { encoding, auth: c.auth, email: c.email, fields: c.fields as Array<[string, unknown]>, acceptHtml: c.acceptHtml, contentType: c.contentType };
      if (c.unknown) out.unknown = c.unknown;
      if (encoding === 'form' && c.repeated) out.repeated = c.repeated;
      if (c.honeypot !== null && c.honeypot !== undefined) out.honeypot = c.honeypot;
      if (c.redirect) out.redirect = c.redirect;
      if (c.raw) out.raw = c.raw;
      if (c.tail) out.tail = c.tail;
      return out;
    });

function emailOf(ctx: FuzzContext, c: CaptureCase): unknown {
  const e = c.email;
  switch (e.kind) {
    case 'fresh': {
      const address = `f${ctx.memory.lastToken}${e.suffix}@${e.domain}`;
      return `${e.pad}${e.upper ? address.toUpperCase() : address}${e.pad}`;
    }
    case 'known':
      return ctx.sentinels[e.i]!.email;
    case 'hostile':
      return e.value;
    case 'missing':
      return undefined;
    case 'wrongType':
      return e.value;
  }
}

/** The body fields of a capture case, in order (a repeated key appears twice). */
function captureEntries(ctx: FuzzContext, c: CaptureCase): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  const email = emailOf(ctx, c);
  if (email !== undefined) entries.push(['email', email]);
  entries.push(...c.fields);
  if (c.honeypot !== undefined) entries.push(['_hp', c.honeypot]);
  if (c.redirect !== undefined) entries.push(['_redirect', c.redirect]);
  if (c.unknown) entries.push(c.unknown);
  if (c.repeated) {
    const first = entries.find(([k]) => k === c.repeated);
    const other = c.repeated === 'email' ? `other.${ctx.memory.lastToken}@example.com` : c.repeated === 'consent' ? (first?.[1] === 'no' ? 'yes' : 'no') : `other-${ctx.memory.lastToken}`;
    if (!first) entries.push([c.repeated, c.repeated === 'email' ? `rep.${ctx.memory.lastToken}@example.com` : 'first']);
    entries.push([c.repeated, other]);
  }
  return entries;
}

const formValue = (v: unknown) => (typeof v === 'string' ? v : v instanceof RawJson ? v.text : JSON.stringify(v) ?? '');

function captureRequest(ctx: FuzzContext, c: CaptureCase): Req {
  const entries = captureEntries(ctx, c);
  const rightType = c.encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  const type = { right: rightType, wrong: 'text/plain', missing: undefined, swapped: c.encoding === 'json' ? 'application/x-www-form-urlencoded' : 'application/json' }[c.contentType];
  let body: string;
  if (c.raw !== undefined) body = c.raw;
  else if (c.encoding === 'json') {
    const obj: Record<string, unknown> = {};
    for (const [k, v] of entries) obj[k] = v;
    // A key like "__proto__" must go on the wire as a key, not vanish into the prototype.
    body = `{${entries.filter(([k], i) => entries.findIndex(([k2]) => k2 === k) === i).map(([k]) => `${JSON.stringify(k)}:${toJsonText(obj[k])}`).join(',')}}`;
  } else {
    body = entries.map(([k, v]) => `${enc(k)}=${enc(formValue(v))}`).join('&') + (c.tail ? `&${c.tail}` : '');
  }
  const headers: Record<string, string> = { ...(type ? { 'content-type': type } : {}), ...(c.auth === 'key' ? { authorization: `Bearer ${ctx.apiKey}` } : {}) };
  if (c.acceptHtml) headers.accept = 'text/html,application/xhtml+xml';
  return { method: 'POST', path: '/leads', headers, body };
}

const normalized = (email: unknown) => (typeof email === 'string' ? email.trim().toLowerCase() : undefined);

function captureRejection(ctx: FuzzContext, c: CaptureCase, req: Req): Rejection | undefined {
  if (tooBig(req)) return { statuses: [413] };
  if (c.contentType === 'wrong' || c.contentType === 'missing') return { statuses: [415] };
  if (c.contentType === 'swapped') return { statuses: [400, 415] };
  if (c.raw !== undefined) return { statuses: [400] };
  let r: Rejection | undefined;
  const add = (path: string) => (r = merge(r, field400(path)));
  const email = emailOf(ctx, c);
  if (c.email.kind === 'missing' || c.email.kind === 'wrongType') add('email');
  if (typeof email === 'string') {
    const n = email.trim().toLowerCase();
    const at = n.lastIndexOf('@');
    if (at < 1 || n.length > 254 || at > 64 || !isPlain(n) || /\s/.test(n)) add('email');
  }
  for (const [name, value] of c.fields) {
    if (name === 'consent') {
      const sent = c.encoding === 'json' ? value : formValue(value);
      if (!(typeof sent === 'boolean' || (typeof sent === 'string' && CONSENT_WORDS.includes(sent.trim().toLowerCase())))) add('consent');
      continue;
    }
    if (c.encoding === 'json' && typeof value !== 'string') add(name);
    const text = c.encoding === 'json' ? value : formValue(value);
    if (typeof text === 'string' && text.trim().length > PROFILE_MAX[name]!) add(name);
  }
  if (c.unknown && !KNOWN_FIELDS.has(c.unknown[0])) add(c.unknown[0]);
  if (c.repeated) add(c.repeated);
  if (c.tail) for (const key of new URLSearchParams(c.tail).keys()) if (!KNOWN_FIELDS.has(key)) add(key);
  if (c.redirect !== undefined && c.redirect.length > 2000) add('_redirect');
  return r;
}

interface CaptureBefore {
  email?: string;
  indexed: boolean;
}

async function captureVerify(ctx: FuzzContext, c: CaptureCase, req: Req, res: Res, before: unknown): Promise<Violation[]> {
  const out: Violation[] = [];
  const { email, indexed } = before as CaptureBefore;
  const index = email ? await emailIndex(ctx, email) : undefined;
  if (isRejected(res)) {
    if (email && !indexed && index) out.push({ property: PROPERTIES.writesNothing, detail: `a lead was stored for ${JSON.stringify(email)} though the request was rejected` });
    return out;
  }
  if (!isAccepted(res)) {
    const allPlain = c.fields.every(([n, v]) => n === 'consent' || (typeof v === 'string' && isPlain(v.trim(), n === 'message')));
    const quiet = (c.honeypot === undefined || c.honeypot.length <= 1000) && (c.redirect === undefined || isPlain(c.redirect)) && (c.unknown === undefined || !c.unknown[0].startsWith('_'));
    if (c.email.kind === 'fresh' && !captureRejection(ctx, c, req) && allPlain && quiet)
      out.push({ property: PROPERTIES.acceptsValid, detail: `a valid capture was answered ${res.status}` });
    return out;
  }
  if (c.honeypot) {
    if (email && !indexed && index) out.push({ property: PROPERTIES.writesNothing, detail: 'a filled honeypot stored a lead' });
    return out;
  }
  if (c.auth === 'key' && !c.acceptHtml) {
    if (res.status !== (indexed ? 200 : 201)) out.push({ property: PROPERTIES.stored, detail: `API-key caller: expected ${indexed ? 200 : 201} for a ${indexed ? 'known' : 'new'} email, got ${res.status}` });
    if (index && res.json?.leadId !== index.leadId) out.push({ property: PROPERTIES.stored, detail: `answered leadId ${res.json?.leadId}, the email is stored under ${index.leadId}` });
  }
  const leadId: string | undefined = index?.leadId ?? (c.auth === 'key' ? res.json?.leadId : undefined);
  if (!leadId) {
    if (c.email.kind === 'fresh') out.push({ property: PROPERTIES.stored, detail: `accepted (${res.status}) but no lead is stored for ${JSON.stringify(email)}` });
    return out;
  }
  const lead = await leadItem(ctx, leadId);
  if (!lead) {
    out.push({ property: PROPERTIES.stored, detail: `accepted (${res.status}) but lead ${leadId} is not stored` });
    return out;
  }
  for (const [k, v] of Object.entries(lead)) {
    if (typeof v === 'string' && !isPlain(v, k === 'message')) out.push({ property: PROPERTIES.plainStored, detail: `${k} stored as ${JSON.stringify(v)}` });
  }
  if (typeof lead.email === 'string') {
    const local = lead.email.slice(0, lead.email.lastIndexOf('@'));
    if (local.length > 64) out.push({ property: PROPERTIES.plainStored, detail: `email stored with a ${local.length}-character local part (RFC 5321: at most 64)` });
  }
  if (c.email.kind === 'known') {
    const sentinel = ctx.sentinels[c.email.i]!;
    const sent = c.fields.find(([k]) => k === 'firstName')?.[1];
    if (c.auth === 'none' && typeof sent === 'string' && sent.trim() && lead.firstName !== sentinel.firstName)
      out.push({ property: PROPERTIES.stored, detail: `an anonymous post overwrote a known person's firstName (${JSON.stringify(sentinel.firstName)} → ${JSON.stringify(lead.firstName)})` });
    return out;
  }
  if (email && lead.email !== email) out.push({ property: PROPERTIES.stored, detail: `email stored as ${JSON.stringify(lead.email)}, submitted ${JSON.stringify(email)}` });
  for (const [name, value] of c.fields) {
    if (name === 'consent' || typeof value !== 'string') continue;
    const want = value.trim();
    if (want && isPlain(want, name === 'message') && lead[name] !== want) out.push({ property: PROPERTIES.stored, detail: `${name} stored as ${JSON.stringify(lead[name])}, submitted ${JSON.stringify(want)}` });
  }
  return out;
}

function captureRoute(encoding: 'json' | 'form'): RouteFuzz<CaptureCase> {
  return {
    name: `POST /leads (${encoding})`,
    routeKey: 'POST /leads',
    suite: 'public',
    writes: true,
    cases: () => captureCases(encoding),
    request: (ctx, c) => {
      ctx.memory.lastToken = ctx.uniq();
      return captureRequest(ctx, c);
    },
    mustReject: captureRejection,
    before: async (ctx, c) => {
      const email = normalized(emailOf(ctx, c));
      return { email, indexed: email ? Boolean(await emailIndex(ctx, email)) : false } satisfies CaptureBefore;
    },
    verify: captureVerify,
  };
}

// ---- POST /events ------------------------------------------------------------------------------------

type Target =
  | { by: 'leadId'; i: number }
  | { by: 'email'; i: number; upper: boolean }
  | { by: 'unknownLead' }
  | { by: 'unknownEmail' }
  | { by: 'customer'; value: string }
  | { by: 'none' }
  | { by: 'both'; i: number }
  | { by: 'hostileLeadId'; value: unknown }
  | { by: 'hostileEmail'; value: string };

interface EventCase {
  auth: Auth;
  contentType: 'json' | 'wrong' | 'missing' | 'form';
  raw?: string;
  eventId: { kind: 'fresh'; suffix: string } | { kind: 'reuse' } | { kind: 'bad'; value: unknown };
  type: string | { bad: unknown };
  target: Target;
  occurredAt?: unknown;
  properties?: unknown;
  extra?: [string, unknown];
}

const LOW_TYPES = ['email_opened', 'email_clicked', 'page_viewed', 'content_downloaded', 'form_submitted'];
const eventCases: fc.Arbitrary<EventCase> = fc
  .record(
    {
      auth: authArb,
      contentType: fc.oneof({ arbitrary: fc.constant('json' as const), weight: 25 }, fc.constantFrom('wrong' as const, 'missing' as const, 'form' as const)),
      raw: rarely(brokenJsonText, 15),
      eventId: fc.oneof(
        { arbitrary: fc.record({ kind: fc.constant('fresh' as const), suffix: fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/)) }), weight: 16 },
        { arbitrary: fc.constant({ kind: 'reuse' as const }), weight: 1 },
        { arbitrary: fc.record({ kind: fc.constant('bad' as const), value: fc.oneof(fc.constant(''), fc.constant('e'.repeat(201)), notAString, hostileString) }), weight: 2 },
      ),
      type: fc.oneof(
        { arbitrary: fc.constantFrom(...LOW_TYPES), weight: 20 },
        { arbitrary: fc.constantFrom(...EVENT_TYPES), weight: 2 },
        { arbitrary: fc.record({ bad: fc.oneof(hostileString, notAString, fc.constantFrom('EMAIL_OPENED', 'email_opened ', 'toString', '__proto__')) }), weight: 2 },
      ),
      target: fc.oneof(
        { arbitrary: fc.record({ by: fc.constant('leadId' as const), i: fc.nat(5) }), weight: 14 },
        { arbitrary: fc.record({ by: fc.constant('email' as const), i: fc.nat(5), upper: fc.boolean() }), weight: 6 },
        fc.constant({ by: 'unknownLead' as const }),
        fc.constant({ by: 'unknownEmail' as const }),
        fc.record({ by: fc.constant('customer' as const), value: fc.oneof(plainText(10), hostileString) }),
        fc.constant({ by: 'none' as const }),
        fc.record({ by: fc.constant('both' as const), i: fc.nat(5) }),
        fc.record({ by: fc.constant('hostileLeadId' as const), value: fc.oneof(hostileString, notAString, fc.constant(''), fc.constant('L'.repeat(101))) }),
        fc.record({ by: fc.constant('hostileEmail' as const), value: hostileString }),
      ),
      occurredAt: fc.option(
        fc.oneof(
          { arbitrary: fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString()), weight: 4 },
          fc.constantFrom('2024-02-30T00:00:00Z', '2024-13-01T00:00:00Z', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '2024-01-01T00:00:00+25:00', '2024-01-01', '1e400', ''),
          hostileString,
          notAString,
        ),
        { freq: 3 },
      ),
      properties: fc.option(
        fc.oneof(
          { arbitrary: fc.dictionary(fc.oneof(plainText(8), fc.constant(''), hostileString), jsonish, { maxKeys: 5 }), weight: 5 },
          { arbitrary: deepValue.map((d) => ({ deep: d })), weight: 1 },
          { arbitrary: rawNumber.map((t) => ({ n: new RawJson(t) })), weight: 2 },
          { arbitrary: fc.constant({ '': 1 }), weight: 1 },
          { arbitrary: fc.oneof(fc.constant([]), fc.constant('x'), fc.integer(), fc.constant(null)), weight: 1 },
        ),
        { freq: 3 },
      ),
      extra: rarely(fc.tuple(fc.oneof(fc.constant(''), fc.constantFrom('score', 'stage', 'version', 'status'), hostileString), jsonish), 15),
    },
    { requiredKeys: ['auth', 'contentType', 'eventId', 'type', 'target'] },
  )
  .map((c) => {
    const out: EventCase = { auth: c.auth, contentType: c.contentType, eventId: c.eventId, type: c.type as EventCase['type'], target: c.target };
    if (c.raw) out.raw = c.raw;
    if (c.occurredAt !== null && c.occurredAt !== undefined) out.occurredAt = c.occurredAt;
    if (c.properties !== null && c.properties !== undefined) out.properties = c.properties;
    if (c.extra) out.extra = c.extra;
    return out;
  });

function eventBody(ctx: FuzzContext, c: EventCase): { body: Array<[string, unknown]>; eventId: unknown; targetLeadId?: string } {
  const body: Array<[string, unknown]> = [];
  const eventId =
    c.eventId.kind === 'fresh' ? `ev-${UNIQ}${c.eventId.suffix}`.replace(UNIQ, ctx.memory.lastToken) : c.eventId.kind === 'reuse' ? (ctx.memory.acceptedEventIds?.at(-1) ?? `ev-${ctx.memory.lastToken}`) : c.eventId.value;
  body.push(['eventId', eventId]);
  body.push(['type', typeof c.type === 'string' ? c.type : c.type.bad]);
  let targetLeadId: string | undefined;
  const t = c.target;
  switch (t.by) {
    case 'leadId':
      targetLeadId = ctx.targets[t.i]!.leadId;
      body.push(['leadId', targetLeadId]);
      break;
    case 'email':
      targetLeadId = ctx.targets[t.i]!.leadId;
      body.push(['email', t.upper ? ctx.targets[t.i]!.email.toUpperCase() : ctx.targets[t.i]!.email]);
      break;
    case 'unknownLead':
      body.push(['leadId', `nobody-${ctx.memory.lastToken}`]);
      break;
    case 'unknownEmail':
      body.push(['email', `nobody.${ctx.memory.lastToken}@example.com`]);
      break;
    case 'customer':
      body.push(['customerId', t.value]);
      break;
    case 'none':
      break;
    case 'both':
      targetLeadId = ctx.targets[t.i]!.leadId;
      body.push(['leadId', targetLeadId], ['email', ctx.targets[t.i]!.email]);
      break;
    case 'hostileLeadId':
      body.push(['leadId', t.value]);
      break;
    case 'hostileEmail':
      body.push(['email', t.value]);
      break;
  }
  if (c.occurredAt !== undefined) body.push(['occurredAt', c.occurredAt]);
  if (c.properties !== undefined) body.push(['properties', c.properties]);
  if (c.extra && !body.some(([k]) => k === c.extra![0])) body.push(c.extra);
  return { body, eventId, targetLeadId };
}

const isoDateTime = z.iso.datetime({ offset: true });

/**
 * The README's rules for event properties, written out independently of the handler: numbers finite
 * within ±2^53 (and not so close to zero DynamoDB underflows), no empty keys, at most 8 levels, 50 keys
 * an object, 100 items an array, keys ≤ 100 and strings ≤ 2000 characters, plain text only.
 */
function breaksPropertyRules(value: unknown, depth = 0): boolean {
  // A raw JSON token (1e400, 2**60 written out) is judged by what the server's JSON.parse makes of it.
  if (value instanceof RawJson) {
    try {
      return breaksPropertyRules(JSON.parse(value.text), depth);
    } catch {
      return true;
    }
  }
  const notPlain = (text: string, multiline: boolean) =>
    /\p{Cs}/u.test(text) || (multiline ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u : /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u).test(text);
  if (value === null || typeof value === 'boolean') return false;
  if (typeof value === 'number') return !Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER || (value !== 0 && Math.abs(value) < 1e-130);
  if (typeof value === 'string') return value.length > 2000 || notPlain(value, true);
  if (depth >= 8) return true;
  if (Array.isArray(value)) return value.length > 100 || value.some((v) => breaksPropertyRules(v, depth + 1));
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length > 50 || entries.some(([k, v]) => k === '' || k.length > 100 || notPlain(k, false) || breaksPropertyRules(v, depth + 1));
  }
  return true;
}

function eventRejection(ctx: FuzzContext, c: EventCase, req: Req): Rejection | undefined {
  const auth = authRejection(c.auth);
  if (auth) return auth;
  if (tooBig(req)) return { statuses: [413] };
  if (c.contentType !== 'json') return { statuses: [415] };
  if (c.raw !== undefined) return { statuses: [400] };
  const { body } = ctx.memory.lastEvent as ReturnType<typeof eventBody>;
  let r: Rejection | undefined;
  const add = (...paths: string[]) => (r = merge(r, field400(...paths)));
  const get = (k: string) => body.find(([n]) => n === k)?.[1];
  const eventId = get('eventId');
  if (typeof eventId !== 'string' || eventId.length === 0 || eventId.length > 200) add('eventId');
  const type = get('type');
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) add('type');
  const t = c.target.by;
  if (t === 'none' || t === 'both') add('leadId', 'email', 'customerId', '');
  if (t === 'unknownLead' || t === 'unknownEmail') r = merge(r, { statuses: [404] });
  if (t === 'hostileLeadId' || t === 'hostileEmail' || t === 'customer') r = merge(r, { statuses: [400, 404] });
  if (t === 'hostileLeadId' && (typeof c.target.value !== 'string' || c.target.value === '' || c.target.value.length > 100)) add('leadId');
  if (c.occurredAt !== undefined && !(typeof c.occurredAt === 'string' && isoDateTime.safeParse(c.occurredAt).success)) add('occurredAt');
  const props = c.properties;
  if (props !== undefined && (props === null || typeof props !== 'object' || Array.isArray(props) || props instanceof RawJson)) add('properties');
  else if (props !== undefined && breaksPropertyRules(props)) add('properties');
  if (c.extra && !['eventId', 'type', 'email', 'leadId', 'customerId', 'occurredAt', 'properties'].includes(c.extra[0])) add(c.extra[0]);
  // Mixed faults: a 404 is only right when every field is valid.
  if (r?.paths && r.statuses) r = { statuses: [400], paths: r.paths };
  return r;
}

interface EventBefore {
  leadId?: string;
  state?: string;
  timeline?: number;
  withId?: number;
  eventId: unknown;
}

const eventsRoute: RouteFuzz<EventCase> = {
  name: 'POST /events',
  routeKey: 'POST /events',
  suite: 'admin',
  writes: true,
  cases: () => eventCases,
  request: (ctx, c) => {
    ctx.memory.lastToken = ctx.uniq();
    const built = eventBody(ctx, c);
    ctx.memory.lastEvent = built;
    const type = { json: 'application/json', wrong: 'text/plain', missing: undefined, form: 'application/x-www-form-urlencoded' }[c.contentType];
    const obj = `{${built.body.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
    return { method: 'POST', path: '/events', headers: { ...(type ? { 'content-type': type } : {}), ...bearer(ctx, c.auth) }, body: c.raw ?? obj };
  },
  mustReject: eventRejection,
  before: async (ctx) => {
    const { targetLeadId, eventId } = ctx.memory.lastEvent as ReturnType<typeof eventBody>;
    if (!targetLeadId) return { eventId } satisfies EventBefore;
    return {
      leadId: targetLeadId,
      state: leadState(await leadItem(ctx, targetLeadId)),
      timeline: await timelineCount(ctx, targetLeadId),
      withId: typeof eventId === 'string' && eventId ? await entriesWithEventId(ctx, targetLeadId, eventId) : 0,
      eventId,
    } satisfies EventBefore;
  },
  verify: async (ctx, c, req, res, raw) => {
    const before = raw as EventBefore;
    const out: Violation[] = [];
    if (isRejected(res) && before.leadId) {
      const state = leadState(await leadItem(ctx, before.leadId));
      const timeline = await timelineCount(ctx, before.leadId);
      if (state !== before.state) out.push({ property: PROPERTIES.writesNothing, detail: `rejected event changed lead ${before.leadId}: ${before.state} → ${state}` });
      if (timeline !== before.timeline) out.push({ property: PROPERTIES.writesNothing, detail: `rejected event changed the timeline length of ${before.leadId}: ${before.timeline} → ${timeline}` });
    }
    if (res.status === 202) {
      const eventId = before.eventId as string;
      (ctx.memory.acceptedEventIds ??= []).push(eventId);
      const leadId = res.json?.leadId;
      if (before.leadId && leadId !== before.leadId) out.push({ property: PROPERTIES.stored, detail: `answered leadId ${leadId}, the event was about ${before.leadId}` });
      if (typeof leadId === 'string') {
        const n = await entriesWithEventId(ctx, leadId, eventId);
        if (n !== (before.withId ?? 0) + 1) out.push({ property: PROPERTIES.stored, detail: `accepted event ${JSON.stringify(eventId)} is on the timeline ${n} time(s), expected once` });
        const lead = await leadItem(ctx, leadId);
        if (lead?.score !== res.json?.score) out.push({ property: PROPERTIES.stored, detail: `answered score ${res.json?.score}, stored ${lead?.score}` });
      }
    }
    if (res.status === 200 && res.json?.status === 'duplicate' && !(ctx.memory.acceptedEventIds ?? []).includes(before.eventId))
      out.push({ property: PROPERTIES.stored, detail: `eventId ${JSON.stringify(before.eventId)} was never accepted, yet answered as a duplicate` });
    return out;
  },
};

// ---- GET /leads/{leadId} -----------------------------------------------------------------------------

interface GetLeadCase {
  auth: Auth;
  id: { kind: 'sentinel'; i: number } | { kind: 'unknown' } | { kind: 'garbage'; raw: string };
  query?: string;
}

const getLeadRoute: RouteFuzz<GetLeadCase> = {
  name: 'GET /leads/{leadId}',
  routeKey: 'GET /leads/{leadId}',
  suite: 'admin',
  writes: false,
  cases: () =>
    fc.record(
      {
        auth: authArb,
        id: fc.oneof(
          { arbitrary: fc.record({ kind: fc.constant('sentinel' as const), i: fc.nat(5) }), weight: 3 },
          { arbitrary: fc.constant({ kind: 'unknown' as const }), weight: 1 },
          { arbitrary: fc.record({ kind: fc.constant('garbage' as const), raw: fc.oneof(urlPart, fc.constantFrom('%E0%A4%A', '..', '.', '%2e%2e', 'a%2Fb', '%00', 'L'.repeat(101), 'x'.repeat(5000))) }), weight: 4 },
        ),
        query: fc.option(fc.oneof(urlPart.map((p) => `x=${p}`), fc.constantFrom('', '&', '%E0%A4%A', 'leadId=other')), { freq: 4 }),
      },
      { requiredKeys: ['auth', 'id'] },
    ),
  request: (ctx, c) => {
    const segment = c.id.kind === 'sentinel' ? ctx.sentinels[c.id.i]!.leadId : c.id.kind === 'unknown' ? `nobody-${ctx.uniq()}` : c.id.raw;
    return { method: 'GET', path: `/leads/${segment}${c.query !== undefined && c.query !== null ? `?${c.query}` : ''}`, headers: bearer(ctx, c.auth) };
  },
  // A path with no id segment (`/leads/`, `/leads/a/b`) matches no route: the gateway's 404 comes before any key check.
  mustReject: (_ctx, c, req) =>
    unroutable(req.path, '/leads/') ? { statuses: [404] } : (authRejection(c.auth) ?? (c.id.kind === 'sentinel' ? undefined : { statuses: [400, 404] })),
  verify: async (ctx, c, _req, res) => {
    if (c.auth !== 'key' || c.id.kind !== 'sentinel') return [];
    const s = ctx.sentinels[c.id.i]!;
    if (res.status !== 200 || res.json?.leadId !== s.leadId || res.json?.email !== s.email || !Array.isArray(res.json?.timeline) || 'version' in (res.json ?? {}))
      return [{ property: PROPERTIES.stored, detail: `GET of a stored lead answered ${res.status} ${res.text.slice(0, 200)}` }];
    return [];
  },
};

// ---- GET /leads?stage|owner|limit|cursor -------------------------------------------------------------

type CursorSpec = { kind: 'real' } | { kind: 'forged'; make: number; s: string } | { kind: 'flip'; at: number };
interface ListCase {
  auth: Auth;
  stage?: string;
  owner?: string;
  limit?: string;
  cursor?: CursorSpec;
  unknown?: [string, string];
  repeated?: 'stage' | 'limit' | 'cursor';
  rawGarbage?: string;
}

const CANONICAL_LIMIT = /^[1-9]\d*$/;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

function forgedCursor(ctx: FuzzContext, make: number, s: string): string {
  const real = JSON.parse(Buffer.from(ctx.realCursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  const names = Object.keys(real);
  const makers: Array<() => string> = [
    () => b64(JSON.stringify(Object.fromEntries(names.map((n) => [n, ''])))),
    () => b64(JSON.stringify(Object.fromEntries(names.map((n, i) => [`${s}${i}`, real[n]])))),
    () => b64(JSON.stringify(Object.fromEntries(names.map((n) => [n.toUpperCase(), real[n]])))),
    () => b64(JSON.stringify({ ...real, gsi1pk: 'STAGE#decision' })),
    () => b64(JSON.stringify(Object.fromEntries(names.map((n) => [n, { S: String(real[n]) }])))),
    () => b64(JSON.stringify(Object.fromEntries(names.map((n) => [n, 1e400 as unknown as number])))),
    () => b64(`{${names.map((n) => `"${n}":1e400`).join(',')}}`),
    () => b64(JSON.stringify({ ...real, gsi1sk: '' })),
    () => b64(JSON.stringify({ ...real, x: s })),
    () => b64(JSON.stringify(Object.fromEntries(names.slice(1).map((n) => [n, real[n]])))),
    () => b64('[]'),
    () => b64('null'),
    () => b64(JSON.stringify(s)),
    () => b64('{}'),
    () => b64(s || 'x'),
    () => enc(s || 'x'),
    () => '%E0%A4%A',
    () => 'A'.repeat(2001),
    () => b64(JSON.stringify({ ...real, pk: s, sk: s })),
    () => b64(JSON.stringify({ ...real, gsi1pk: `STAGE#awareness${s || 'x'}` })),
  ];
  return makers[make % makers.length]!();
}
/** How many ways forgedCursor forges (its makers' count). */
const FORGED_MAKERS = 20;

const listCases: fc.Arbitrary<ListCase> = fc
  .record(
    {
      auth: authArb,
      stage: fc.option(fc.oneof({ arbitrary: fc.constantFrom(...STAGES), weight: 4 }, fc.constantFrom('Awareness', 'awareness ', 'bargaining', ''), hostileString), { freq: 5 }),
      owner: fc.option(fc.oneof(fc.constantFrom('unassigned', 'demo-rep', 'nobody'), hostileString), { freq: 3 }),
      limit: fc.option(
        fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: 100 }).map(String), weight: 4 },
          fc.constantFrom('0', '101', '0x10', '1e1', '1e400', '-1', '1.5', ' 16', '16 ', '', '+16', '١٦', 'Infinity', 'NaN', '16abc', '999999999', '2e0', '0b1', '16,16'),
          hostileString,
        ),
        { freq: 2 },
      ),
      cursor: fc.option(
        fc.oneof(
          { arbitrary: fc.constant({ kind: 'real' as const }), weight: 1 },
          { arbitrary: fc.record({ kind: fc.constant('forged' as const), make: fc.nat(19), s: fc.oneof(plainText(6), hostileString) }), weight: 4 },
        ),
        { freq: 2 },
      ),
      unknown: rarely(fc.tuple(fc.oneof(fc.constantFrom('Stage', 'page', 'offset', 'x'), plainText(6)), plainText(6)), 8),
      repeated: rarely(fc.constantFrom('stage' as const, 'limit' as const, 'cursor' as const), 8),
      rawGarbage: rarely(fc.constantFrom(...PERCENT_GARBAGE), 8),
    },
    { requiredKeys: ['auth'] },
  )
  .map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null && v !== undefined)) as unknown as ListCase);

function listParams(ctx: FuzzContext, c: ListCase): Array<[string, string]> {
  const params: Array<[string, string]> = [];
  if (c.stage !== undefined) params.push(['stage', c.stage]);
  if (c.owner !== undefined) params.push(['owner', c.owner]);
  if (c.limit !== undefined) params.push(['limit', c.limit]);
  if (c.cursor) params.push(['cursor', c.cursor.kind === 'real' ? ctx.realCursor : c.cursor.kind === 'forged' ? forgedCursor(ctx, c.cursor.make, c.cursor.s) : flipAt(ctx.realCursor, c.cursor.at)]);
  if (c.unknown && !['stage', 'owner', 'limit', 'cursor'].includes(c.unknown[0])) params.push(c.unknown);
  // Repeated only when the case has that parameter already (a lone "repeat" is just the parameter).
  if (c.repeated && params.some(([k]) => k === c.repeated)) params.push([c.repeated, c.repeated === 'stage' ? 'interest' : c.repeated === 'limit' ? '7' : ctx.realCursor]);
  return params;
}

const listRoute: RouteFuzz<ListCase> = {
  name: 'GET /leads?stage|owner|limit|cursor',
  routeKey: 'GET /leads',
  suite: 'admin',
  writes: false,
  cases: () => listCases,
  request: (ctx, c) => {
    const query = listParams(ctx, c)
      .map(([k, v]) => `${enc(k)}=${v === forgedCursor(ctx, 16, '') ? v : enc(v)}`)
      .concat(c.rawGarbage ? [`limit=${c.rawGarbage}`] : [])
      .join('&');
    return { method: 'GET', path: `/leads${query ? `?${query}` : ''}`, headers: bearer(ctx, c.auth) };
  },
  mustReject: (ctx, c) => {
    const auth = authRejection(c.auth);
    if (auth) return auth;
    let r: Rejection | undefined;
    const add = (...paths: string[]) => (r = merge(r, field400(...paths)));
    const params = listParams(ctx, c);
    const names = params.map(([k]) => k);
    for (const n of new Set(names)) if (!['stage', 'owner', 'limit', 'cursor'].includes(n)) add(n);
    if (c.repeated && names.filter((n) => n === c.repeated).length > 1) add(c.repeated);
    if (c.rawGarbage) add('limit');
    if (c.stage !== undefined && !(STAGES as readonly string[]).includes(c.stage)) add('stage');
    if (c.stage !== undefined && c.owner !== undefined) add('owner', 'stage');
    if (c.stage === undefined && c.owner === undefined) add('stage', 'owner');
    // Owners are rep ids: letters, digits and _.:@+- (README), at most 100 characters.
    if (c.owner !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,99}$/.test(c.owner)) add('owner');
    if (c.limit !== undefined && !(CANONICAL_LIMIT.test(c.limit) && Number(c.limit) <= 100)) add('limit');
    // Only the cursor of a stage=awareness list is ours here: any other cursor, or this one elsewhere, is forged.
    // Maker 3 moves a real lead's key into the decision partition: for a decision list that is a well-formed
    // position in the very partition being read (DynamoDB just continues from it), so it is rightly accepted.
    const wellFormedForDecision = c.cursor?.kind === 'forged' && c.cursor.make % FORGED_MAKERS === 3 && c.stage === 'decision' && c.owner === undefined;
    if (c.cursor?.kind === 'forged' && !wellFormedForDecision) add('cursor');
    if (c.cursor?.kind === 'real' && (c.stage !== 'awareness' || c.owner !== undefined)) add('cursor');
    return r;
  },
  verify: async (_ctx, c, _req, res) => {
    if (res.status !== 200) return [];
    const out: Violation[] = [];
    const items = res.json?.items;
    if (!Array.isArray(items)) return [{ property: PROPERTIES.stored, detail: `a 200 without items: ${res.text.slice(0, 200)}` }];
    const limit = c.limit !== undefined && CANONICAL_LIMIT.test(c.limit) ? Number(c.limit) : 25;
    if (items.length > limit) out.push({ property: PROPERTIES.stored, detail: `${items.length} items for limit ${c.limit}` });
    if (c.stage && items.some((l: any) => l.stage !== c.stage)) out.push({ property: PROPERTIES.stored, detail: `items of another stage in stage=${c.stage}` });
    if (items.some((l: any) => 'version' in l)) out.push({ property: PROPERTIES.stored, detail: 'items carry the internal version' });
    return out;
  },
};

// ---- GET|POST /unsubscribe?token= --------------------------------------------------------------------

type TokenSpec =
  | { kind: 'missing' }
  | { kind: 'empty' }
  | { kind: 'garbage'; raw: string }
  | { kind: 'flip'; i: number; at: number }
  | { kind: 'wrongKey'; i: number }
  | { kind: 'extraDot'; i: number }
  | { kind: 'padded'; i: number }
  | { kind: 'case'; i: number }
  | { kind: 'repeated'; i: number }
  | { kind: 'freshValid' };

interface UnsubscribeCase {
  method: 'GET' | 'POST';
  token: TokenSpec;
  body: 'oneClick' | 'none' | 'garbage';
}

const victim = (ctx: FuzzContext, i: number) => ctx.sentinels[i]!;

async function tokenFor(ctx: FuzzContext, t: TokenSpec): Promise<{ query: string; fresh?: string }> {
  const sign = (leadId: string, key = ctx.signingKey) => signUnsubscribeToken(leadId, key);
  switch (t.kind) {
    case 'missing':
      return { query: '' };
    case 'empty':
      return { query: '?token=' };
    case 'garbage':
      return { query: `?token=${t.raw}` };
    case 'flip':
      return { query: `?token=${enc(flipAt(sign(victim(ctx, t.i).leadId), t.at))}` };
    case 'wrongKey':
      return { query: `?token=${enc(sign(victim(ctx, t.i).leadId, 'not-the-signing-key'))}` };
    case 'extraDot':
      return { query: `?token=${enc(`${sign(victim(ctx, t.i).leadId).split('.')[0]}..${sign(victim(ctx, t.i).leadId).split('.')[1]}`)}` };
    case 'padded':
      return { query: `?token=${enc(`${sign(victim(ctx, t.i).leadId)}=`)}` };
    case 'case': {
      const token = sign(victim(ctx, t.i).leadId);
      return { query: `?token=${enc(token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase())}` };
    }
    case 'repeated':
      return { query: `?token=${enc(sign(victim(ctx, t.i).leadId))}&token=${enc(sign(victim(ctx, t.i).leadId, 'k2'))}` };
    case 'freshValid': {
      const email = `unsub.${ctx.uniq()}@example.com`;
      const res = await send(ctx, { method: 'POST', path: '/leads', headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.apiKey}` }, body: JSON.stringify({ email, consent: true }) });
      const leadId = res.json?.leadId as string;
      return { query: `?token=${enc(sign(leadId))}`, fresh: leadId };
    }
  }
}

/** Where an unsubscribe is kept: the lead's Contact (the person), or before its first write the lead itself. */
async function personOf(ctx: FuzzContext, leadId: string): Promise<Record<string, any> | undefined> {
  const lead = await leadItem(ctx, leadId);
  if (!lead) return undefined;
  const { Item } = await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: keys.contact(lead.email), ConsistentRead: true }));
  return Item ?? lead;
}

const unsubscribeRoute = (method: 'GET' | 'POST'): RouteFuzz<UnsubscribeCase> => ({
  name: `${method} /unsubscribe?token=`,
  routeKey: `${method} /unsubscribe`,
  suite: 'public',
  writes: true,
  cases: () =>
    fc.record({
      method: fc.constant(method),
      token: fc.oneof(
        fc.constant({ kind: 'missing' as const }),
        fc.constant({ kind: 'empty' as const }),
        fc.record({ kind: fc.constant('garbage' as const), raw: urlPart }),
        fc.record({ kind: fc.constant('flip' as const), i: fc.nat(5), at: fc.nat(200) }),
        fc.record({ kind: fc.constant('wrongKey' as const), i: fc.nat(5) }),
        fc.record({ kind: fc.constant('extraDot' as const), i: fc.nat(5) }),
        fc.record({ kind: fc.constant('padded' as const), i: fc.nat(5) }),
        fc.record({ kind: fc.constant('case' as const), i: fc.nat(5) }),
        fc.record({ kind: fc.constant('repeated' as const), i: fc.nat(5) }),
        fc.constant({ kind: 'freshValid' as const }),
      ),
      body: fc.constantFrom('oneClick' as const, 'none' as const, 'garbage' as const),
    }),
  request: async (ctx, c) => {
    const { query, fresh } = await tokenFor(ctx, c.token);
    ctx.memory.freshLead = fresh;
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (c.method === 'POST' && c.body === 'oneClick') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = 'List-Unsubscribe=One-Click';
    } else if (c.method === 'POST' && c.body === 'garbage') {
      headers['content-type'] = 'application/json';
      body = '{"List-Unsubscribe":';
    }
    return { method: c.method, path: `/unsubscribe${query}`, headers, body };
  },
  mustReject: (_ctx, c) => (c.token.kind === 'freshValid' ? undefined : field400('token')),
  verify: async (ctx, c, _req, res) => {
    const fresh = ctx.memory.freshLead as string | undefined;
    if (c.token.kind !== 'freshValid' || !fresh) return [];
    const out: Violation[] = [];
    if (res.status !== 200) out.push({ property: PROPERTIES.stored, detail: `a valid token was answered ${res.status}` });
    else if (c.method === 'POST' && !(await personOf(ctx, fresh))?.suppressed)
      out.push({ property: PROPERTIES.stored, detail: `one-click unsubscribe answered 200 but lead ${fresh} is not suppressed` });
    return out;
  },
});

// ---- routes being added: DELETE /leads/{leadId}, privacy erasure and export, consent confirmation ---

interface TargetedCase {
  auth: Auth;
  target: { kind: 'fresh' } | { kind: 'sentinel'; i: number } | { kind: 'unknown' } | { kind: 'garbage'; raw: string };
  extra?: [string, unknown];
  contentType: 'json' | 'wrong';
}

const targetedCases: fc.Arbitrary<TargetedCase> = fc.record(
  {
    auth: authArb,
    target: fc.oneof(
      { arbitrary: fc.constant({ kind: 'fresh' as const }), weight: 3 },
      fc.record({ kind: fc.constant('sentinel' as const), i: fc.nat(5) }),
      fc.constant({ kind: 'unknown' as const }),
      { arbitrary: fc.record({ kind: fc.constant('garbage' as const), raw: urlPart }), weight: 3 },
    ),
    extra: rarely(fc.tuple(fc.oneof(fc.constant(''), hostileString), jsonish), 6).map((v) => v ?? undefined),
    contentType: fc.oneof({ arbitrary: fc.constant('json' as const), weight: 8 }, fc.constant('wrong' as const)),
  },
  { requiredKeys: ['auth', 'target', 'contentType'] },
);

/** Destructive routes never touch a sentinel with the key: a sentinel is only ever the target of a caller without it. */
const safeTarget = (c: TargetedCase): TargetedCase => (c.target.kind === 'sentinel' && c.auth === 'key' ? { ...c, auth: 'none' } : c);

async function freshLead(ctx: FuzzContext): Promise<{ leadId: string; email: string }> {
  const email = `erase.${ctx.uniq()}@example.com`;
  const res = await send(ctx, { method: 'POST', path: '/leads', headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.apiKey}` }, body: JSON.stringify({ email, firstName: 'Erase' }) });
  return { leadId: res.json?.leadId, email };
}

async function goneVerify(ctx: FuzzContext, c: TargetedCase, res: Res): Promise<Violation[]> {
  const fresh = ctx.memory.fresh as { leadId: string; email: string } | undefined;
  if (c.target.kind !== 'fresh' || c.auth !== 'key' || !fresh || c.extra || c.contentType !== 'json') return [];
  const out: Violation[] = [];
  if (!isAccepted(res)) out.push({ property: PROPERTIES.stored, detail: `erasing a stored lead was answered ${res.status}` });
  const lead = await leadItem(ctx, fresh.leadId);
  if (isAccepted(res) && (await emailIndex(ctx, fresh.email))) out.push({ property: PROPERTIES.stored, detail: `accepted (${res.status}) but the email index of ${fresh.email} remains` });
  if (isAccepted(res) && lead && JSON.stringify(lead).includes(fresh.email)) out.push({ property: PROPERTIES.stored, detail: `accepted (${res.status}) but lead ${fresh.leadId} still holds the email` });
  return out;
}

const deleteLeadRoute: RouteFuzz<TargetedCase> = {
  name: 'DELETE /leads/{leadId}',
  routeKey: 'DELETE /leads/{leadId}',
  suite: 'admin',
  writes: true,
  cases: () => targetedCases.map(safeTarget),
  request: async (ctx, c) => {
    ctx.memory.fresh = c.target.kind === 'fresh' ? await freshLead(ctx) : undefined;
    const id = c.target.kind === 'fresh' ? ctx.memory.fresh.leadId : c.target.kind === 'sentinel' ? ctx.sentinels[c.target.i]!.leadId : c.target.kind === 'unknown' ? `nobody-${ctx.uniq()}` : c.target.raw;
    return { method: 'DELETE', path: `/leads/${id}`, headers: bearer(ctx, c.auth) };
  },
  mustReject: (_ctx, c, req) =>
    unroutable(req.path, '/leads/') ? { statuses: [404] } : (authRejection(c.auth) ?? (c.target.kind === 'fresh' ? undefined : { statuses: [400, 404] })),
  verify: (ctx, c, _req, res) => goneVerify(ctx, { ...c, extra: undefined, contentType: 'json' }, res),
};

const erasureRoute: RouteFuzz<TargetedCase> = {
  name: 'POST /privacy/erasure',
  routeKey: 'POST /privacy/erasure',
  suite: 'admin',
  writes: true,
  cases: () => targetedCases.map(safeTarget),
  request: async (ctx, c) => {
    ctx.memory.fresh = c.target.kind === 'fresh' ? await freshLead(ctx) : undefined;
    const email = c.target.kind === 'fresh' ? ctx.memory.fresh.email : c.target.kind === 'sentinel' ? ctx.sentinels[c.target.i]!.email : c.target.kind === 'unknown' ? `nobody.${ctx.uniq()}@example.com` : c.target.raw;
    const body = `{"email":${JSON.stringify(email)}${c.extra ? `,${JSON.stringify(c.extra[0])}:${toJsonText(c.extra[1])}` : ''}}`;
    return { method: 'POST', path: '/privacy/erasure', headers: { 'content-type': c.contentType === 'json' ? 'application/json' : 'text/plain', ...bearer(ctx, c.auth) }, body };
  },
  mustReject: (_ctx, c, req) => authRejection(c.auth) ?? (tooBig(req) ? { statuses: [413, 415] } : c.contentType === 'wrong' ? { statuses: [415] } : c.extra && c.extra[0] !== 'email' ? field400(c.extra[0]) : undefined),
  verify: (ctx, c, _req, res) => goneVerify(ctx, c, res),
};

const exportRoute: RouteFuzz<TargetedCase> = {
  name: 'GET /privacy/export?email=',
  routeKey: 'GET /privacy/export',
  suite: 'admin',
  writes: false,
  cases: () => targetedCases.filter((c) => c.target.kind !== 'fresh'),
  request: (ctx, c) => {
    const email = c.target.kind === 'sentinel' ? enc(ctx.sentinels[c.target.i]!.email) : c.target.kind === 'unknown' ? enc(`nobody.${ctx.uniq()}@example.com`) : c.target.kind === 'garbage' ? c.target.raw : '';
    return { method: 'GET', path: `/privacy/export?email=${email}`, headers: bearer(ctx, c.auth) };
  },
  mustReject: (_ctx, c) => authRejection(c.auth),
  verify: async (ctx, c, _req, res) => {
    if (c.auth !== 'key' || c.target.kind !== 'sentinel') return [];
    const s = ctx.sentinels[c.target.i]!;
    return res.status === 200 && res.text.includes(s.leadId) ? [] : [{ property: PROPERTIES.stored, detail: `export of a stored lead answered ${res.status} without its leadId` }];
  },
};

interface ConsentCase {
  token: string;
  method?: string;
}

/** The consent-confirmation route (double opt-in), whatever its exact path: forged tokens only. */
const consentRoute: RouteFuzz<ConsentCase> = {
  name: 'consent confirmation',
  routeKey: (keys) => keys.find((k) => /consent/i.test(k)),
  suite: 'public',
  writes: true,
  cases: () =>
    fc.record({
      token: fc.oneof(urlPart, fc.constantFrom('', '%E0%A4%A', 'a.b', 'a..b'), fc.tuple(fc.nat(5), fc.nat(200)).map(([i, at]) => `S${i}:${at}`)),
    }),
  request: (ctx, c) => {
    const key = ctx.routeKeys.find((k) => /consent/i.test(k))!;
    const [method, template] = key.split(' ') as [string, string];
    const m = /^S(\d):(\d+)$/.exec(c.token);
    const token = m ? enc(flipAt(signUnsubscribeToken(ctx.sentinels[Number(m[1])]!.leadId, ctx.signingKey), Number(m[2]))) : c.token;
    const path = template.replace(/\{[^}]+\}/g, token || 'x');
    const headers: Record<string, string> = method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {};
    return { method, path: `${path}?token=${token}`, headers, body: method === 'POST' ? '' : undefined };
  },
  mustReject: () => ({ statuses: [400, 404] }),
};

// ---- the rep routes: POST /reps, GET /reps/{repId}, GET /reps?status=, progress, sign-off, status ----

type RepTarget = { kind: 'fresh' } | { kind: 'known'; i: number } | { kind: 'unknown' } | { kind: 'garbage'; raw: string };
const repTargetArb: fc.Arbitrary<RepTarget> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'fresh' as const }), weight: 4 },
  fc.record({ kind: fc.constant('known' as const), i: fc.nat(2) }),
  fc.constant({ kind: 'unknown' as const }),
  { arbitrary: fc.record({ kind: fc.constant('garbage' as const), raw: urlPart }), weight: 2 },
);
/** Writing with the key to a shared rep would change it for the other cases: those go to a fresh one. */
const safeRep = <C extends { auth: Auth; target: RepTarget }>(c: C): C => (c.target.kind === 'known' && c.auth === 'key' ? { ...c, target: { kind: 'fresh' } } : c);
const SDR_MODULES = ['company-and-product', 'ideal-customer-profile', 'sales-flow-playbook', 'product-certification-quiz', 'cold-outreach', 'discovery-questions', 'qualification-quiz', 'shadow-discovery-calls', 'cold-call-roleplay'];
const REP_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,99}$/;
const jsonHeaders = (ctx: FuzzContext, auth: Auth, contentType: 'json' | 'wrong' = 'json') => ({ 'content-type': contentType === 'json' ? 'application/json' : 'text/plain', ...bearer(ctx, auth) });

async function createRep(ctx: FuzzContext, name: string): Promise<{ repId: string; email: string }> {
  const email = `${name}.${ctx.uniq()}@example.com`;
  const res = await send(ctx, { method: 'POST', path: '/reps', headers: jsonHeaders(ctx, 'key'), body: JSON.stringify({ email, firstName: 'Fuzz', lastName: name, role: 'sdr', managerEmail: 'boss@example.com' }) });
  if (res.status !== 201) throw new Error(`fuzz setup: could not create a rep (${res.status} ${res.text})`);
  return { repId: res.json.repId, email };
}
/** Three reps only ever read (or written to without the key), created once per suite. */
async function knownReps(ctx: FuzzContext): Promise<Array<{ repId: string; email: string }>> {
  ctx.memory.knownReps ??= await Promise.all([0, 1, 2].map((i) => createRep(ctx, `known${i}`)));
  return ctx.memory.knownReps;
}
async function repSegment(ctx: FuzzContext, t: RepTarget): Promise<string> {
  ctx.memory.repId = undefined;
  if (t.kind === 'garbage') return t.raw;
  if (t.kind === 'unknown') return `rep_nobody${ctx.uniq()}`;
  const rep = t.kind === 'fresh' ? await createRep(ctx, 'fresh') : (await knownReps(ctx))[t.i]!;
  ctx.memory.repId = rep.repId;
  return rep.repId;
}
/** A path with an empty segment matches no route: the gateway's 404 before any key check. */
const emptySegment = (path: string) => path.split('?')[0]!.split('/').slice(1).some((s) => s === '');
/** What the path alone says: no route, no key, no such rep (a garbage id is either refused or unknown). */
function repPathRejection(c: { auth: Auth; target: RepTarget }, req: Req): Rejection | undefined {
  if (emptySegment(req.path)) return { statuses: [404] };
  if (c.auth !== 'key') return c.target.kind === 'garbage' ? { statuses: [401, 403, 404] } : authRejection(c.auth);
  return undefined;
}
/** The rep's module progress as stored (not its version: the rep's own run writes that meanwhile). */
async function repProgress(ctx: FuzzContext, repId: string | undefined): Promise<string | undefined> {
  if (!repId) return undefined;
  const item = (await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: { pk: `REP#${repId}`, sk: 'PROFILE' }, ConsistentRead: true }))).Item;
  return item && JSON.stringify({ status: item.status, signOff: item.signOff, modules: (item.modules ?? []).map((m: any) => [m.moduleId, m.status, m.attempts, m.attemptIds]) });
}
const repUnchanged = async (ctx: FuzzContext, res: Res, before: unknown): Promise<Violation[]> =>
  isRejected(res) && ctx.memory.repId && before !== (await repProgress(ctx, ctx.memory.repId))
    ? [{ property: PROPERTIES.writesNothing, detail: `rejected (${res.status}) but rep ${ctx.memory.repId} changed` }]
    : [];

/** One body field: valid, absent or one of its known-bad values. */
type FieldSpec = { kind: 'valid' } | { kind: 'absent' } | { kind: 'bad'; value: unknown };
const field = (bad: fc.Arbitrary<unknown>, optional: boolean) =>
  fc.oneof(
    { arbitrary: fc.constant<FieldSpec>({ kind: 'valid' }), weight: 6 },
    { arbitrary: fc.constant<FieldSpec>({ kind: optional ? 'absent' : 'valid' }), weight: 2 },
    { arbitrary: bad.map((value): FieldSpec => ({ kind: 'bad', value })), weight: 2 },
  );
const badText = (max: number) => fc.oneof(notAString, fc.constantFrom('', '   ', 'a\u0000b', 'a\u202eb', 'a\nb', '\ud800', 'x'.repeat(max + 1)));
const extraArb = rarely(fc.tuple(fc.oneof(fc.constantFrom('admin', 'status', 'repId', '__proto__'), plainText(8)), jsonish), 8);

interface RepBodyCase {
  auth: Auth;
  contentType: 'json' | 'wrong';
  raw?: string;
  fields: Record<string, FieldSpec>;
  extra?: [string, unknown] | null;
}
function bodyOf(c: RepBodyCase, valid: Record<string, unknown>): string {
  if (c.raw !== undefined) return c.raw;
  const entries = Object.entries(valid).flatMap(([k, v]) => {
    const f = c.fields[k] ?? { kind: 'valid' };
    return f.kind === 'absent' ? [] : [[k, f.kind === 'bad' ? f.value : v] as [string, unknown]];
  });
  if (c.extra && !Object.hasOwn(valid, c.extra[0])) entries.push(c.extra);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
}
/** The body's own faults: size, type, JSON, then each bad or missing field (and an unknown one) by name. */
function bodyRejection(c: RepBodyCase, req: Req, required: string[], known: string[]): Rejection | undefined {
  if (tooBig(req)) return { statuses: [413, 415] };
  // An empty body is an empty object whatever its type: every required field is missing.
  if (req.body === '') return required.length ? field400(...required) : undefined;
  if (c.contentType !== 'json') return { statuses: [415] };
  if (c.raw !== undefined) return { statuses: [400] };
  let r: Rejection | undefined;
  for (const [k, f] of Object.entries(c.fields)) if (f.kind === 'bad' || (f.kind === 'absent' && required.includes(k))) r = merge(r, field400(k));
  if (c.extra && !known.includes(c.extra[0])) r = merge(r, field400(c.extra[0]));
  return r;
}
const rawBody = rarely(brokenJsonText, 12);
const contentTypeArb = fc.oneof({ arbitrary: fc.constant('json' as const), weight: 10 }, fc.constant('wrong' as const));
const bodyCase = <F extends Record<string, fc.Arbitrary<FieldSpec>>>(fields: F) => ({ auth: authArb, contentType: contentTypeArb, raw: rawBody, fields: fc.record(fields), extra: extraArb });
// fc.option gives null for "absent"; the cases want the key left out.
const clean = (c: object): any => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null && v !== undefined));

// POST /reps

const REP_FIELDS = ['email', 'firstName', 'lastName', 'role', 'managerEmail', 'startDate', 'timeZone'];
const badEmail = fc.oneof(notAString, fc.constantFrom('', 'not-an-email', 'a@', '@b.example', 'a b@example.com', `${'x'.repeat(300)}@example.com`, 'a\u0000@example.com'));
const createRepRoute: RouteFuzz<RepBodyCase & { known: boolean }> = {
  name: 'POST /reps',
  routeKey: 'POST /reps',
  suite: 'admin',
  writes: true,
  cases: () =>
    fc
      .record({
        ...bodyCase({
          email: field(badEmail, false),
          firstName: field(badText(100), false),
          lastName: field(badText(100), false),
          role: field(fc.oneof(notAString, fc.constantFrom('boss', 'SDR', '', 'sdr ')), false),
          managerEmail: field(badEmail, false),
          startDate: field(fc.oneof(notAString, fc.constantFrom('2026-02-30', '2026-3-2', 'tomorrow', '', '2026-03-02T00:00:00Z')), true),
          timeZone: field(fc.oneof(notAString, fc.constantFrom('Mars/Olympus', '../etc/passwd', '', 'x'.repeat(65), 'Europe/Berlin\u0000')), true),
        }),
        known: fc.boolean(),
      })
      .map(clean),
  request: async (ctx, c) => {
    const email = c.known ? (await knownReps(ctx))[0]!.email : `rep.${ctx.uniq()}@example.com`;
    ctx.memory.repEmail = email;
    const valid = { email, firstName: 'Fuzz', lastName: 'Rep', role: 'ae', managerEmail: 'boss@example.com', startDate: '2026-03-02', timeZone: 'Europe/Berlin' };
    return { method: 'POST', path: '/reps', headers: jsonHeaders(ctx, c.auth, c.contentType), body: bodyOf(c, valid) };
  },
  mustReject: (_ctx, c, req) => authRejection(c.auth) ?? bodyRejection(c, req, ['email', 'firstName', 'lastName', 'role', 'managerEmail'], REP_FIELDS),
  verify: async (ctx, c, _req, res) => {
    if (!isAccepted(res)) return [];
    const out: Violation[] = [];
    const expected = c.known ? 200 : 201;
    // A known email answers the same rep; a fresh one is created.
    if (res.status !== expected) out.push({ property: PROPERTIES.stored, detail: `a ${c.known ? 'known' : 'new'} email answered ${res.status}` });
    const rep = await send(ctx, { method: 'GET', path: `/reps/${enc(String(res.json?.repId))}`, headers: bearer(ctx, 'key') });
    if (rep.status !== 200 || rep.json?.email !== String(ctx.memory.repEmail).toLowerCase() || 'version' in (rep.json ?? {}))
      out.push({ property: PROPERTIES.stored, detail: `the rep answered is not found as stored: ${rep.status} ${rep.text.slice(0, 200)}` });
    return out;
  },
};

// GET /reps/{repId}

interface RepReadCase {
  auth: Auth;
  target: RepTarget;
}
const getRepRoute: RouteFuzz<RepReadCase> = {
  name: 'GET /reps/{repId}',
  routeKey: 'GET /reps/{repId}',
  suite: 'admin',
  writes: false,
  cases: () => fc.record({ auth: authArb, target: repTargetArb.filter((t) => t.kind !== 'fresh') }),
  request: async (ctx, c) => ({ method: 'GET', path: `/reps/${await repSegment(ctx, c.target)}`, headers: bearer(ctx, c.auth) }),
  mustReject: (_ctx, c, req) => repPathRejection(c, req) ?? (c.target.kind === 'known' ? undefined : { statuses: [400, 404] }),
  verify: async (ctx, c, _req, res) => {
    if (c.auth !== 'key' || c.target.kind !== 'known') return [];
    const { repId } = (await knownReps(ctx))[c.target.i]!;
    return res.status === 200 && res.json?.repId === repId && Array.isArray(res.json?.modules) && Array.isArray(res.json?.timeline) && !('version' in res.json)
      ? []
      : [{ property: PROPERTIES.stored, detail: `GET of a stored rep answered ${res.status} ${res.text.slice(0, 200)}` }];
  },
};

// GET /reps?status=&limit=&cursor=

interface RepListCase {
  auth: Auth;
  status?: string;
  limit?: string;
  cursor?: { kind: 'real' } | { kind: 'forged'; make: number; s: string };
  unknown?: [string, string];
  repeated?: 'status' | 'limit' | 'cursor';
}
async function repCursor(ctx: FuzzContext): Promise<string> {
  await knownReps(ctx);
  if (!ctx.memory.repCursor) {
    const page = await send(ctx, { method: 'GET', path: '/reps?status=onboarding&limit=1', headers: bearer(ctx, 'key') });
    ctx.memory.repCursor = page.json?.cursor;
    if (!ctx.memory.repCursor) throw new Error(`fuzz setup: no rep cursor (${page.status} ${page.text})`);
  }
  return ctx.memory.repCursor;
}
function forgedRepCursor(real: string, make: number, s: string): string {
  const key = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as Record<string, string>;
  const makers: Array<() => string> = [
    () => b64(JSON.stringify({ ...key, gsi1pk: 'REPS#active' })),
    () => b64(JSON.stringify({ ...key, gsi1pk: 'STAGE#awareness' })),
    () => b64(JSON.stringify({ ...key, pk: `LEAD#${s}` })),
    () => b64(JSON.stringify({ ...key, sk: 'TIMELINE' })),
    () => b64(JSON.stringify({ ...key, x: s })),
    () => b64(JSON.stringify({ ...key, gsi1sk: '' })),
    () => b64(JSON.stringify({ ...key, gsi1sk: `${key.gsi1sk}x` })),
    () => b64(JSON.stringify(Object.fromEntries(Object.entries(key).map(([k, v]) => [k, { S: v }])))),
    () => b64('[]'),
    () => b64('null'),
    () => b64(JSON.stringify(s)),
    () => b64('{}'),
    () => flipAt(real, s.length),
    () => 'A'.repeat(2001),
    () => enc(s || 'x'),
  ];
  return makers[make % makers.length]!();
}
/** How many ways forgedRepCursor forges (its makers' count). */
const FORGED_REP_MAKERS = 15;
const REP_STATUS_VALUES = ['onboarding', 'active', 'inactive', 'lapsed'];
const repListRoute: RouteFuzz<RepListCase> = {
  name: 'GET /reps?status|limit|cursor',
  routeKey: 'GET /reps',
  suite: 'admin',
  writes: false,
  cases: () =>
    fc
      .record({
        auth: authArb,
        status: fc.option(fc.oneof({ arbitrary: fc.constantFrom(...REP_STATUS_VALUES), weight: 4 }, fc.constantFrom('Active', 'active ', 'boss', ''), hostileString), { freq: 5 }),
        limit: fc.option(fc.oneof({ arbitrary: fc.integer({ min: 1, max: 100 }).map(String), weight: 4 }, fc.constantFrom('0', '101', '0x10', '1e1', '-1', '1.5', ' 16', '', '+16', 'NaN'), hostileString), { freq: 2 }),
        cursor: fc.option(fc.oneof({ arbitrary: fc.constant({ kind: 'real' as const }), weight: 2 }, { arbitrary: fc.record({ kind: fc.constant('forged' as const), make: fc.nat(14), s: fc.oneof(plainText(6), hostileString) }), weight: 3 }), { freq: 2 }),
        unknown: fc.option(fc.tuple(fc.constantFrom('page', 'offset', 'Status', 'stage'), plainText(6)), { freq: 8 }),
        repeated: fc.option(fc.constantFrom('status' as const, 'limit' as const, 'cursor' as const), { freq: 8 }),
      })
      .map(clean),
  request: async (ctx, c) => {
    const real = await repCursor(ctx);
    const params: Array<[string, string]> = [];
    if (c.status !== undefined) params.push(['status', c.status]);
    if (c.limit !== undefined) params.push(['limit', c.limit]);
    if (c.cursor) params.push(['cursor', c.cursor.kind === 'real' ? real : forgedRepCursor(real, c.cursor.make, c.cursor.s)]);
    if (c.unknown) params.push(c.unknown);
    if (c.repeated && params.some(([k]) => k === c.repeated)) params.push([c.repeated, c.repeated === 'status' ? 'active' : c.repeated === 'limit' ? '7' : real]);
    ctx.memory.repListParams = params;
    const query = params.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
    return { method: 'GET', path: `/reps${query ? `?${query}` : ''}`, headers: bearer(ctx, c.auth) };
  },
  mustReject: (ctx, c) => {
    const auth = authRejection(c.auth);
    if (auth) return auth;
    const params = ctx.memory.repListParams as Array<[string, string]>;
    let r: Rejection | undefined;
    const add = (...paths: string[]) => (r = merge(r, field400(...paths)));
    const names = params.map(([k]) => k);
    if (c.unknown) add(c.unknown[0]);
    if (c.repeated && names.filter((n) => n === c.repeated).length > 1) add(c.repeated);
    if (c.status !== undefined && !REP_STATUS_VALUES.includes(c.status)) add('status');
    if (c.limit !== undefined && !(CANONICAL_LIMIT.test(c.limit) && Number(c.limit) <= 100)) add('limit');
    // The real cursor is of the onboarding list (the default status is active): anywhere else it is forged —
    // except maker 0, which moves it into the active partition: for the active list (the default) that is a
    // well-formed position in the very partition being read, rightly accepted.
    const wellFormedForActive = c.cursor?.kind === 'forged' && c.cursor.make % FORGED_REP_MAKERS === 0 && (c.status ?? 'active') === 'active';
    if (c.cursor?.kind === 'forged' && !wellFormedForActive) add('cursor');
    if (c.cursor?.kind === 'real' && c.status !== 'onboarding') add('cursor');
    return r;
  },
  verify: async (_ctx, c, _req, res) => {
    if (res.status !== 200) return [];
    const items = res.json?.items;
    if (!Array.isArray(items)) return [{ property: PROPERTIES.stored, detail: `a 200 without items: ${res.text.slice(0, 200)}` }];
    const limit = c.limit !== undefined ? Number(c.limit) : 25;
    const status = c.status ?? 'active';
    const out: Violation[] = [];
    if (items.length > limit) out.push({ property: PROPERTIES.stored, detail: `${items.length} items for limit ${c.limit}` });
    if (items.some((r: any) => r.status !== status || 'version' in r)) out.push({ property: PROPERTIES.stored, detail: `items of another status than ${status}, or with the internal version` });
    return out;
  },
};

// POST /reps/{repId}/modules/{moduleId}/completions, POST /reps/{repId}/modules/{moduleId}/reset

type ModuleSpec = 'open' | 'blocked' | 'unknown' | { garbage: string };
const moduleArb: fc.Arbitrary<ModuleSpec> = fc.oneof(
  { arbitrary: fc.constant<ModuleSpec>('open'), weight: 5 },
  fc.constant<ModuleSpec>('blocked'),
  fc.constant<ModuleSpec>('unknown'),
  urlPart.map((garbage): ModuleSpec => ({ garbage })),
);
const moduleSegment = (m: ModuleSpec) => (m === 'open' ? 'company-and-product' : m === 'blocked' ? 'product-certification-quiz' : m === 'unknown' ? 'no-such-module' : m.garbage);
/** Where the rep or the module is not there: 404; a blocked quiz: 409 naming what is missing. */
function targetRejection(target: RepTarget, module: ModuleSpec, blocked: Rejection | undefined): Rejection | undefined {
  if (target.kind === 'garbage' || typeof module === 'object') return { statuses: [400, 404] };
  if (target.kind === 'unknown' || module === 'unknown') return { statuses: [404] };
  return module === 'blocked' ? blocked : undefined;
}
/**
 * A 404 or 409 is only right when every field is valid; with a bad field the 400 comes first. A
 * garbage id is refused as no such rep before the body's fields are read (but after its JSON is).
 */
function bodyFirst(body: Rejection | undefined, target: Rejection | undefined): Rejection | undefined {
  if (target?.statuses?.includes(400)) return { statuses: [...new Set([...(body?.statuses ?? []), ...target.statuses])] };
  return body ?? target;
}

interface CompletionCase extends RepBodyCase {
  target: RepTarget;
  module: ModuleSpec;
  repeat: boolean;
}
const completionRoute: RouteFuzz<CompletionCase> = {
  name: 'POST /reps/{repId}/modules/{moduleId}/completions',
  routeKey: 'POST /reps/{repId}/modules/{moduleId}/completions',
  suite: 'admin',
  writes: true,
  cases: () =>
    fc
      .record({
        ...bodyCase({
          attemptId: field(badText(200), false),
          score: field(fc.oneof(fc.constantFrom(-1, 100.5, 101, '90', null, true, [], {}), rawNumber.filter((t) => !['0.1', '17', '-0', '1E5', '1e-400', '4.9e-324', '1e-130'].includes(t)).map((t) => new RawJson(t))), true),
          completedAt: field(fc.oneof(notAString, fc.constantFrom('yesterday', '2026-03-02', '', '2026-13-01T00:00:00Z')), true),
        }),
        target: repTargetArb,
        module: moduleArb,
        repeat: fc.boolean(),
      })
      .map((c) => safeRep(clean(c))),
  request: async (ctx, c) => {
    const rep = await repSegment(ctx, c.target);
    ctx.memory.attemptId = `attempt-${ctx.uniq()}`;
    const valid = { attemptId: ctx.memory.attemptId, score: 90, completedAt: '2026-01-02T03:04:05Z' };
    return { method: 'POST', path: `/reps/${rep}/modules/${moduleSegment(c.module)}/completions`, headers: jsonHeaders(ctx, c.auth, c.contentType), body: bodyOf(c, valid) };
  },
  mustReject: (_ctx, c, req) =>
    repPathRejection(c, req) ??
    bodyFirst(bodyRejection(c, req, ['attemptId'], ['attemptId', 'score', 'completedAt']), targetRejection(c.target, c.module, { statuses: [409] })),
  before: (ctx) => repProgress(ctx, ctx.memory.repId),
  verify: async (ctx, c, req, res, before) => {
    const out = await repUnchanged(ctx, res, before);
    if (res.status === 409 && !/ideal-customer-profile|sales-flow-playbook/.test(res.json?.message ?? '')) out.push({ property: PROPERTIES.stored, detail: `a 409 that names no missing module: ${res.text.slice(0, 200)}` });
    if (!isAccepted(res) || !ctx.memory.repId) return out;
    if (res.status !== 201 || res.json?.outcome !== 'passed' || res.json?.module?.status !== 'passed')
      out.push({ property: PROPERTIES.stored, detail: `a first completion of an open reading answered ${res.status} ${res.text.slice(0, 200)}` });
    if (c.repeat) {
      // The same attemptId again: 200, a duplicate, and nothing changes.
      const progress = await repProgress(ctx, ctx.memory.repId);
      const again = await send(ctx, req);
      if (again.status !== 200 || again.json?.outcome !== 'duplicate') out.push({ property: PROPERTIES.stored, detail: `a repeated attemptId answered ${again.status} ${again.text.slice(0, 200)}` });
      if ((await repProgress(ctx, ctx.memory.repId)) !== progress) out.push({ property: PROPERTIES.stored, detail: 'a repeated attemptId changed the rep' });
    }
    return out;
  },
};

interface ResetCase {
  auth: Auth;
  target: RepTarget;
  module: ModuleSpec;
}
const resetRoute: RouteFuzz<ResetCase> = {
  name: 'POST /reps/{repId}/modules/{moduleId}/reset',
  routeKey: 'POST /reps/{repId}/modules/{moduleId}/reset',
  suite: 'admin',
  writes: true,
  cases: () => fc.record({ auth: authArb, target: repTargetArb, module: moduleArb }).map(safeRep),
  request: async (ctx, c) => ({ method: 'POST', path: `/reps/${await repSegment(ctx, c.target)}/modules/${moduleSegment(c.module)}/reset`, headers: bearer(ctx, c.auth) }),
  // Resetting a module that is open (even one not reachable yet) is harmless: fresh attempts.
  mustReject: (_ctx, c, req) => repPathRejection(c, req) ?? targetRejection(c.target, c.module, undefined),
  before: (ctx) => repProgress(ctx, ctx.memory.repId),
  verify: async (ctx, _c, _req, res, before) => {
    const out = await repUnchanged(ctx, res, before);
    if (isAccepted(res) && ctx.memory.repId && !(res.status === 200 && res.json?.module?.status === 'open' && res.json?.module?.attempts === 0))
      out.push({ property: PROPERTIES.stored, detail: `a reset answered ${res.status} ${res.text.slice(0, 200)}` });
    return out;
  },
};

// POST /reps/{repId}/signoff

interface SignOffCase extends RepBodyCase {
  target: RepTarget;
  decision: 'approve' | 'reject';
}
const signOffRoute: RouteFuzz<SignOffCase> = {
  name: 'POST /reps/{repId}/signoff',
  routeKey: 'POST /reps/{repId}/signoff',
  suite: 'admin',
  writes: true,
  cases: () =>
    fc
      .record({
        ...bodyCase({
          decision: field(fc.oneof(notAString, fc.constantFrom('maybe', 'APPROVE', '')), false),
          by: field(badText(200), false),
          notes: field(fc.oneof(notAString, fc.constantFrom('a\u0000b', 'a\u202eb', '\ud800', 'x'.repeat(2001))), true),
          reopen: field(fc.oneof(fc.constantFrom('cold-call-roleplay', ['no-such-module'], [''], ['a/b'], null, {}), fc.constant(Array.from({ length: 51 }, () => 'company-and-product'))), true),
        }),
        target: repTargetArb,
        decision: fc.constantFrom('approve' as const, 'reject' as const),
      })
      .map((c) => safeRep(clean(c))),
  request: async (ctx, c) => {
    const rep = await repSegment(ctx, c.target);
    const valid = { decision: c.decision, by: 'Fuzz Manager', notes: 'Line one\nline two', reopen: ['cold-call-roleplay', 'company-and-product'] };
    return { method: 'POST', path: `/reps/${rep}/signoff`, headers: jsonHeaders(ctx, c.auth, c.contentType), body: bodyOf(c, valid) };
  },
  mustReject: (_ctx, c, req) => {
    const path = repPathRejection(c, req);
    if (path) return path;
    const body = bodyRejection(c, req, ['decision', 'by'], ['decision', 'by', 'notes', 'reopen']);
    // A fresh rep has passed nothing: an approval is refused (409); a rejection reopens what it names.
    const target = c.target.kind === 'garbage' ? { statuses: [400, 404] } : c.target.kind === 'unknown' ? { statuses: [404] } : c.decision === 'approve' || c.fields.decision?.kind === 'bad' ? { statuses: [409] } : undefined;
    return bodyFirst(body, target);
  },
  before: (ctx) => repProgress(ctx, ctx.memory.repId),
  verify: (ctx, _c, _req, res, before) => repUnchanged(ctx, res, before),
};

// POST /reps/{repId}/status

interface RepStatusCase extends RepBodyCase {
  target: RepTarget;
}
const repStatusRoute: RouteFuzz<RepStatusCase> = {
  name: 'POST /reps/{repId}/status',
  routeKey: 'POST /reps/{repId}/status',
  suite: 'admin',
  writes: true,
  cases: () =>
    fc
      .record({ ...bodyCase({ status: field(fc.oneof(notAString, fc.constantFrom('active', 'lapsed', 'onboarding', 'Inactive', '')), false) }), target: repTargetArb })
      .map((c) => safeRep(clean(c))),
  request: async (ctx, c) => {
    const rep = await repSegment(ctx, c.target);
    return { method: 'POST', path: `/reps/${rep}/status`, headers: jsonHeaders(ctx, c.auth, c.contentType), body: bodyOf(c, { status: 'inactive' }) };
  },
  mustReject: (_ctx, c, req) =>
    repPathRejection(c, req) ?? bodyFirst(bodyRejection(c, req, ['status'], ['status']), c.target.kind === 'garbage' ? { statuses: [400, 404] } : c.target.kind === 'unknown' ? { statuses: [404] } : undefined),
  before: (ctx) => repProgress(ctx, ctx.memory.repId),
  verify: async (ctx, _c, _req, res, before) => {
    const out = await repUnchanged(ctx, res, before);
    if (isAccepted(res) && ctx.memory.repId && !(res.status === 200 && res.json?.status === 'inactive' && res.json?.changed === true))
      out.push({ property: PROPERTIES.stored, detail: `deactivating a fresh rep answered ${res.status} ${res.text.slice(0, 200)}` });
    return out;
  },
};

// ---- customers ---------------------------------------------------------------------------------------

/** Customers made once per suite (a lead captured with the key, then bought): the customer routes' known targets. */
async function knownCustomers(ctx: FuzzContext): Promise<Array<{ customerId: string; leadId: string }>> {
  if (!ctx.memory.customers) {
    const made: Array<{ customerId: string; leadId: string }> = [];
    for (let i = 0; i < 2; i++) {
      const email = `customer.${ctx.uniq()}@example.com`;
      const captured = await send(ctx, { method: 'POST', path: '/leads', headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.apiKey}` }, body: JSON.stringify({ email, consent: true }) });
      const leadId = captured.json?.leadId as string;
      const bought = await send(ctx, {
        method: 'POST',
        path: '/events',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.apiKey}` },
        body: JSON.stringify({ eventId: `${leadId}-buy`, type: 'purchased', leadId, properties: { plan: 'Growth', termMonths: 12 } }),
      });
      if (bought.status !== 202) throw new Error(`fuzz setup: no customer (${captured.status} ${bought.status} ${bought.text})`);
      made.push({ customerId: `cus-${leadId}`, leadId });
    }
    ctx.memory.customers = made;
  }
  return ctx.memory.customers;
}

type CustomerTarget = { kind: 'known'; i: number } | { kind: 'unknown' } | { kind: 'lead'; i: number } | { kind: 'garbage'; raw: string };
const customerTargetArb: fc.Arbitrary<CustomerTarget> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('known' as const), i: fc.nat(1) }), weight: 3 },
  fc.constant({ kind: 'unknown' as const }),
  fc.record({ kind: fc.constant('lead' as const), i: fc.nat(5) }),
  { arbitrary: fc.record({ kind: fc.constant('garbage' as const), raw: fc.oneof(urlPart, fc.constantFrom('%E0%A4%A', '..', '%2e%2e', 'a%2Fb', '%00', 'c'.repeat(121), 'x'.repeat(5000))) }), weight: 3 },
);
async function customerSegment(ctx: FuzzContext, t: CustomerTarget): Promise<string> {
  switch (t.kind) {
    case 'known':
      return (await knownCustomers(ctx))[t.i]!.customerId;
    case 'unknown':
      return `cus-nobody-${ctx.uniq()}`;
    case 'lead': // a lead that is no customer: its id, and the customer id it would have
      return t.i % 2 ? ctx.sentinels[t.i]!.leadId : `cus-${ctx.sentinels[t.i]!.leadId}`;
    case 'garbage':
      return t.raw;
  }
}

interface CustomerReadCase {
  auth: Auth;
  target: CustomerTarget;
}
const getCustomerRoute: RouteFuzz<CustomerReadCase> = {
  name: 'GET /customers/{customerId}',
  routeKey: 'GET /customers/{customerId}',
  suite: 'admin',
  writes: false,
  cases: () => fc.record({ auth: authArb, target: customerTargetArb }),
  request: async (ctx, c) => ({ method: 'GET', path: `/customers/${await customerSegment(ctx, c.target)}`, headers: bearer(ctx, c.auth) }),
  // A path with no id segment matches no route: the gateway's 404 comes before any key check.
  mustReject: (_ctx, c, req) =>
    unroutable(req.path, '/customers/') ? { statuses: [404] } : (authRejection(c.auth) ?? (c.target.kind === 'known' ? undefined : { statuses: [400, 404] })),
  verify: async (ctx, c, _req, res) => {
    if (c.auth !== 'key' || c.target.kind !== 'known') return [];
    const { customerId } = (await knownCustomers(ctx))[c.target.i]!;
    const customer = res.json?.customer;
    return res.status === 200 && customer?.customerId === customerId && customer?.plan === 'Growth' && Array.isArray(res.json?.timeline) && !('version' in customer)
      ? []
      : [{ property: PROPERTIES.stored, detail: `GET of a stored customer answered ${res.status} ${res.text.slice(0, 200)}` }];
  },
};

// ---- GET|POST /nps (the survey's score links) ----------------------------------------------------------

type SurveyTokenSpec =
  | { kind: 'missing' }
  | { kind: 'empty' }
  | { kind: 'garbage'; raw: string }
  | { kind: 'flip'; i: number; at: number }
  | { kind: 'wrongKey'; i: number }
  | { kind: 'unsubscribeToken'; i: number }
  | { kind: 'valid'; i: number }
  | { kind: 'validUnknown' };

interface NpsCase {
  method: 'GET' | 'POST';
  token: SurveyTokenSpec;
  score?: string;
  comment?: string;
  encoding: 'form' | 'json' | 'wrong';
}

const NPS_SCORE = /^(10|[0-9])$/;
const surveyTokenValid = (t: SurveyTokenSpec) => t.kind === 'valid' || t.kind === 'validUnknown';

/** The token text (not yet encoded); a valid one is signed for a fresh survey, so a POST of it is a new answer. */
async function surveyToken(ctx: FuzzContext, t: SurveyTokenSpec): Promise<{ token?: string; customerId?: string; surveyId?: string }> {
  const surveyId = `fz#${ctx.uniq()}`;
  const known = async (i: number) => (await knownCustomers(ctx))[i % 2]!.customerId;
  switch (t.kind) {
    case 'missing':
      return {};
    case 'empty':
      return { token: '' };
    case 'garbage':
      return { token: decodeURIComponentSafe(t.raw) };
    case 'flip':
      return { token: flipAt(signSurveyToken(await known(t.i), surveyId, ctx.signingKey), t.at) };
    case 'wrongKey':
      return { token: signSurveyToken(await known(t.i), surveyId, 'not-the-signing-key') };
    case 'unsubscribeToken': // another link's token, signed with the same key: never a survey token
      return { token: signUnsubscribeToken(ctx.sentinels[t.i]!.leadId, ctx.signingKey) };
    case 'valid': {
      const customerId = await known(t.i);
      return { token: signSurveyToken(customerId, surveyId, ctx.signingKey), customerId, surveyId };
    }
    case 'validUnknown':
      return { token: signSurveyToken(`cus-nobody-${ctx.uniq()}`, surveyId, ctx.signingKey) };
  }
}
function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The comment as the handler reads it (a form sends lone surrogates as U+FFFD), and whether it must be refused. */
function commentRefused(c: NpsCase): boolean {
  if (c.comment === undefined) return false;
  const seen = (c.encoding === 'form' ? asSentText(c.comment) : c.comment).trim();
  return seen.length > 2000 || plainTextProblem(seen, true) !== undefined;
}
const asSentText = (s: string) => s.replace(/\p{Cs}/gu, '\uFFFD');

async function npsCount(ctx: FuzzContext, customerId: string): Promise<number> {
  const res = await send(ctx, { method: 'GET', path: `/customers/${customerId}`, headers: bearer(ctx, 'key') });
  return (res.json?.customer?.nps ?? []).length;
}

const npsRoute = (method: 'GET' | 'POST'): RouteFuzz<NpsCase> => ({
  name: `${method} /nps`,
  routeKey: `${method} /nps`,
  suite: 'public',
  writes: method === 'POST',
  cases: () =>
    fc.record(
      {
        method: fc.constant(method),
        token: fc.oneof(
          fc.constant({ kind: 'missing' as const }),
          fc.constant({ kind: 'empty' as const }),
          fc.record({ kind: fc.constant('garbage' as const), raw: urlPart }),
          fc.record({ kind: fc.constant('flip' as const), i: fc.nat(5), at: fc.nat(200) }),
          fc.record({ kind: fc.constant('wrongKey' as const), i: fc.nat(5) }),
          fc.record({ kind: fc.constant('unsubscribeToken' as const), i: fc.nat(5) }),
          { arbitrary: fc.record({ kind: fc.constant('valid' as const), i: fc.nat(5) }), weight: 4 },
          fc.constant({ kind: 'validUnknown' as const }),
        ),
        score: fc.oneof(
          { arbitrary: fc.integer({ min: 0, max: 10 }).map(String), weight: 6 },
          fc.constantFrom('11', '-1', '1.0', ' 5', '05', '', 'ten', '1e1', '0x5'),
          hostileString,
        ),
        comment: fc.oneof({ arbitrary: plainText(40), weight: 4 }, hostileString, fc.integer({ min: 1, max: 30 }).map((n) => 'y'.repeat(2000 + n))),
        encoding: fc.oneof({ arbitrary: fc.constant('form' as const), weight: 8 }, fc.constantFrom('json' as const, 'wrong' as const)),
      },
      { requiredKeys: ['method', 'token', 'encoding'] },
    ),
  request: async (ctx, c): Promise<Req> => {
    const t = await surveyToken(ctx, c.token);
    // Garbage goes on the wire as generated (raw percent garbage included); everything else is encoded.
    const put = (name: string, v: string) => `${name}=${name === 'token' && c.token.kind === 'garbage' ? (c.token as { raw: string }).raw : enc(v)}`;
    ctx.memory.nps = t;
    if (c.method === 'GET') {
      const query = [t.token !== undefined ? put('token', t.token) : '', c.score !== undefined ? `score=${enc(c.score)}` : ''].filter(Boolean).join('&');
      return { method: 'GET', path: `/nps${query ? `?${query}` : ''}`, headers: {} };
    }
    const fields: Array<[string, string]> = [
      ...(t.token !== undefined ? [['token', t.token] as [string, string]] : []),
      ...(c.score !== undefined ? [['score', c.score] as [string, string]] : []),
      ...(c.comment !== undefined ? [['comment', c.comment] as [string, string]] : []),
    ];
    const body = c.encoding === 'json' ? JSON.stringify(Object.fromEntries(fields)) : fields.map(([k, v]) => put(k, v)).join('&');
    const type = { form: 'application/x-www-form-urlencoded', json: 'application/json', wrong: 'text/plain' }[c.encoding];
    return { method: 'POST', path: '/nps', headers: { 'content-type': type }, body };
  },
  mustReject: (_ctx, c, req) => {
    if (c.method === 'GET') return surveyTokenValid(c.token) ? undefined : field400('token');
    if (tooBig(req)) return { statuses: [413, 415] };
    if (c.encoding === 'wrong' && req.body) return { statuses: [415] };
    if (!surveyTokenValid(c.token)) return field400('token');
    if (c.score === undefined || !NPS_SCORE.test(c.encoding === 'form' ? asSentText(c.score) : c.score)) return field400('score');
    if (commentRefused(c)) return field400('comment');
    return undefined;
  },
  before: async (ctx) => {
    const t = ctx.memory.nps as { customerId?: string };
    return t.customerId ? { customerId: t.customerId, count: await npsCount(ctx, t.customerId) } : undefined;
  },
  verify: async (ctx, c, req, res, raw) => {
    const before = raw as { customerId: string; count: number } | undefined;
    const out: Violation[] = [];
    const valid = surveyTokenValid(c.token) && (c.method === 'GET' || (!tooBig(req) && c.encoding !== 'wrong' && c.score !== undefined && NPS_SCORE.test(c.encoding === 'form' ? asSentText(c.score) : c.score) && !commentRefused(c)));
    if (valid && res.status !== 200) out.push({ property: PROPERTIES.acceptsValid, detail: `a valid ${c.method} /nps was answered ${res.status} ${res.text.slice(0, 200)}` });
    if (!before) return out;
    const count = await npsCount(ctx, before.customerId);
    const expected = c.method === 'POST' && valid && res.status === 200 ? before.count + 1 : before.count;
    // The answers kept are bounded (20): at the bound a new answer replaces the oldest.
    if (count !== expected && !(expected > before.count && count === before.count && count >= 20))
      out.push({ property: c.method === 'GET' || !valid ? PROPERTIES.writesNothing : PROPERTIES.stored, detail: `${c.method} /nps left ${before.customerId} with ${count} answers, expected ${expected}` });
    return out;
  },
});

// POST /customers/{customerId}/feedback

const FEEDBACK_FIELDS = ['nps', 'comment', 'respondentEmail', 'responseId'];
interface FeedbackCase extends RepBodyCase {
  target: CustomerTarget;
}
const badComment = fc.oneof(notAString, fc.constantFrom('a\u0000b', 'a\u202eb', '\ud800', 'x'.repeat(2001)));
const feedbackRoute: RouteFuzz<FeedbackCase> = {
  name: 'POST /customers/{customerId}/feedback',
  routeKey: 'POST /customers/{customerId}/feedback',
  suite: 'admin',
  writes: true,
  cases: () =>
    fc
      .record({
        ...bodyCase({
          // Not notAString: its raw numbers (1e-400) parse to a valid score.
          nps: field(fc.constantFrom(11, -1, 4.5, 10.000001, 1e21, '7', null, true, [], {}, 'ten'), false),
          comment: field(badComment, true),
          respondentEmail: field(badEmail, true),
          responseId: field(fc.oneof(notAString, fc.constantFrom('', '   ', 'x'.repeat(201), 'a\u0000b')), true),
        }),
        // fc.option's `freq` is the chance of null (1/freq): bodyCase's raw body and extra field come in
        // most cases, which leaves few valid ones. Here each is the exception, so answers get recorded too.
        raw: fc.oneof({ arbitrary: fc.constant(null), weight: 11 }, brokenJsonText),
        extra: fc.oneof({ arbitrary: fc.constant(null), weight: 7 }, fc.tuple(fc.oneof(fc.constantFrom('score', 'customerId', '__proto__'), plainText(8)), jsonish)),
        target: customerTargetArb,
      })
      .map((c) => clean(c)),
  request: async (ctx, c) => {
    const segment = await customerSegment(ctx, c.target);
    ctx.memory.feedbackCustomer = c.target.kind === 'known' ? segment : undefined;
    const valid = { nps: 6, comment: 'Solid product.\nSupport could be faster.', respondentEmail: 'someone@example.com', responseId: `fz-${ctx.uniq()}` };
    return { method: 'POST', path: `/customers/${segment}/feedback`, headers: jsonHeaders(ctx, c.auth, c.contentType), body: bodyOf(c, valid) };
  },
  mustReject: (_ctx, c, req) => {
    if (emptySegment(req.path)) return { statuses: [404] };
    if (c.auth !== 'key') return c.target.kind === 'garbage' ? { statuses: [401, 403, 404] } : authRejection(c.auth);
    const target = c.target.kind === 'garbage' ? { statuses: [400, 404] } : c.target.kind === 'known' ? undefined : { statuses: [404] };
    return bodyFirst(bodyRejection(c, req, ['nps'], FEEDBACK_FIELDS), target);
  },
  before: async (ctx) => (ctx.memory.feedbackCustomer ? npsCount(ctx, ctx.memory.feedbackCustomer) : undefined),
  verify: async (ctx, _c, _req, res, before) => {
    const customerId = ctx.memory.feedbackCustomer as string | undefined;
    if (!customerId || before === undefined) return [];
    const count = await npsCount(ctx, customerId);
    const expected = res.status === 202 ? (before as number) + 1 : (before as number);
    // The answers kept are bounded (20): at the bound a new answer replaces the oldest.
    if (count === expected || (res.status === 202 && count === before && count >= 20)) return [];
    return [{ property: res.status === 202 ? PROPERTIES.stored : PROPERTIES.writesNothing, detail: `answered ${res.status}, ${customerId} holds ${count} answers (before: ${before})` }];
  },
};

// GET /customers?health=&renewingBefore=&limit=&cursor=

const HEALTH_BANDS = ['at-risk', 'watch', 'healthy'];
const FAR_DATES = ['2100-01-01', '2099-12-31', '2400-02-29'];
interface CustomerListCase {
  auth: Auth;
  health?: string;
  renewingBefore?: string;
  limit?: string;
  cursor?: { kind: 'real' } | { kind: 'garbage'; raw: string };
  unknown?: [string, string];
}
/** A real cursor of the renewals list (two known customers renew within the far dates). */
async function customerCursor(ctx: FuzzContext): Promise<string> {
  await knownCustomers(ctx);
  if (!ctx.memory.customerCursor) {
    const page = await send(ctx, { method: 'GET', path: '/customers?renewingBefore=2100-01-01&limit=1', headers: bearer(ctx, 'key') });
    ctx.memory.customerCursor = page.json?.cursor;
    if (!ctx.memory.customerCursor) throw new Error(`fuzz setup: no customer cursor (${page.status} ${page.text})`);
  }
  return ctx.memory.customerCursor;
}
/** Absent in `absent` of `absent + 1` cases (fc.option's `freq` is the chance of null, the other way round). */
const sometimes = <T>(arb: fc.Arbitrary<T>, absent: number) => fc.oneof({ arbitrary: fc.constant(null), weight: absent }, { arbitrary: arb, weight: 1 });
const customerListRoute: RouteFuzz<CustomerListCase> = {
  name: 'GET /customers?health|renewingBefore|limit|cursor',
  routeKey: 'GET /customers',
  suite: 'admin',
  writes: false,
  cases: () =>
    fc
      .record({
        auth: authArb,
        health: sometimes(fc.oneof({ arbitrary: fc.constantFrom(...HEALTH_BANDS), weight: 6 }, fc.constantFrom('Healthy', 'at risk', 'sick', ''), hostileString), 1),
        renewingBefore: sometimes(
          fc.oneof({ arbitrary: fc.constantFrom(...FAR_DATES, '2000-01-01', '1970-01-01'), weight: 6 }, fc.constantFrom('2026-13-01', '2026-02-30', '2100-1-1', 'tomorrow', '', '2100-01-01T00:00:00Z'), hostileString),
          1,
        ),
        limit: sometimes(fc.oneof({ arbitrary: fc.integer({ min: 1, max: 100 }).map(String), weight: 6 }, fc.constantFrom('0', '101', '0x10', '1e1', '-1', ' 16', '')), 2),
        cursor: sometimes(fc.oneof({ arbitrary: fc.constant({ kind: 'real' as const }), weight: 3 }, fc.record({ kind: fc.constant('garbage' as const), raw: fc.oneof(plainText(8), hostileString, fc.constant('A'.repeat(2001))) })), 2),
        unknown: sometimes(fc.tuple(fc.constantFrom('page', 'status', 'Health', 'stage'), plainText(6)), 7),
      })
      .map(clean),
  request: async (ctx, c) => {
    const real = await customerCursor(ctx);
    const params: Array<[string, string]> = [];
    if (c.health !== undefined) params.push(['health', c.health]);
    if (c.renewingBefore !== undefined) params.push(['renewingBefore', c.renewingBefore]);
    if (c.limit !== undefined) params.push(['limit', c.limit]);
    if (c.cursor) params.push(['cursor', c.cursor.kind === 'real' ? real : c.cursor.raw]);
    if (c.unknown) params.push(c.unknown);
    const query = params.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
    return { method: 'GET', path: `/customers${query ? `?${query}` : ''}`, headers: bearer(ctx, c.auth) };
  },
  mustReject: (_ctx, c) => {
    const auth = authRejection(c.auth);
    if (auth) return auth;
    if (c.unknown) return field400(c.unknown[0]);
    let r: Rejection | undefined;
    const add = (...paths: string[]) => (r = merge(r, field400(...paths)));
    const health = c.health !== undefined && HEALTH_BANDS.includes(c.health);
    const date = c.renewingBefore !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(c.renewingBefore) && !Number.isNaN(Date.parse(`${c.renewingBefore}T00:00:00Z`)) && new Date(`${c.renewingBefore}T00:00:00Z`).toISOString().startsWith(c.renewingBefore);
    if (c.health !== undefined && !health) add('health');
    if (c.renewingBefore !== undefined && !date) add('renewingBefore');
    if (c.limit !== undefined && !(CANONICAL_LIMIT.test(c.limit) && Number(c.limit) <= 100)) add('limit');
    // A cursor of the right alphabet is decoded (and refused) by the list itself, after the query is whole.
    const wellFormed = c.cursor?.kind === 'garbage' && /^[A-Za-z0-9_-]{1,2000}$/.test(c.cursor.raw);
    if (c.cursor?.kind === 'garbage' && !wellFormed) add('cursor');
    if (r) return r;
    if (c.health === undefined && c.renewingBefore === undefined) return field400('health', 'renewingBefore');
    if (wellFormed) return field400('cursor');
    // The real cursor is a position in the renewals list before 2100-01-01: in any other list, or past the end, forged.
    if (c.cursor?.kind === 'real' && (c.renewingBefore === undefined || !FAR_DATES.includes(c.renewingBefore))) return field400('cursor');
    return undefined;
  },
  verify: async (_ctx, c, _req, res) => {
    if (res.status !== 200) return [];
    const items = res.json?.items;
    if (!Array.isArray(items)) return [{ property: PROPERTIES.stored, detail: `a 200 without items: ${res.text.slice(0, 200)}` }];
    const out: Violation[] = [];
    const limit = c.limit !== undefined ? Number(c.limit) : 25;
    if (items.length > limit) out.push({ property: PROPERTIES.stored, detail: `${items.length} items for limit ${c.limit}` });
    if (items.some((x: any) => 'version' in x)) out.push({ property: PROPERTIES.stored, detail: 'items carry the internal version' });
    if (c.health && items.some((x: any) => x.health?.band !== c.health && !(c.health === 'healthy' && !x.health && !c.renewingBefore)))
      out.push({ property: PROPERTIES.stored, detail: `items of another band than ${c.health}` });
    if (c.renewingBefore && items.some((x: any) => !(x.term?.renewalDate < c.renewingBefore!))) out.push({ property: PROPERTIES.stored, detail: `items renewing on or after ${c.renewingBefore}` });
    return out;
  },
};

// POST /customers

const NEW_CUSTOMER_FIELDS = ['email', 'firstName', 'lastName', 'company', 'jobTitle', 'phone', 'source', 'plan', 'amount', 'currency', 'termMonths', 'startDate'];
/** Bad values of an optional profile field: empty is "given as empty", which plain text allows. */
const badProfileText = (max: number) => fc.oneof(notAString, fc.constantFrom('a\u0000b', 'a\u202eb', 'a\nb', '\ud800', 'x'.repeat(max + 1)));
/** A body field that is bad in one case of `odds + 1` (else valid, or for an optional field now and then absent): most bodies are valid. */
const mostlyValid = (bad: fc.Arbitrary<unknown>, optional: boolean, odds: number) =>
  fc
    .tuple(sometimes(bad.map((value): FieldSpec => ({ kind: 'bad', value })), odds), fc.nat(3))
    .map(([spec, roll]): FieldSpec => spec ?? (optional && roll === 0 ? { kind: 'absent' } : { kind: 'valid' }));
interface NewCustomerCase extends RepBodyCase {
  /** A fresh address, or the address of the customer this route made last (a repeat: 200, same ids). */
  repeat: boolean;
}
const newCustomerRoute: RouteFuzz<NewCustomerCase> = {
  name: 'POST /customers',
  routeKey: 'POST /customers',
  suite: 'admin',
  writes: true,
  cases: () =>
    fc
      .record({
        auth: authArb,
        contentType: contentTypeArb,
        raw: sometimes(brokenJsonText, 15),
        fields: fc.record({
          email: mostlyValid(badEmail, false, 11),
          firstName: mostlyValid(badProfileText(100), true, 60),
          lastName: mostlyValid(badProfileText(100), true, 60),
          company: mostlyValid(badProfileText(200), true, 60),
          jobTitle: mostlyValid(badProfileText(200), true, 60),
          phone: mostlyValid(badProfileText(50), true, 60),
          source: mostlyValid(badProfileText(200), true, 60),
          plan: mostlyValid(badText(100), true, 24),
          // Not notAString: its raw numbers (1e-400) parse to a valid amount.
          amount: mostlyValid(fc.constantFrom(-1, 1e13, '100', null, true, [], {}), true, 24),
          currency: mostlyValid(fc.constantFrom('euro', 'eur', 'EU', 'EURO', '', 'E1R', 978, null), true, 24),
          termMonths: mostlyValid(fc.constantFrom(0, 61, 1.5, -12, '12', null, 1e21), true, 24),
          startDate: mostlyValid(fc.constantFrom('2026-02-30', '2026-13-01', '2026-1-15', '15/01/2026', '', '2026-01-15T00:00:00Z', 20260115, null), true, 24),
        }),
        extra: sometimes(fc.tuple(fc.oneof(fc.constantFrom('status', 'customerId', 'leadId', 'consent', '__proto__'), plainText(8)), jsonish), 7),
        repeat: fc.boolean(),
      })
      .map((c) => clean(c)),
  request: async (ctx, c) => {
    const made = ctx.memory.madeCustomer as { email: string } | undefined;
    const email = c.repeat && made ? made.email : `won.${ctx.uniq()}@example.com`;
    ctx.memory.newCustomerEmail = email;
    const valid = {
      email,
      firstName: 'Ada',
      lastName: 'Lovelace',
      company: 'Analytical Engines',
      jobTitle: 'Founder',
      phone: '+44 20 7946 0000',
      source: 'renewal-desk',
      plan: 'Scale',
      amount: 12000,
      currency: 'EUR',
      termMonths: 24,
      startDate: '2026-01-15',
    };
    return { method: 'POST', path: '/customers', headers: jsonHeaders(ctx, c.auth, c.contentType), body: bodyOf(c, valid) };
  },
  mustReject: (_ctx, c, req) => authRejection(c.auth) ?? bodyRejection(c, req, ['email'], NEW_CUSTOMER_FIELDS),
  verify: async (ctx, _c, _req, res) => {
    const email = ctx.memory.newCustomerEmail as string;
    const made = ctx.memory.madeCustomer as { email: string; customerId: string; leadId: string } | undefined;
    if (res.status === 201 || res.status === 200) {
      const { customerId, leadId, status } = res.json ?? {};
      const out: Violation[] = [];
      const read = await send(ctx, { method: 'GET', path: `/customers/${enc(customerId)}`, headers: bearer(ctx, 'key') });
      if (read.status !== 200 || read.json?.customer?.leadId !== leadId || status !== 'active') out.push({ property: PROPERTIES.stored, detail: `answered ${res.status} ${res.text.slice(0, 200)}, then GET /customers/${customerId} ${read.status}` });
      const repeat = made?.email === email;
      if (repeat !== (res.status === 200) || (repeat && (customerId !== made.customerId || leadId !== made.leadId)))
        out.push({ property: PROPERTIES.stored, detail: `${repeat ? 'a repeat' : 'a new address'} answered ${res.status} ${res.text.slice(0, 200)}` });
      if (res.status === 201) ctx.memory.madeCustomer = { email, customerId, leadId };
      return out;
    }
    // A rejected request for a fresh address leaves no trace of it (a repeat's customer was made before).
    if (!isRejected(res) || made?.email === email) return [];
    const held = await send(ctx, { method: 'GET', path: `/privacy/export?email=${enc(email)}`, headers: bearer(ctx, 'key') });
    return held.status === 404 ? [] : [{ property: PROPERTIES.writesNothing, detail: `rejected (${res.status}) but the export of ${email} answered ${held.status}` }];
  },
};

// ---- GET /dashboard and GET /dashboard/{asset} (public: the page holds no data) -----------------------

interface DashboardCase {
  auth: Auth;
  query: string | null;
  acceptEncoding: string | null;
  /** The asset route only: a name the page does not serve (its real files are checked in tests/unit/dashboard.test.ts). */
  asset: string;
}
/** Names a prober would try: the package's own file names, an old hash, other extensions, a traversal, case. */
const DASHBOARD_NEAR_MISSES = ['chart.umd.min.js', 'chart.000000000000.js', 'dashboard.js', 'dashboard.css', 'CHART.js', '.env', '..%2F..%2Fpackage.json', '%2E%2E%2Fdashboard.ts', 'index.html'];
const dashboardCases = fc.record({
  auth: fc.constantFrom<Auth>('none', 'key', 'wrong'),
  query: rarely(urlPart, 3),
  acceptEncoding: fc.option(fc.constantFrom('gzip', 'gzip, deflate, br', 'identity', 'gzip;q=0', '*'), { nil: null }),
  asset: fc.oneof(fc.constantFrom(...DASHBOARD_NEAR_MISSES), urlPart),
});
const dashboardHeaders = (ctx: FuzzContext, c: DashboardCase) => ({ ...bearer(ctx, c.auth), ...(c.acceptEncoding ? { 'accept-encoding': c.acceptEncoding } : {}) });

const dashboardPageRoute: RouteFuzz<DashboardCase> = {
  name: 'GET /dashboard',
  routeKey: 'GET /dashboard',
  suite: 'public',
  writes: false,
  cases: () => dashboardCases,
  request: (ctx, c) => ({ method: 'GET', path: `/dashboard${c.query === null ? '' : `?${c.query}`}`, headers: dashboardHeaders(ctx, c) }),
  // The same page for everyone, whatever the query or the key: never data, never the key, always the policy.
  verify: async (ctx, _c, _req, res) => {
    const out: Violation[] = [];
    if (res.status !== 200) out.push({ property: PROPERTIES.acceptsValid, detail: `the page answered ${res.status}` });
    if (!/script-src 'self'/.test(String(res.headers['content-security-policy'] ?? ''))) out.push({ property: PROPERTIES.stored, detail: 'the page came without its Content-Security-Policy' });
    const held = [ctx.apiKey, ...ctx.sentinels.flatMap((s) => [s.leadId, s.email])].filter((v) => res.text.includes(v));
    if (held.length) out.push({ property: PROPERTIES.noInternals, detail: `the public page holds ${held.join(', ')}` });
    return out;
  },
};

const dashboardAssetRoute: RouteFuzz<DashboardCase> = {
  name: 'GET /dashboard/{asset}',
  routeKey: 'GET /dashboard/{asset}',
  suite: 'public',
  writes: false,
  cases: () => dashboardCases,
  request: (ctx, c) => ({ method: 'GET', path: `/dashboard/${c.asset}${c.query === null ? '' : `?${c.query}`}`, headers: dashboardHeaders(ctx, c) }),
  // No such file (or, for an empty name, no such route): 404 either way, with or without the key.
  mustReject: () => ({ statuses: [404] }),
};

// ---- GET /reports/funnel, /reports/onboarding, /reports/retention ------------------------------------

const DAY_OK = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
const BAD_DAYS = ['2026-13-01', '2026-02-30', '2100-1-1', 'yesterday', '', '2026-01-01T00:00:00Z', '20260101'];
/** A report filter as the route reads it: trimmed, at most 100 characters of plain text. */
const filterOk = (v: string) => {
  const t = v.replace(/\p{Cs}/gu, '\ufffd').trim();
  return t.length <= 100 && !plainTextProblem(t, false);
};
type ReportRange = { kind: 'none' } | { kind: 'both'; from: string; to: string } | { kind: 'bad'; which: 'from' | 'to'; value: string };
interface FunnelReportCase {
  auth: Auth;
  range: ReportRange;
  source?: string;
  utm_campaign?: string;
  unknown?: [string, string];
}
const dayArb = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const spanDays = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

const funnelReportRoute: RouteFuzz<FunnelReportCase> = {
  name: 'GET /reports/funnel?from|to|source|utm_campaign',
  routeKey: 'GET /reports/funnel',
  suite: 'admin',
  writes: false,
  cases: () =>
    fc
      .record({
        auth: authArb,
        range: fc.oneof(
          { arbitrary: fc.constant<ReportRange>({ kind: 'none' }), weight: 2 },
          // Mostly a sane range (to within 400 days of from), sometimes anything (reversed, too long).
          { arbitrary: fc.tuple(dayArb, fc.integer({ min: 0, max: 399 })).map(([from, n]): ReportRange => ({ kind: 'both', from, to: new Date(Date.parse(`${from}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10) })), weight: 4 },
          { arbitrary: fc.tuple(dayArb, dayArb).map(([from, to]): ReportRange => ({ kind: 'both', from, to })), weight: 2 },
          { arbitrary: fc.record({ kind: fc.constant('bad' as const), which: fc.constantFrom<'from' | 'to'>('from', 'to'), value: fc.oneof(fc.constantFrom(...BAD_DAYS), hostileString) }), weight: 2 },
        ),
        source: sometimes(fc.oneof({ arbitrary: plainText(20), weight: 3 }, fc.constantFrom('web', 'referral', '(none)'), hostileString), 1),
        utm_campaign: sometimes(fc.oneof({ arbitrary: plainText(20), weight: 3 }, hostileString), 2),
        unknown: sometimes(fc.tuple(fc.constantFrom('stage', 'limit', 'From', 'utm_source', 'campaign'), plainText(6)), 6),
      })
      .map(clean),
  request: (ctx, c) => {
    const params: Array<[string, string]> = [];
    if (c.range.kind === 'both') params.push(['from', c.range.from], ['to', c.range.to]);
    if (c.range.kind === 'bad') params.push([c.range.which, c.range.value]);
    if (c.source !== undefined) params.push(['source', c.source]);
    if (c.utm_campaign !== undefined) params.push(['utm_campaign', c.utm_campaign]);
    if (c.unknown) params.push(c.unknown);
    const query = params.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
    return { method: 'GET', path: `/reports/funnel${query ? `?${query}` : ''}`, headers: bearer(ctx, c.auth) };
  },
  mustReject: (_ctx, c) => {
    const auth = authRejection(c.auth);
    if (auth) return auth;
    let r: Rejection | undefined;
    const add = (...paths: string[]) => (r = merge(r, field400(...paths)));
    if (c.unknown) add(c.unknown[0]);
    // A bad value sent alone (never a date: a one-ended range is accepted or not by today's date).
    if (c.range.kind === 'bad' && !DAY_OK(c.range.value)) add(c.range.which);
    if (c.source !== undefined && !filterOk(c.source)) add('source');
    if (c.utm_campaign !== undefined && !filterOk(c.utm_campaign)) add('utm_campaign');
    if (r) return r;
    if (c.range.kind === 'bad') return { statuses: [200, 400], paths: ['from'] };
    if (c.range.kind === 'both' && (c.range.from > c.range.to || spanDays(c.range.from, c.range.to) > 400)) return field400('from');
    return undefined;
  },
  verify: async (_ctx, c, _req, res) => {
    if (res.status !== 200) return [];
    const body = res.json;
    const out: Violation[] = [];
    if (!Array.isArray(body?.stages) || body.stages.length !== STAGES.length) out.push({ property: PROPERTIES.stored, detail: `a funnel report without its ${STAGES.length} stages: ${res.text.slice(0, 200)}` });
    if (c.range.kind === 'both' && (body?.range?.from !== c.range.from || body?.range?.to !== c.range.to)) out.push({ property: PROPERTIES.stored, detail: `asked ${c.range.from}..${c.range.to}, answered ${JSON.stringify(body?.range)}` });
    if (body?.range && !(body.range.days >= 1 && body.range.days <= 400)) out.push({ property: PROPERTIES.stored, detail: `a range of ${body.range.days} days` });
    return out;
  },
};

interface PlainReportCase {
  auth: Auth;
  unknown?: [string, string];
}
const plainReportRoute = (path: '/reports/onboarding' | '/reports/retention', shape: (body: any) => boolean): RouteFuzz<PlainReportCase> => ({
  name: `GET ${path}`,
  routeKey: `GET ${path}`,
  suite: 'admin',
  writes: false,
  cases: () => fc.record({ auth: authArb, unknown: sometimes(fc.tuple(fc.constantFrom('from', 'to', 'source', 'limit', 'x'), fc.oneof(plainText(6), hostileString)), 2) }).map(clean),
  request: (ctx, c) => ({ method: 'GET', path: `${path}${c.unknown ? `?${enc(c.unknown[0])}=${enc(c.unknown[1])}` : ''}`, headers: bearer(ctx, c.auth) }),
  // No parameters: any given is refused by name.
  mustReject: (_ctx, c) => authRejection(c.auth) ?? (c.unknown ? field400(c.unknown[0]) : undefined),
  verify: async (_ctx, _c, _req, res) =>
    res.status === 200 && !shape(res.json) ? [{ property: PROPERTIES.stored, detail: `${path} answered an unexpected shape: ${res.text.slice(0, 200)}` }] : [],
});
const onboardingReportRoute = plainReportRoute('/reports/onboarding', (b) => typeof b?.reps?.total === 'number' && Array.isArray(b?.modules) && Array.isArray(b?.expiringCertifications));
const retentionReportRoute = plainReportRoute('/reports/retention', (b) => typeof b?.customers?.total === 'number' && Array.isArray(b?.nps?.trend) && Array.isArray(b?.renewalsDue));

/** Every fuzzed route: one entry each. */
export const ROUTES: Array<RouteFuzz<any>> = [
  captureRoute('json'),
  captureRoute('form'),
  unsubscribeRoute('GET'),
  unsubscribeRoute('POST'),
  consentRoute,
  eventsRoute,
  getLeadRoute,
  listRoute,
  deleteLeadRoute,
  erasureRoute,
  exportRoute,
  createRepRoute,
  getRepRoute,
  repListRoute,
  completionRoute,
  resetRoute,
  signOffRoute,
  repStatusRoute,
  getCustomerRoute,
  npsRoute('GET'),
  npsRoute('POST'),
  feedbackRoute,
  newCustomerRoute,
  customerListRoute,
  dashboardPageRoute,
  dashboardAssetRoute,
  funnelReportRoute,
  onboardingReportRoute,
  retentionReportRoute,
];
