/**
 * GET /dashboard and its assets, called as Lambda would: a page with no data and a policy that lets
 * nothing run but this API's own scripts, the scripts it names served under content hashes with a
 * long cache (gzipped when the browser takes it), and any other name a 404.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, handlerEnv, httpEvent } from './handlers-support.js';

let handler: typeof import('../../functions/http/dashboard.js').handler;
beforeAll(async () => {
  handlerEnv();
  ({ handler } = await import('../../functions/http/dashboard.js'));
});

const page = () => call(handler, httpEvent({ path: '/dashboard' }));
const asset = (name: string, headers: Record<string, string> = {}) =>
  call(handler, httpEvent({ path: `/dashboard/${name}`, pathParameters: { asset: name }, headers }));
/** The files the page loads, in order: `dashboard/<name>` from its script and link tags. */
const referenced = (html: string) => [...html.matchAll(/<(?:script src|link rel="stylesheet" href)="dashboard\/([^"]+)"/g)].map((m) => m[1]!);
const icon = (html: string) => /<link rel="icon" href="dashboard\/([^"]+)"/.exec(html)?.[1];

describe('GET /dashboard', () => {
  it('answers the page with a policy that allows only this origin’s scripts and styles, and no framing', async () => {
    const res = await page();
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    const csp = String(res.headers!['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(csp).not.toMatch(/unsafe-|https?:|\*/);
  });

  it('has no inline script or style, and loads Chart.js, its matrix plugin, then its own script', async () => {
    const html = (await page()).body as string;
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const files = referenced(html);
    expect(files).toHaveLength(4);
    expect(files[0]).toMatch(/^dashboard\.[0-9a-f]{12}\.css$/);
    expect(files.slice(1)).toEqual([expect.stringMatching(/^chart\.[0-9a-f]{12}\.js$/), expect.stringMatching(/^chart-matrix\.[0-9a-f]{12}\.js$/), expect.stringMatching(/^dashboard\.[0-9a-f]{12}\.js$/)]);
  });

  it('holds no data: a form for the key (never submitted in a URL) and empty panels', async () => {
    const html = (await page()).body as string;
    expect(html).toContain('<label for="api-key">API key</label>');
    // No `name`: even a form submitted without the script would not put the key in the URL.
    expect(html).toMatch(/<input id="api-key" type="password"(?![^>]*\bname=)[^>]*>/);
    expect(html).not.toContain('<canvas');
    expect(html.match(/Waiting for the report…/g)).toHaveLength(9);
    for (const heading of ['Funnel and conversion', 'Time in stage', 'Cohorts by capture week', 'Rep leaderboard and SLA', 'Onboarding progress', 'NPS trend', 'Health distribution', 'Renewals in the next 90 days']) {
      expect(html).toContain(`>${heading}</h3>`);
    }
  });
});

describe('GET /dashboard/{asset}', () => {
  it('serves each file the page names, with a year’s immutable cache', async () => {
    const [css, chart, matrix, script] = referenced((await page()).body as string);
    const expected: Array<[string, string, string]> = [
      [css!, 'text/css; charset=utf-8', readFileSync('functions/web/dashboard.css', 'utf8')],
      [script!, 'text/javascript; charset=utf-8', readFileSync('functions/web/dashboard.js', 'utf8')],
    ];
    for (const [name, type, body] of expected) {
      const res = await asset(name);
      expect(res.statusCode).toBe(200);
      expect(res.headers).toMatchObject({ 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' });
      expect(res.body).toBe(body);
    }
    const iconFile = await asset(icon((await page()).body as string)!);
    expect(iconFile.headers).toMatchObject({ 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=31536000, immutable' });
    expect(iconFile.body).toMatch(/^<svg /);
    const chartJs = await asset(chart!);
    expect(chartJs.body).toMatch(/^\/\*!\s*\n \* Chart\.js v4\./);
    expect(chartJs.body).not.toContain('sourceMappingURL');
    expect((await asset(matrix!)).body).toContain('chartjs-chart-matrix');
  });

  it('gzips a file for a browser that accepts it, to the same bytes', async () => {
    const chart = referenced((await page()).body as string)[1]!;
    const plain = await asset(chart);
    const zipped = await asset(chart, { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.headers).toMatchObject({ 'content-encoding': 'gzip', vary: 'accept-encoding' });
    expect(zipped.isBase64Encoded).toBe(true);
    const bytes = Buffer.from(zipped.body as string, 'base64');
    expect(gunzipSync(bytes).toString('utf8')).toBe(plain.body);
    expect(bytes.byteLength).toBeLessThan((plain.body as string).length / 2);
  });

  it('sends the plain file to a browser that refuses gzip or names only other codings', async () => {
    const chart = referenced((await page()).body as string)[1]!;
    for (const acceptEncoding of ['identity', 'gzip;q=0', 'br, deflate', 'gzip;q=0, *', '']) {
      const res = await asset(chart, { 'accept-encoding': acceptEncoding });
      expect(res.headers!['content-encoding'], acceptEncoding).toBeUndefined();
      expect(res.body).toMatch(/Chart\.js v4/);
    }
    for (const acceptEncoding of ['GZIP', 'br;q=1.0, gzip;q=0.8', '*']) {
      expect((await asset(chart, { 'accept-encoding': acceptEncoding })).headers!['content-encoding'], acceptEncoding).toBe('gzip');
    }
  });

  it('answers 404 for any other name, an old hash included', async () => {
    const script = referenced((await page()).body as string)[3]!;
    for (const name of ['nope.js', script.replace(/\.[0-9a-f]{12}\./, '.000000000000.'), '..%2Fpackage.json', 'chart.umd.min.js']) {
      const res = await asset(name);
      expect(res.statusCode).toBe(404);
      expect(res.json).toMatchObject({ error: 'NotFound' });
    }
  });
});
