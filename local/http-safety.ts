/**
 * What keeps one bad request from stopping a local HTTP server. Node validates a response's status
 * and headers when it writes them and THROWS (ERR_INVALID_CHAR for a '€' or CR/LF in a value,
 * ERR_HTTP_INVALID_STATUS_CODE, …); thrown from a promise callback, that became an unhandled
 * rejection and ended `npm start`. A gateway answers such a response with a 500 and carries on.
 */
import type { Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number>;
  body: Buffer | string;
}

const INTERNAL_ERROR = Buffer.from(JSON.stringify({ message: 'Internal Server Error' }));

const oneLine = (err: unknown) => String((err as Error)?.message ?? err).replace(/\s+/g, ' ');

/** Writes the response; one that Node refuses to write becomes this request's 500, logged in one line. */
export function writeSafely(res: ServerResponse, response: RawResponse, label: string, fallback: RawResponse = internalError()): void {
  try {
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
    res.writeHead(response.statusCode, { ...response.headers, 'content-length': String(body.length) });
    res.end(body);
  } catch (err) {
    console.error(`[${label}] could not write a ${response.statusCode} response (${oneLine(err)}); answered 500 instead`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    try {
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      const body = typeof fallback.body === 'string' ? Buffer.from(fallback.body) : fallback.body;
      res.writeHead(fallback.statusCode, { ...fallback.headers, 'content-length': String(body.length) });
      res.end(body);
    } catch (again) {
      console.error(`[${label}] could not write the 500 either (${oneLine(again)}); closing the connection`);
      res.destroy();
    }
  }
}

export function internalError(): RawResponse {
  return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: INTERNAL_ERROR };
}

/**
 * Malformed HTTP (a bad request line, an invalid header, headers too large) is answered by the
 * server itself, before any handler: 400 (431 for oversized headers) and the socket is closed.
 */
export function answerClientErrors(server: Server, label: string): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = JSON.stringify({ message: reason });
    console.error(`[${label}] malformed request (${err.code ?? oneLine(err)}): answered ${status}`);
    socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`, () =>
      socket.destroy(),
    );
  });
}
