import { describe, expect, it } from 'vitest';
import { matchRoute, type LocalRoute } from '../../local/api/routes.js';

const route = (routeKey: string, pattern: RegExp | undefined, paramNames: string[]): LocalRoute => ({
  routeKey,
  method: routeKey === '$default' ? 'ANY' : routeKey.split(' ')[0]!,
  pattern,
  paramNames,
  functionArn: `fn-${routeKey}`,
});

const routes = [route('GET /leads', /^\/leads$/, []), route('GET /leads/{leadId}', /^\/leads\/([^/]+)$/, ['leadId'])];

describe('routing a request path of the local HTTP API', () => {
  it('decodes percent-encoded path parameters', () => {
    expect(matchRoute(routes, 'GET', '/leads/abc%20d%E2%82%AC')).toMatchObject({ route: { routeKey: 'GET /leads/{leadId}' }, pathParameters: { leadId: 'abc d€' } });
  });

  it('routes a parameter that is not valid percent-encoded UTF-8 with its raw value, instead of throwing, so the key is checked first', () => {
    for (const path of ['/leads/%E0%A4%A', '/leads/%', '/leads/%ZZ', '/leads/%C3%28']) {
      expect(() => matchRoute(routes, 'GET', path)).not.toThrow();
      expect(matchRoute(routes, 'GET', path)).toMatchObject({ route: { routeKey: 'GET /leads/{leadId}' }, pathParameters: { leadId: path.slice('/leads/'.length) } });
    }
  });

  it('matches dot segments as they come: /leads/.. is a lead id, not the parent path', () => {
    expect(matchRoute(routes, 'GET', '/leads/..')).toMatchObject({ route: { routeKey: 'GET /leads/{leadId}' }, pathParameters: { leadId: '..' } });
  });
});
