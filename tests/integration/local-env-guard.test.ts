import { describe, expect, it } from 'vitest';
import { assertLocalEndpoints, GUARDED_ENDPOINTS } from '../support/setup-env.js';

const allLocal = Object.fromEntries(GUARDED_ENDPOINTS.map((name) => [name, 'http://127.0.0.1:9']));

describe('the test environment guard', () => {
  it('accepts endpoints that all point to 127.0.0.1', () => {
    expect(() => assertLocalEndpoints(allLocal)).not.toThrow();
  });

  it('refuses a missing endpoint and names it', () => {
    const { AWS_ENDPOINT_URL_SFN: _dropped, ...env } = allLocal;
    expect(() => assertLocalEndpoints(env)).toThrow(/AWS_ENDPOINT_URL_SFN=\(unset\)/);
  });

  it('refuses an endpoint that is not 127.0.0.1', () => {
    expect(() => assertLocalEndpoints({ ...allLocal, AWS_ENDPOINT_URL_SESV2: 'https://email.us-east-1.amazonaws.com' })).toThrow(
      /AWS_ENDPOINT_URL_SESV2/,
    );
  });
});
