/**
 * DynamoDB throttling the handlers' writes (the local fault proxy, answering as DynamoDB does) seen from
 * the HTTP API: a caller cannot wait, so once the SDK's own retries are spent the route answers 503 with
 * Retry-After, having stored nothing; the same request succeeds once the throttling ends.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, entriesOf, eventually, timelineTypes, uniqueEmail, type App } from '../support/app.js';

let app: App;
let db: DynamoDBDocumentClient;
beforeAll(async () => {
  app = await bootApp(1, { dynamodbFaults: { seed: 9 } });
  // DynamoDB Local itself, not the proxy: what is really stored.
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: app.stack.dynamodbEndpoint }));
});
afterAll(async () => {
  db?.destroy();
  await app?.stop();
});

async function post(path: string, body: unknown) {
  const res = await fetch(`${app.stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${app.stack.apiKey}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
}

const stored = async () => (await db.send(new ScanCommand({ TableName: app.stack.tableName, ConsistentRead: true }))).Items ?? [];

describe('DynamoDB throttling writes under the HTTP API', () => {
  it('answers POST /leads 503 with Retry-After while every write is throttled, stores nothing, and takes the same lead after', async () => {
    const email = uniqueEmail('throttled');
    const lead = { email, firstName: 'Tia', company: 'Acme', consent: true };
    expect(await stored()).toEqual([]);

    app.stack.faults.failDynamoDbWrites(1);
    const refused = await post('/leads', lead);
    expect(refused).toMatchObject({ status: 503, body: { error: 'ServiceUnavailable' } });
    expect(refused.retryAfter).toMatch(/^[1-9]\d*$/);
    const { throttled, writes } = app.stack.faults.dynamoDbWriteStats();
    // Every write attempt (the SDK's retries included) was throttled, and none reached the table.
    expect(throttled).toBe(writes);
    expect(throttled).toBeGreaterThan(1);
    expect(await stored()).toEqual([]);
    expect(app.stack.executions.list()).toEqual([]);

    app.stack.faults.failDynamoDbWrites(0);
    const accepted = await post('/leads', lead);
    expect(accepted).toMatchObject({ status: 201, body: { leadId: expect.any(String), stage: 'awareness' } });
    const saved = await app.lead(accepted.body.leadId);
    expect(saved).toMatchObject({ email, firstName: 'Tia', company: 'Acme' });
    expect(timelineTypes(saved).filter((t) => t === 'lead_captured')).toHaveLength(1);
  });

  it('answers POST /events 503 during a burst of throttling, changes nothing, and counts the retried event once', async () => {
    const created = await post('/leads', { email: uniqueEmail('burst'), consent: true });
    expect(created.status).toBe(201);
    const { leadId } = created.body;
    // Its run has sent the welcome and waits for days: from here on only the event writes to this lead.
    const before = await eventually(async () => {
      const lead = await app.lead(leadId);
      expect(entriesOf(lead, 'email_sent')).toHaveLength(1);
      return lead;
    });
    const event = { eventId: `${leadId}-dl`, type: 'content_downloaded', leadId };

    // Longer than the SDK's own retries can wait (at most 1 + 2 + 4 s), so the caller is told to come back.
    app.stack.faults.failDynamoDbWrites(1, { forSeconds: 60 });
    const refused = await post('/events', event);
    expect(refused).toMatchObject({ status: 503, body: { error: 'ServiceUnavailable' } });
    expect(refused.retryAfter).toMatch(/^[1-9]\d*$/);
    const during = await app.lead(leadId);
    expect(during.score).toBe(before.score);
    expect(timelineTypes(during)).toEqual(timelineTypes(before));

    app.stack.faults.failDynamoDbWrites(0);
    const accepted = await post('/events', event);
    expect(accepted).toMatchObject({ status: 202, body: { leadId, score: before.score + 8 } });
    // The webhook sender's next retry of the same event is a duplicate, not a second download.
    expect(await post('/events', event)).toMatchObject({ status: 200, body: { status: 'duplicate', leadId } });
    const after = await app.lead(leadId);
    expect(after.score).toBe(before.score + 8);
    expect(timelineTypes(after).filter((t) => t === 'event')).toHaveLength(1);
  });
});
