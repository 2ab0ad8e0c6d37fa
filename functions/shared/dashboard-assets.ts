/**
 * The dashboard's browser files, as text: Chart.js (its UMD build), the matrix plugin that draws the
 * cohort heat map, and the page's own script and style sheet (functions/web/). Each is served under a
 * name carrying a hash of its content, so a browser may keep it for a year: a new build is a new name.
 *
 * The same code runs two ways. In a Lambda bundle, esbuild has inlined each file (an import with
 * `type: 'text'`), and there is no checkout to read. Unbundled (the local runtime under tsx, the tests
 * under vitest), Node has no text imports — it refuses the import, and vitest would even run the file
 * as a module — so the file is read from the checkout, which is there. Hence: the checkout's file if it
 * exists, else the bundle's copy. One literal path per file, written twice, because esbuild inlines
 * only an import whose path it can read.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

type TextModule = { default: string };

async function text(file: URL, bundled: () => Promise<TextModule>): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return (await bundled()).default;
}

const [chartJs, matrixJs, dashboardJs, dashboardCss] = await Promise.all([
  text(
    new URL('../../node_modules/chart.js/dist/chart.umd.min.js', import.meta.url),
    // @ts-ignore: a plain JS file without types, imported as text (esbuild)
    () => import('../../node_modules/chart.js/dist/chart.umd.min.js', { with: { type: 'text' } }),
  ),
  text(
    new URL('../../node_modules/chartjs-chart-matrix/dist/chartjs-chart-matrix.min.js', import.meta.url),
    // @ts-ignore: a plain JS file without types, imported as text (esbuild)
    () => import('../../node_modules/chartjs-chart-matrix/dist/chartjs-chart-matrix.min.js', { with: { type: 'text' } }),
  ),
  text(
    new URL('../web/dashboard.js', import.meta.url),
    // @ts-ignore: browser code, imported as text (esbuild)
    () => import('../web/dashboard.js', { with: { type: 'text' } }),
  ),
  text(
    new URL('../web/dashboard.css', import.meta.url),
    // @ts-ignore: a style sheet, imported as text (esbuild)
    () => import('../web/dashboard.css', { with: { type: 'text' } }),
  ),
]);

export interface DashboardAsset {
  /** The file name under /dashboard/, e.g. `chart.3f2a9c1b0d.js`. */
  name: string;
  contentType: string;
  body: string;
  /** The gzip of `body`, made on first use (Chart.js: ~205 KB → ~70 KB on the wire). */
  gzipped(): Buffer;
}

/** A source map comment would send the browser's developer tools after a file that is not served. */
const withoutSourceMap = (source: string) => source.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');

/** The tab's icon (three rising bars); without one, every browser asks for /favicon.ico and gets a 404. */
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1d4ed8"/>' +
  '<rect x="7" y="17" width="4.5" height="8" rx="1" fill="#fff"/><rect x="13.75" y="12" width="4.5" height="13" rx="1" fill="#fff"/>' +
  '<rect x="20.5" y="7" width="4.5" height="18" rx="1" fill="#fff"/></svg>';

const CONTENT_TYPES = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' } as const;

function asset(stem: string, extension: keyof typeof CONTENT_TYPES, body: string): DashboardAsset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  let gzipped: Buffer | undefined;
  return {
    name: `${stem}.${hash}.${extension}`,
    contentType: CONTENT_TYPES[extension],
    body,
    gzipped: () => (gzipped ??= gzipSync(body, { level: 9 })),
  };
}

/** Scripts load in this order: Chart.js, then the plugin that registers itself on it, then the page's own. */
export const DASHBOARD_ASSETS = {
  chart: asset('chart', 'js', withoutSourceMap(chartJs)),
  matrix: asset('chart-matrix', 'js', withoutSourceMap(matrixJs)),
  script: asset('dashboard', 'js', dashboardJs),
  style: asset('dashboard', 'css', dashboardCss),
  icon: asset('icon', 'svg', ICON_SVG),
} as const;

const BY_NAME = new Map(Object.values(DASHBOARD_ASSETS).map((a) => [a.name, a]));

export const dashboardAsset = (name: string | undefined): DashboardAsset | undefined => (name ? BY_NAME.get(name) : undefined);
