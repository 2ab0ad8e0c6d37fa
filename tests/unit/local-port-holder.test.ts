import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { reservePort } from '../../local/ports.js';

describe('a port held for a local server', () => {
  it('is released even when a client connected while it was held (a browser tab, a wait-for-port script)', async () => {
    const reservation = await reservePort(0, 'HTTP API', 'PORT');
    const client = net.connect({ port: reservation.port, host: '127.0.0.1' });
    client.on('error', () => undefined);
    const dropped = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));

    // Before the fix the placeholder kept the connection open and this never resolved.
    await expect(reservation.release()).resolves.toBeUndefined();
    await dropped;
    client.destroy();
  });
});
