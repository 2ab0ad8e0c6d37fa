/**
 * GET /reports/funnel?from=…&to=…&source=…&utm_campaign=… — the funnel over a day range (default: the last
 * 30 days; at most 400), for all leads or one source and/or campaign (API key). Read from the aggregates the
 * ProjectReports stream consumer keeps; the response is core/reports/types.ts FunnelReport.
 */
import { funnelReport } from '../core/reports/funnel-report.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { reportRepStore, reportStore } from '../shared/report-deps.js';
import * as z from '../shared/schema.js';
import { plainText } from '../shared/validation.js';

const config = loadConfig('table');
const deps = { reports: reportStore(config), reps: reportRepStore(config), clock: config.clock };

const day = () => z.optional(z.iso.date('must be a date YYYY-MM-DD'));
export const funnelReportQuery = z.strictObject({
  from: day(),
  to: day(),
  source: z.optional(plainText(100)),
  utm_campaign: z.optional(plainText(100)),
});

export const handler = httpRoute(async (event) => {
  const query = funnelReportQuery.parse(event.queryStringParameters ?? {});
  return json(200, await funnelReport(deps, query));
});
