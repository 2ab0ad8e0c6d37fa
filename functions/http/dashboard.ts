/**
 * GET /dashboard and GET /dashboard/{asset} (public): the dashboard page and its scripts and style
 * sheet. Nothing here reads the table or knows the API key: the page holds no data, asks for the key
 * in the browser and reads the reports (GET /reports/*, API key) from there. Assets are served under
 * content-hashed names with a year's cache; any other name is a 404.
 */
import { NotFoundError } from '../core/errors.js';
import { dashboardAsset } from '../shared/dashboard-assets.js';
import { ASSET_CACHE_CONTROL, PAGE_HEADERS, SECURITY_HEADERS, dashboardPage } from '../shared/dashboard-page.js';
import { header, httpRoute } from '../shared/http.js';

const PAGE = dashboardPage();

/** Does the request take gzip (RFC 9110: named, else `*`, with a q above 0)? */
function acceptsGzip(acceptEncoding: string | undefined): boolean {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((p) => p.trim());
    const q = params.find((p) => p.startsWith('q='));
    if (coding) weights.set(coding, q ? Number(q.slice(2)) : 1);
  }
  const q = weights.get('gzip') ?? weights.get('*') ?? 0;
  return q > 0;
}

export const handler = httpRoute(async (event) => {
  if (event.pathParameters?.asset === undefined) return { statusCode: 200, headers: PAGE_HEADERS, body: PAGE };
  const asset = dashboardAsset(event.pathParameters.asset);
  if (!asset) throw new NotFoundError('No such dashboard file');
  // A file opened on its own (the icon is an SVG document) may run and load nothing.
  const headers = { ...SECURITY_HEADERS, 'content-type': asset.contentType, 'content-security-policy': "default-src 'none'", 'cache-control': ASSET_CACHE_CONTROL, vary: 'accept-encoding' };
  if (!acceptsGzip(header(event, 'accept-encoding'))) return { statusCode: 200, headers, body: asset.body };
  return { statusCode: 200, headers: { ...headers, 'content-encoding': 'gzip' }, body: asset.gzipped().toString('base64'), isBase64Encoded: true };
});
