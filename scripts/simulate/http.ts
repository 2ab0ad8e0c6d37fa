/**
 * The simulator talks to the system only as its users do: the HTTP API with the admin key, and the links in
 * its emails. A 503 or 429 (a dependency throttling) is retried after its Retry-After, as an integration
 * would; every request is counted by route, for the cost figures and the progress line.
 */
export interface HttpAnswer {
  status: number;
  body: any;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SimHttp {
  /** Requests made by route (`POST /events`, …), measurement reads included under their own names. */
  readonly counts: Record<string, number> = {};
  /** Answers that were not 2xx, by route and status (a rejected event is a finding, not a crash). */
  readonly refused: Record<string, number> = {};

  constructor(
    private readonly apiUrl: string,
    private readonly apiKey: string,
  ) {}

  post(path: string, body: unknown, route = `POST ${path.split('?')[0]}`): Promise<HttpAnswer> {
    return this.call('POST', path, route, { 'content-type': 'application/json' }, JSON.stringify(body));
  }

  get(path: string, route = `GET ${path.split('?')[0]!.replace(/\/[^/]+$/, '/{id}')}`): Promise<HttpAnswer> {
    return this.call('GET', path, route);
  }

  /** RFC 8058 one-click unsubscribe: the POST a mail client makes to the email's List-Unsubscribe URL. */
  unsubscribe(url: string): Promise<HttpAnswer> {
    const path = url.slice(new URL(url).origin.length);
    return this.call('POST', path, 'POST /unsubscribe', { 'content-type': 'application/x-www-form-urlencoded' }, 'List-Unsubscribe=One-Click', false);
  }

  private async call(method: string, path: string, route: string, headers: Record<string, string> = {}, body?: string, auth = true): Promise<HttpAnswer> {
    for (let attempt = 0; ; attempt++) {
      this.counts[route] = (this.counts[route] ?? 0) + 1;
      const res = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers: { ...headers, ...(auth ? { authorization: `Bearer ${this.apiKey}` } : {}) },
        ...(body !== undefined ? { body } : {}),
      });
      const text = await res.text();
      if ((res.status === 503 || res.status === 429) && attempt < 8) {
        await sleep(Math.min(5_000, 1000 * Number(res.headers.get('retry-after') ?? 1)));
        continue;
      }
      if (res.status >= 300) this.refused[`${route} ${res.status}`] = (this.refused[`${route} ${res.status}`] ?? 0) + 1;
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      return { status: res.status, body: parsed };
    }
  }
}
