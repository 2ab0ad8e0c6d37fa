import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.js';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ timeScale: 86_400, dynamodb: { endpoint: inject('dynamodbEndpoint') }, ports: 0, tableName: `local-real-${Date.now()}`, env: { LOG_LEVEL: 'ERROR' } });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('the real synthesized app, run locally', () => {
  it('captures a lead, starts its funnel and sends the welcome email', async () => {
    const res = await fetch(`${stack.apiUrl}/leads`, {
      method: 'POST',
      // With the API key (an integration), capture answers 201 with the lead's id; a public form post does not.
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify({ email: 'smoke@example.com', firstName: 'Smoke', consent: true }),
    });
    expect(res.status).toBe(201);
    const { leadId } = (await res.json()) as { leadId: string };
    const deadline = Date.now() + 30_000;
    // The run outbox starts the run from the table stream, right after the answer.
    while (!stack.executions.list('LeadFunnel').length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const [execution] = stack.executions.list('LeadFunnel');
    expect(execution?.name).toBe(`${leadId}-r1`);
    while (!(await stack.mail.list()).some((m) => m.destination?.to?.includes('smoke@example.com')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await stack.mail.list()).some((m) => m.destination?.to?.includes('smoke@example.com'))).toBe(true);
  });
});
