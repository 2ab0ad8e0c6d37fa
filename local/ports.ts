/** Small network helpers shared by the local services: everything binds to 127.0.0.1 only. */
import net from 'node:net';

export const LOCALHOST = '127.0.0.1';

/** Thrown when a fixed port is busy, so the CLI can print one sentence instead of a stack. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly port: number,
    readonly what: string,
    readonly knob: string,
  ) {
    super(`Port ${port} (${what}) is already in use: stop whatever is using it, or set ${knob} to a free port.`);
  }
}

export interface PortReservation {
  port: number;
  /** Frees the port for the server that will use it; call it right before that server listens. */
  release(): Promise<void>;
}

/**
 * Holds a port (0 → an ephemeral one) by listening on it, or throws PortInUseError. Holding it until
 * the real server binds matters: a port probed and closed at once can be handed by the kernel to the
 * next ephemeral bind (another stand-in, another test worker) in the seconds before it is used.
 */
export async function reservePort(port: number, what: string, knob: string): Promise<PortReservation> {
  return new Promise((resolve, reject) => {
    // close() waits for every open connection, so whatever connects while the port is held (a
    // browser tab, a wait-for-port script) would block the release forever: drop it at once.
    const holder = net.createServer((socket) => socket.destroy());
    holder.unref();
    holder.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, what, knob) : err),
    );
    holder.listen({ port, host: LOCALHOST, exclusive: true }, () => {
      let released: Promise<void> | undefined;
      resolve({
        port: (holder.address() as net.AddressInfo).port,
        release: () => (released ??= new Promise<void>((done) => holder.close(() => done()))),
      });
    });
  });
}

/** Polls a TCP port until something accepts connections (a child process finished starting). */
export async function waitForPort(port: number, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: LOCALHOST });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (!isAlive()) throw new Error(`the process meant to listen on port ${port} exited`);
    if (Date.now() > deadline) throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
