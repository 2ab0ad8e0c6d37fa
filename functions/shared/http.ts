/**
 * The HTTP edge shared by every route: body parsing (JSON, and form posts where a route allows
 * them), the ONE error → status table, and response helpers. Handlers stay thin: zod at the edge,
 * one call into the core, a mapping of the result.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DomainError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, type Issue } from '../core/errors.js';
import { logger } from './logger.js';
import { publishMetrics } from './metrics.js';
import { isThrottled } from './pacing.js';
import { ZodError } from './schema.js';

export type HttpEvent = APIGatewayProxyEventV2 & { parsedBody?: unknown };
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Domain error code → HTTP status. Anything not listed is a 500 with a generic message. 401/403 are
 * not here: the gateway's Lambda authorizer answers them before a handler runs.
 */
const STATUS_BY_CODE: Record<string, number> = {
  ValidationError: 400,
  Unauthorized: 401,
  NotFound: 404,
  Conflict: 409,
  VersionConflict: 409,
  EmailTaken: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
};

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});
export const html = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body,
});
export const redirect = (location: string): HttpResult => ({ statusCode: 303, headers: { location }, body: '' });

/** API Gateway lower-cases header names; other callers (tests, local runtime) may not. */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

export const wantsHtml = (event: APIGatewayProxyEventV2) => /\btext\/html\b/i.test(header(event, 'accept') ?? '');

export type BodyKinds = 'json' | 'json-or-form';

/** Reads, size-checks and parses the body by its content type. An empty body is `{}`. */
export function parseBody(event: APIGatewayProxyEventV2, kinds: BodyKinds): unknown {
  const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  if (raw.byteLength > MAX_BODY_BYTES) throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES / 1024} KB`);
  if (raw.byteLength === 0) return {};
  const type = (header(event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = raw.toString('utf8');
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new ValidationError('The body is not valid JSON', [{ path: '', message: 'invalid JSON' }]);
    }
  }
  if (kinds === 'json-or-form' && type === 'application/x-www-form-urlencoded') return parseForm(text);
  const accepted = kinds === 'json' ? 'application/json' : 'application/json or application/x-www-form-urlencoded';
  throw new UnsupportedMediaTypeError(`Content-Type must be ${accepted}`);
}

/**
 * A form field given twice (`email=a@x&email=b@y`) is ambiguous: keeping either value would act on
 * something the sender may not have meant, so it is refused, naming the field.
 */
function parseForm(text: string): Record<string, string> {
  const fields = new Map<string, string>();
  const repeated = new Set<string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (fields.has(name)) repeated.add(name);
    else fields.set(name, value);
  }
  if (repeated.size) {
    const issues = [...repeated].map((path) => ({ path, message: 'given more than once' }));
    throw new ValidationError(`Form field(s) given more than once: ${[...repeated].join(', ')}`, issues);
  }
  // fromEntries defines own properties, so even a field named __proto__ reaches validation as itself.
  return Object.fromEntries(fields);
}

function zodIssues(err: ZodError): Issue[] {
  return err.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: [...i.path, k].join('.'), message: 'unknown field' }))
      : [{ path: i.path.map(String).join('.'), message: i.message }],
  );
}

/** Seconds a client should wait before retrying when a dependency is throttled or down. */
export const RETRY_AFTER_SECONDS = 3;

/** Down or busy, besides throttling (pacing.ts isThrottled). */
const UNAVAILABLE_NAMES = new Set([
  'LimitExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/**
 * A dependency (DynamoDB, Step Functions, SES, Secrets Manager) that is throttling us, is down, or
 * cannot be reached. The request may well succeed later, so the caller is told 503 + Retry-After
 * rather than a 500, which webhook senders treat as "broken" (or retry at once, forever).
 */
export function isDependencyUnavailable(err: unknown): boolean {
  for (let e = err as any, depth = 0; e && depth < 4; e = e.cause, depth++) {
    if (isThrottled(e) || UNAVAILABLE_NAMES.has(e.name)) return true;
    if (NETWORK_CODES.has(e.code) || NETWORK_CODES.has(e.errno)) return true;
    const status = e.$metadata?.httpStatusCode;
    if (typeof status === 'number' && status >= 500) return true;
  }
  return false;
}

/** The one mapping from an error to an HTTP response. */
export function errorResponse(err: unknown): HttpResult {
  if (err instanceof ZodError) {
    const issues = zodIssues(err);
    const message = `Invalid request: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`;
    return json(400, { error: 'ValidationError', message, issues });
  }
  if (err instanceof DomainError && STATUS_BY_CODE[err.code]) {
    const body: Record<string, unknown> = { error: err.code, message: err.message };
    if (err instanceof ValidationError && err.issues.length) body.issues = err.issues;
    return json(STATUS_BY_CODE[err.code]!, body);
  }
  if (isDependencyUnavailable(err)) {
    logger.warn('A dependency is unavailable or throttling: answered 503', err as Error);
    return json(
      503,
      { error: 'ServiceUnavailable', message: 'A service we depend on is busy or unavailable; please retry shortly' },
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  logger.error('Unhandled error', err as Error);
  return json(500, { error: 'InternalError', message: 'Something went wrong on our side; please retry later' });
}

/** Wraps a route handler with the logger context, body parsing (if asked), the error mapping and the metrics. */
export function httpRoute(
  handler: (event: HttpEvent, context: Context) => Promise<HttpResult>,
  options: { body?: BodyKinds } = {},
) {
  return middy<HttpEvent, HttpResult>()
    // First in, so its `after` runs last: what the route counted is written once per invocation, answer or error.
    .use({ after: publishMetrics, onError: publishMetrics })
    .use(injectLambdaContext(logger))
    .use({
      before: (request) => {
        if (options.body) request.event.parsedBody = parseBody(request.event, options.body);
      },
      onError: (request) => {
        request.response = errorResponse(request.error);
      },
    })
    .handler(handler);
}
