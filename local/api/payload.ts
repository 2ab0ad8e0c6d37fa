/** API Gateway HTTP API payload format 2.0: request → event, and the Lambda result → response. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript|[\w.+-]*\+(json|xml)))/i;

export interface RequestParts {
  method: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  cookies?: string[];
  queryStringParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded: boolean;
  sourceIp: string;
  time: Date;
  requestId: string;
}

/**
 * The path as the client sent it. WHATWG URL parsing would resolve `..` and `%2e%2e` segments, turning
 * `/leads/..` into `/` (the local sample form, answered 200 to an API call); the gateway routes the
 * path as sent, so it is kept as it came (a `?` ends it; a `#` never reaches a server).
 */
export function rawPathOf(url: string | undefined): string {
  const raw = (url ?? '/').split('?')[0]!;
  return raw.startsWith('/') ? raw : `/${raw}`;
}

export function requestParts(req: IncomingMessage, body: Buffer): RequestParts {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    // API Gateway moves cookies out of the headers into their own array.
    if (name === 'cookie') cookies = [...(cookies ?? []), ...value.split(/;\s*/).filter(Boolean)];
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const isText = TEXT_TYPES.test(headers['content-type'] ?? 'text/plain');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    rawPath: rawPathOf(req.url),
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    cookies,
    queryStringParameters: url.search ? query : undefined,
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !isText,
    sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
    time: new Date(),
    requestId: randomUUID(),
  };
}

function requestContext(p: RequestParts, routeKey: string, domainName: string) {
  return {
    accountId: '000000000000',
    apiId: 'local',
    domainName,
    domainPrefix: domainName.split('.')[0],
    http: { method: p.method, path: p.rawPath, protocol: 'HTTP/1.1', sourceIp: p.sourceIp, userAgent: p.headers['user-agent'] ?? '' },
    requestId: p.requestId,
    routeKey,
    stage: '$default',
    time: p.time.toUTCString(),
    timeEpoch: p.time.getTime(),
  };
}

export function httpEvent(p: RequestParts, routeKey: string, pathParameters: Record<string, string> | undefined, authorizer?: unknown) {
  return {
    version: '2.0',
    routeKey,
    rawPath: p.rawPath,
    rawQueryString: p.rawQueryString,
    ...(p.cookies ? { cookies: p.cookies } : {}),
    headers: p.headers,
    ...(p.queryStringParameters ? { queryStringParameters: p.queryStringParameters } : {}),
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: { ...requestContext(p, routeKey, p.headers.host ?? 'localhost'), ...(authorizer ? { authorizer } : {}) },
    ...(p.body !== undefined ? { body: p.body } : {}),
    isBase64Encoded: p.isBase64Encoded,
  };
}

export function authorizerEvent(p: RequestParts, routeKey: string, pathParameters: Record<string, string> | undefined, identitySource: string[]) {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/${p.method}${p.rawPath}`,
    identitySource,
    routeKey,
    rawPath: p.rawPath,
    rawQueryString: p.rawQueryString,
    ...(p.cookies ? { cookies: p.cookies } : {}),
    headers: p.headers,
    ...(p.queryStringParameters ? { queryStringParameters: p.queryStringParameters } : {}),
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: requestContext(p, routeKey, p.headers.host ?? 'localhost'),
  };
}

/** Resolves `$request.header.X` / `$request.querystring.x` identity sources; undefined when one is missing. */
export function identityValues(p: RequestParts, sources: string[]): string[] | undefined {
  const values: string[] = [];
  for (const source of sources) {
    const header = /^\$request\.header\.(.+)$/i.exec(source);
    const query = /^\$request\.querystring\.(.+)$/i.exec(source);
    const value = header ? p.headers[header[1]!.toLowerCase()] : query ? p.queryStringParameters?.[query[1]!] : undefined;
    if (!value) return undefined;
    values.push(value);
  }
  return values;
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Maps a payload-2.0 result as API Gateway does, including results without a statusCode. */
export function mapResult(result: unknown): HttpResult {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const r = result as { statusCode: number; headers?: Record<string, unknown>; body?: string; isBase64Encoded?: boolean; cookies?: string[] };
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
    if (r.cookies?.length) headers['set-cookie'] = r.cookies;
    const body = r.body === undefined || r.body === null ? Buffer.alloc(0) : Buffer.from(String(r.body), r.isBase64Encoded ? 'base64' : 'utf8');
    return { statusCode: Number(r.statusCode), headers, body };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body === undefined ? '' : body) };
}
