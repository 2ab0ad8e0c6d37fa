/**
 * A JSON call to a local stack's HTTP API, as an integration makes it: the tests and scripts that drive a local
 * stack share it. A body, when there is one, is sent as JSON; the answer's body is parsed when there is one. With
 * `auth` (the default) the stack's API key goes along as a bearer token.
 */
export interface ApiAnswer {
  status: number;
  body: any;
}

export type ApiCall = (method: string, path: string, body?: unknown, options?: { auth?: boolean }) => Promise<ApiAnswer>;

export function apiClient(stack: { apiUrl: string; apiKey: string }): ApiCall {
  return async (method, path, body, { auth = true } = {}) => {
    const res = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(auth ? { authorization: `Bearer ${stack.apiKey}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}
