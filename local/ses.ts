/** aws-ses-v2-local in-process, bound to 127.0.0.1 (its default is every interface). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCALHOST } from './ports.js';

export async function startSes(port: number): Promise<{ url: string; port: number; close(): Promise<void> }> {
  type Start = (c: { host: string; port: number }) => Promise<Server>;
  const mod = (await import('aws-ses-v2-local')) as unknown as { default?: Start | { default: Start } };
  // Under plain Node ESM the CommonJS default export arrives one level deeper (module.exports.default).
  const outer = (mod.default ?? mod) as Start | { default: Start };
  const start = typeof outer === 'function' ? outer : outer.default;
  const server = await start({ host: LOCALHOST, port });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOCALHOST}:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
