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

/** Resolves to a port that was free a moment ago (0 → an ephemeral one) or throws PortInUseError. */
export async function reservePort(port: number, what: string, knob: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, what, knob) : err),
    );
    probe.listen({ port, host: LOCALHOST, exclusive: true }, () => {
      const chosen = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(chosen));
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
