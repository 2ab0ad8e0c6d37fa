/**
 * aws-ses-v2-local in-process, bound to 127.0.0.1 (its default is every interface), with an optional
 * sending rate: SendEmail calls beyond R a second are answered as SES v2 answers an account over its
 * sending rate (429 TooManyRequestsException, "Maximum sending rate exceeded."), so the real SDK
 * raises its real exception and the real retry paths run.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCALHOST } from './ports.js';

/** SES v2 SendEmail (the only send the app uses). */
const SEND_EMAIL = '/v2/email/outbound-emails';

export interface SesThrottleStats {
  /** SendEmail calls let through since the stack started. */
  admitted: number;
  /** SendEmail calls answered 429 (each SDK attempt counts). */
  throttled: number;
}

/**
 * SES's sending rate as a token bucket: R sends a second, bursts of up to R (an idle second saves up
 * at most a second's worth; at least one send). No rate: every send goes through.
 */
export class SesThrottle {
  readonly stats: SesThrottleStats = { admitted: 0, throttled: 0 };
  private rate?: number;
  private tokens = 0;
  private refilledAt = 0;

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** Sends per second from now on (a full bucket), or `undefined` for no limit. */
  set(ratePerSecond: number | undefined): void {
    if (ratePerSecond !== undefined && !(ratePerSecond > 0 && Number.isFinite(ratePerSecond))) {
      throw new RangeError(`the SES sending rate must be a positive number of emails per second, got ${ratePerSecond}`);
    }
    this.rate = ratePerSecond;
    this.tokens = ratePerSecond === undefined ? 0 : Math.max(1, ratePerSecond);
    this.refilledAt = this.nowMs();
  }

  get ratePerSecond(): number | undefined {
    return this.rate;
  }

  /** Takes a token for one send; false (and counted) when the bucket is empty. */
  admit(): boolean {
    if (this.rate === undefined) {
      this.stats.admitted += 1;
      return true;
    }
    const now = this.nowMs();
    this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.stats.admitted += 1;
      return true;
    }
    this.stats.throttled += 1;
    return false;
  }
}

export async function startSes(port: number, throttle?: SesThrottle): Promise<{ url: string; port: number; close(): Promise<void> }> {
  type Start = (c: { host: string; port: number }) => Promise<Server>;
  const mod = (await import('aws-ses-v2-local')) as unknown as { default?: Start | { default: Start } };
  // Under plain Node ESM the CommonJS default export arrives one level deeper (module.exports.default).
  const outer = (mod.default ?? mod) as Start | { default: Start };
  const start = typeof outer === 'function' ? outer : outer.default;
  const server = await start({ host: LOCALHOST, port });
  if (throttle) gateSendEmail(server, throttle);
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOCALHOST}:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Puts the throttle in front of the library's own request handler (express), for SendEmail only. */
function gateSendEmail(server: Server, throttle: SesThrottle): void {
  const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url?.split('?')[0] === SEND_EMAIL && !throttle.admit()) {
      req.resume();
      res.writeHead(429, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'TooManyRequestsException',
        'x-amzn-requestid': randomUUID(),
      });
      res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
      return;
    }
    for (const handle of handlers) handle.call(server, req, res);
  });
}
