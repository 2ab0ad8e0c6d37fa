/**
 * npm start remembers where compressed time had got to; a stack started from there stamps what the
 * handlers write from that time on, so timelines never run backwards across restarts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../functions/core/clock.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { synthesizedApp } from '../support/app.js';

const virtualStart = Date.now() + 30 * DAY_MS;
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({
    ...synthesizedApp(),
    dynamodb: { endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB! },
    ports: 0,
    timeScale: 1,
    virtualStartMs: virtualStart,
    tableName: `clock-${randomUUID()}`,
    env: { LOG_LEVEL: 'ERROR' },
  });
});
afterAll(() => stack?.stop());

describe('the local clock across restarts', () => {
  it('stamps new records from the virtual time it was started at, not from the wall clock', async () => {
    expect(stack.clock.now().getTime()).toBeGreaterThanOrEqual(virtualStart);
    // With the API key (an integration), capture answers with the new lead's id; a public form post does not.
    const res = await fetch(`${stack.apiUrl}/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify({ email: `clock-${randomUUID()}@example.com` }),
    });
    expect(res.status).toBe(201);
    const { leadId } = (await res.json()) as { leadId: string };
    const lead = (await (await fetch(`${stack.apiUrl}/leads/${leadId}`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).json()) as {
      createdAt: string;
      timeline: Array<{ at: string }>;
    };
    expect(Date.parse(lead.createdAt)).toBeGreaterThanOrEqual(virtualStart);
    expect(lead.timeline.every((e) => Date.parse(e.at) >= virtualStart)).toBe(true);
  });
});
