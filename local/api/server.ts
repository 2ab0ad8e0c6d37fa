/**
 * The local HTTP API: serves the synthesized routes (authorizer, CORS, 10 MB limit and error
 * bodies as API Gateway HTTP APIs do), plus local-only pages: the sample form, a thank-you page
 * and the domain events the EventBridge stand-in received.
 */
import { readFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionRuntime } from '../functions.js';
import { LOCALHOST } from '../ports.js';
import { answerClientErrors, writeSafely } from '../http-safety.js';
import { authorizerEvent, httpEvent, identityValues, mapResult, requestParts, type HttpResult, type RequestParts } from './payload.js';
import { matchRoute, type CorsConfig, type HttpApiModel, type LocalRoute } from './routes.js';

const MAX_BODY = 10 * 1024 * 1024;

const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(body)),
});

export interface ApiServerOptions {
  model: HttpApiModel;
  functions: FunctionRuntime;
  port: number;
  /** Local-only GET pages, answered before the template's routes. */
  localPages: Record<string, () => Promise<HttpResult> | HttpResult>;
  /** Discrete-event time: a request is work in flight from its arrival until its response is done. */
  inFlight?: { begin(): { release(): void } };
}

function allowedOrigin(cors: CorsConfig, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  const origins = cors.AllowOrigins ?? [];
  if (origins.includes('*')) return cors.AllowCredentials ? origin : '*';
  return origins.includes(origin) ? origin : undefined;
}

/** Preflight answered by the gateway itself, never by a route, as API Gateway does with CORS configured. */
function preflight(cors: CorsConfig, p: RequestParts): HttpResult {
  const origin = allowedOrigin(cors, p.headers.origin);
  const headers: Record<string, string> = {};
  if (origin) {
    headers['access-control-allow-origin'] = origin;
    const methods = cors.AllowMethods ?? [];
    headers['access-control-allow-methods'] = methods.includes('*') ? p.headers['access-control-request-method'] ?? '*' : methods.join(',');
    const requested = p.headers['access-control-request-headers'];
    const allowed = (cors.AllowHeaders ?? []).map((h) => h.toLowerCase());
    if (requested) headers['access-control-allow-headers'] = allowed.includes('*') ? requested : allowed.join(',');
    if (cors.MaxAge !== undefined) headers['access-control-max-age'] = String(cors.MaxAge);
    if (cors.AllowCredentials) headers['access-control-allow-credentials'] = 'true';
  }
  return { statusCode: 204, headers, body: Buffer.alloc(0) };
}

function withCors(cors: CorsConfig | undefined, p: RequestParts, result: HttpResult): HttpResult {
  const origin = cors && allowedOrigin(cors, p.headers.origin);
  if (!cors || !origin) return result;
  const headers: Record<string, string | string[]> = { ...result.headers, 'access-control-allow-origin': origin };
  if (cors.ExposeHeaders?.length) headers['access-control-expose-headers'] = cors.ExposeHeaders.join(',');
  if (cors.AllowCredentials) headers['access-control-allow-credentials'] = 'true';
  return { ...result, headers };
}

async function authorize(functions: FunctionRuntime, route: LocalRoute, p: RequestParts, pathParameters?: Record<string, string>) {
  const authorizer = route.authorizer!;
  const identity = identityValues(p, authorizer.identitySource);
  if (!identity) return { denied: json(401, { message: 'Unauthorized' }) };
  let response: any;
  try {
    response = await functions.invoke(authorizer.functionArn, authorizerEvent(p, route.routeKey, pathParameters, identity));
  } catch (err) {
    console.error('[local api] authorizer failed:', err);
    return { denied: json(500, { message: 'Internal Server Error' }) };
  }
  const allowed = authorizer.simpleResponses
    ? response?.isAuthorized === true
    : (response?.policyDocument?.Statement ?? []).some((s: any) => s.Effect === 'Allow');
  if (!allowed) return { denied: json(403, { message: 'Forbidden' }) };
  return { context: { lambda: response?.context ?? {} } };
}

async function handle(options: ApiServerOptions, req: IncomingMessage, body: Buffer): Promise<HttpResult> {
  const p = requestParts(req, body);
  const { model, functions } = options;
  if (p.method === 'OPTIONS' && model.cors && p.headers['access-control-request-method']) return preflight(model.cors, p);
  const page = p.method === 'GET' ? options.localPages[p.rawPath] : undefined;
  if (page) return page();
  const match = matchRoute(model.routes, p.method, p.rawPath);
  if (!match) return withCors(model.cors, p, json(404, { message: 'Not Found' }));
  let authorizerContext: unknown;
  if (match.route.authorizer) {
    const outcome = await authorize(functions, match.route, p, match.pathParameters);
    if (outcome.denied) return withCors(model.cors, p, outcome.denied);
    authorizerContext = outcome.context;
  }
  try {
    const result = await functions.invoke(match.route.functionArn, httpEvent(p, match.route.routeKey, match.pathParameters, authorizerContext));
    return withCors(model.cors, p, mapResult(result));
  } catch (err) {
    console.error(`[local api] ${match.route.routeKey} failed:`, err);
    return withCors(model.cors, p, json(500, { message: 'Internal Server Error' }));
  }
}

/** Never throws: a response Node refuses to write (a '€' or CR/LF in a header) becomes a 500. */
function write(res: ServerResponse, result: HttpResult): void {
  writeSafely(res, result, 'local api');
}

export async function startApiServer(options: ApiServerOptions): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (options.inFlight) {
      const lease = options.inFlight.begin();
      res.once('close', () => lease.release());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > MAX_BODY;
    if (tooLarge) return write(res, json(413, { message: 'Request Entity Too Large' }));
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return write(res, json(413, { message: 'Request Entity Too Large' }));
      handle(options, req, Buffer.concat(chunks)).then(
        (result) => write(res, result),
        (err) => {
          console.error('[local api]', err);
          write(res, json(500, { message: 'Internal Server Error' }));
        },
      );
    });
  });
  answerClientErrors(server, 'local api');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, LOCALHOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOCALHOST}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export async function htmlFile(file: string): Promise<HttpResult> {
  return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: await readFile(file) };
}
