/** GET /reports/onboarding — reps by status, certification and ramp times, quizzes, overdue modules, expiring certifications (API key). */
import { onboardingReport } from '../core/reports/onboarding-report.js';
import { loadConfig } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';
import { reportStore } from '../shared/report-deps.js';
import * as z from '../shared/schema.js';

const config = loadConfig('table');
const deps = { reports: reportStore(config), clock: config.clock };

/** No parameters: anything given is refused by name. */
export const onboardingReportQuery = z.strictObject({});

export const handler = httpRoute(async (event) => {
  onboardingReportQuery.parse(event.queryStringParameters ?? {});
  return json(200, await onboardingReport(deps));
});
