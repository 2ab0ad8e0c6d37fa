/** GET /reports/retention — NPS and its trend, health, at-risk customers, renewals due, cohort retention, referrals (API key). */
import { retentionReport } from '../core/reports/retention-report.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { reportCustomerStore, reportStore } from '../shared/report-deps.js';
import * as z from '../shared/schema.js';

const config = loadConfig('table');
const deps = { reports: reportStore(config), customers: reportCustomerStore(config), clock: config.clock };

/** No parameters: anything given is refused by name. */
export const retentionReportQuery = z.strictObject({});

export const handler = httpRoute(async (event) => {
  retentionReportQuery.parse(event.queryStringParameters ?? {});
  return json(200, await retentionReport(deps));
});
