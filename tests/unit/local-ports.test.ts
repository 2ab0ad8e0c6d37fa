import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { PortInUseError, reservePort } from '../../local/ports.js';

const bind = (port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });

describe('port reservations of the local runtime', () => {
  it('hold an ephemeral port until released, so no other bind can take it in between', async () => {
    const reservation = await reservePort(0, 'HTTP API', 'PORT');
    await expect(bind(reservation.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(reservePort(reservation.port, 'HTTP API', 'PORT')).rejects.toBeInstanceOf(PortInUseError);
    await reservation.release();
    const server = await bind(reservation.port);
    server.close();
  });

  it('can be released more than once', async () => {
    const reservation = await reservePort(0, 'local SES', 'SES_PORT');
    await reservation.release();
    await expect(reservation.release()).resolves.toBeUndefined();
  });
});
