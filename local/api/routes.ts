/** The HTTP API as synthesized: routes, their integrations' functions, authorizers, CORS. */
import { resolveIntrinsics, resourcesOfType, type CfnTemplate, type ReferenceMap } from '../template.js';

export interface LocalAuthorizer {
  id: string;
  functionArn: string;
  identitySource: string[];
  simpleResponses: boolean;
}

export interface LocalRoute {
  routeKey: string;
  method: string;
  pattern?: RegExp;
  paramNames: string[];
  functionArn: string;
  authorizer?: LocalAuthorizer;
}

export interface CorsConfig {
  AllowOrigins?: string[];
  AllowMethods?: string[];
  AllowHeaders?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
  AllowCredentials?: boolean;
}

export interface HttpApiModel {
  routes: LocalRoute[];
  cors?: CorsConfig;
}

function compilePath(path: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const greedy = /^\{(.+)\+\}$/.exec(segment);
      if (greedy) {
        paramNames.push(greedy[1]!);
        return '(.+)';
      }
      const param = /^\{(.+)\}$/.exec(segment);
      if (param) {
        paramNames.push(param[1]!);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), paramNames };
}

export function readHttpApi(template: CfnTemplate, refs: ReferenceMap): HttpApiModel {
  const r = (v: unknown) => resolveIntrinsics(v, refs, template);
  const integrations = new Map<string, string>();
  for (const [id, res] of resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')) {
    integrations.set(id, String(r(res.Properties?.IntegrationUri)));
  }
  const authorizers = new Map<string, LocalAuthorizer>();
  for (const [id, res] of resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer')) {
    const uri = String(r(res.Properties?.AuthorizerUri));
    const fn = /functions\/(.+)\/invocations/.exec(uri)?.[1] ?? uri;
    authorizers.set(id, {
      id,
      functionArn: fn,
      identitySource: ((r(res.Properties?.IdentitySource) as string[] | undefined) ?? []).map(String),
      simpleResponses: Boolean(res.Properties?.EnableSimpleResponses),
    });
  }
  const routes: LocalRoute[] = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([id, res]) => {
    const routeKey = String(r(res.Properties?.RouteKey));
    const target = String(r(res.Properties?.Target) ?? '');
    const integrationId = target.replace(/^integrations\//, '');
    const functionArn = integrations.get(integrationId);
    if (!functionArn) throw new Error(`Route ${id} (${routeKey}) targets ${target}, which is not a Lambda integration of this template`);
    let authorizer: LocalAuthorizer | undefined;
    if (res.Properties?.AuthorizationType === 'CUSTOM') {
      authorizer = authorizers.get(String(r(res.Properties.AuthorizerId)));
      if (!authorizer) throw new Error(`Route ${id} (${routeKey}) uses a CUSTOM authorizer that is not in the template`);
    }
    if (routeKey === '$default') return { routeKey, method: 'ANY', paramNames: [], functionArn, authorizer };
    const [method, path] = routeKey.split(' ') as [string, string];
    return { routeKey, method, ...compilePath(path), functionArn, authorizer };
  });
  const [, api] = resourcesOfType(template, 'AWS::ApiGatewayV2::Api')[0] ?? [];
  return { routes, cors: api?.Properties?.CorsConfiguration ? (r(api.Properties.CorsConfiguration) as CorsConfig) : undefined };
}

/**
 * A path parameter as the handler sees it: percent-decoded, or — when it is not valid percent-encoded
 * UTF-8 (`%E0%A4%A`) — left as it came. The route still matches, so the authorizer runs first, as on
 * API Gateway, and the handler refuses the odd value (an id like that names nothing: 404).
 */
function decodeParameter(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Most specific match wins, as in API Gateway: exact paths before parameters, greedy last, $default at the end.
 */
export function matchRoute(routes: LocalRoute[], method: string, path: string) {
  const specificity = (route: LocalRoute) => (route.routeKey === '$default' ? 3 : route.pattern!.source.includes('(.+)') ? 2 : route.paramNames.length ? 1 : 0);
  const candidates = routes
    .filter((route) => route.method === method || route.method === 'ANY')
    .sort((a, b) => specificity(a) - specificity(b) || (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0));
  for (const route of candidates) {
    if (route.routeKey === '$default') return { route, pathParameters: undefined };
    const m = route.pattern!.exec(path);
    if (!m) continue;
    const pathParameters = Object.fromEntries(route.paramNames.map((n, i) => [n, decodeParameter(m[i + 1]!)]));
    return { route, pathParameters: route.paramNames.length ? pathParameters : undefined };
  }
  return undefined;
}
