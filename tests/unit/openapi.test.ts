import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EVENT_TYPES, STAGES } from '../../functions/core/model.js';
import { handlerEnv } from './handlers-support.js';

interface Operation {
  'x-handler': string;
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
}
const spec = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; enum?: string[]; required?: string[] }> };
};
const operations = Object.entries(spec.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
);

/** The HTTP routes of docs/internals.md's Lambda table: `| Name | functions/http/x.ts | GET /a, POST /a (…) |`. */
function documentedRoutes(): Map<string, string> {
  const routes = new Map<string, string>();
  for (const line of readFileSync('docs/internals.md', 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const entry = cells[2];
    if (!entry?.startsWith('functions/http/')) continue;
    for (const m of cells[3]!.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) (\/[^\s,(]*)/g)) routes.set(`${m[1]} ${m[2]}`, entry);
  }
  return routes;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1', () => {
    expect(spec.openapi).toBe('3.1.0');
  });

  it('describes exactly the routes of the architecture notes, each with the handler that serves it', () => {
    const documented = documentedRoutes();
    expect(documented.size).toBeGreaterThanOrEqual(6);
    expect(Object.fromEntries(operations.map(({ route, op }) => [route, op['x-handler']]))).toEqual(Object.fromEntries(documented));
    for (const { op } of operations) expect(existsSync(op['x-handler']), op['x-handler']).toBe(true);
  });

  it('asks for the API key exactly on the admin and webhook routes', () => {
    const secured = operations.filter(({ op }) => op.security?.length).map(({ route }) => route).sort();
    expect(secured).toEqual([
      'DELETE /leads/{leadId}', 'GET /customers', 'GET /customers/{customerId}', 'GET /leads', 'GET /leads/{leadId}', 'GET /privacy/export', 'GET /reports/funnel', 'GET /reports/onboarding', 'GET /reports/retention', 'GET /reps', 'GET /reps/{repId}', 'POST /customers', 'POST /customers/{customerId}/feedback', 'POST /events', 'POST /privacy/erasure',
      'POST /reps', 'POST /reps/{repId}/modules/{moduleId}/completions', 'POST /reps/{repId}/modules/{moduleId}/reset', 'POST /reps/{repId}/signoff', 'POST /reps/{repId}/status',
    ]);
  });

  it('uses the domain’s stages and event types', () => {
    expect(spec.components.schemas.Stage!.enum).toEqual([...STAGES]);
    expect(spec.components.schemas.EventType!.enum).toEqual([...EVENT_TYPES]);
  });

  describe('request bodies match the handlers’ validation', () => {
    beforeAll(() => {
      handlerEnv();
      vi.resetModules();
    });

    it('lists the same capture fields as POST /leads accepts', async () => {
      const { captureBody } = await import('../../functions/http/capture-lead.js');
      expect(Object.keys(spec.components.schemas.CaptureRequest!.properties!).sort()).toEqual(Object.keys(captureBody.shape).sort());
    });

    it('lists the same erasure fields as POST /privacy/erasure accepts', async () => {
      const { erasureBody } = await import('../../functions/http/privacy-erasure.js');
      expect(Object.keys(spec.components.schemas.ErasureRequest!.properties!).sort()).toEqual(Object.keys(erasureBody.shape).sort());
    });

    it('lists the same query parameters as GET /privacy/export accepts', async () => {
      const { exportQuery } = await import('../../functions/http/privacy-export.js');
      const params = (spec.paths['/privacy/export']!.get as unknown as { parameters: Array<{ name: string }> }).parameters.map((p) => p.name);
      expect(params.sort()).toEqual(Object.keys(exportQuery.shape).sort());
    });

    it('lists the same rep fields as the rep routes accept', async () => {
      Object.assign(process.env, {
        REP_ONBOARDING_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:RepOnboarding',
        RETENTION_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:CustomerRetention',
        ONBOARDING_PROGRAMME_VERSION: '1',
        MANAGER_EMAIL: 'manager@example.com',
      });
      const fields = (name: string) => Object.keys(spec.components.schemas[name]!.properties!).sort();
      expect(fields('CreateRepRequest')).toEqual(Object.keys((await import('../../functions/http/create-rep.js')).createRepBody.shape).sort());
      expect(fields('CompletionRequest')).toEqual(Object.keys((await import('../../functions/http/record-completion.js')).completionBody.shape).sort());
      expect(fields('SignOffRequest')).toEqual(Object.keys((await import('../../functions/http/sign-off-rep.js')).signOffBody.shape).sort());
      expect(fields('RepStatusRequest')).toEqual(Object.keys((await import('../../functions/http/set-rep-status.js')).repStatusBody.shape).sort());
    });

    it('lists the same query parameters as GET /customers accepts', async () => {
      const { listCustomersQuery } = await import('../../functions/http/list-customers.js');
      const params = (spec.paths['/customers']!.get as unknown as { parameters: Array<{ name: string }> }).parameters.map((p) => p.name);
      expect(params.sort()).toEqual(Object.keys(listCustomersQuery.shape).sort());
    });

    it('lists the same query parameters as the report routes accept', async () => {
      const params = (path: string) => (spec.paths[path]!.get as unknown as { parameters: Array<{ name: string }> }).parameters.map((p) => p.name).sort();
      expect(params('/reports/funnel')).toEqual(Object.keys((await import('../../functions/http/report-funnel.js')).funnelReportQuery.shape).sort());
      expect(params('/reports/onboarding')).toEqual(Object.keys((await import('../../functions/http/report-onboarding.js')).onboardingReportQuery.shape));
      expect(params('/reports/retention')).toEqual(Object.keys((await import('../../functions/http/report-retention.js')).retentionReportQuery.shape));
    });

    it('lists the same feedback fields as POST /customers/{customerId}/feedback accepts', async () => {
      const { feedbackBody } = await import('../../functions/http/customer-feedback.js');
      expect(Object.keys(spec.components.schemas.FeedbackRequest!.properties!).sort()).toEqual(Object.keys(feedbackBody.shape).sort());
    });

    it('lists the same fields as POST /customers accepts', async () => {
      const { newCustomerBody } = await import('../../functions/http/create-customer.js');
      expect(Object.keys(spec.components.schemas.NewCustomerRequest!.properties!).sort()).toEqual(Object.keys(newCustomerBody.shape).sort());
    });

    it('lists the same event fields as POST /events accepts', async () => {
      const { eventBody } = await import('../../functions/http/ingest-event.js');
      expect(Object.keys(spec.components.schemas.EventRequest!.properties!).sort()).toEqual(Object.keys(eventBody.shape).sort());
    });
  });
});
