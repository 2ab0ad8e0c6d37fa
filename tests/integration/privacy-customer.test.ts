/**
 * Erasure and export of a customer's own partition (`CUSTOMER#<id>`: profile, timeline, send ledger)
 * against DynamoDB Local: the items a retention run would write are put there directly (through the
 * timeline store and the document client), so this holds whatever the retention workflow does.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTimelineStore } from '../../functions/adapters/dynamodb/timeline-store.js';
import { customerIdFor } from '../../functions/core/normalize.js';
import { documentClient } from '../../functions/shared/clients.js';
import { keys } from '../../functions/table/keys.js';
import { bootApp, eventually, uniqueEmail, type App } from '../support/app.js';

let app: App;
beforeAll(async () => {
  app = await bootApp(1);
});
afterAll(() => app?.stop());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.stack.apiUrl}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), authorization: `Bearer ${app.stack.apiKey}` },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const exportOf = (email: string) => call('GET', `/privacy/export?email=${encodeURIComponent(email)}`);

/** Every item of the table, as text: what an auditor would grep. */
async function wholeTable(): Promise<string> {
  const items: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(new ScanCommand({ TableName: app.stack.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return JSON.stringify(items).toLowerCase();
}

async function customerPartition(customerId: string) {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: app.stack.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.subjectPartition('customer', customerId) },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

function person(tag: string) {
  const unique = randomUUID().slice(0, 8);
  return { email: uniqueEmail(`cust-${tag}`), firstName: `Firstname${unique}`, lastName: `Lastname${unique}`, company: `Company ${unique}` };
}

/** A lead captured with consent that bought: a customer with its profile in its own partition. */
async function newCustomer(p: ReturnType<typeof person>) {
  const captured = await app.capture({ ...p, consent: true });
  expect(captured.status).toBe(201);
  const leadId = captured.body.leadId as string;
  expect((await app.event({ eventId: `${leadId}-buy`, type: 'purchased', leadId })).status).toBe(202);
  return { leadId, customerId: customerIdFor(leadId) };
}

/** What a retention run leaves in the customer partition: a timeline entry naming the person, a send, and one item of another kind. */
async function writeCustomerItems(customerId: string, p: ReturnType<typeof person>, tag: string) {
  const at = new Date().toISOString();
  await new DynamoTimelineStore(documentClient(), app.stack.tableName).append({ kind: 'customer', id: customerId }, [
    { entryId: `tl-${tag}`, at, type: 'nps_answered', summary: `NPS 9 from ${p.email} (${p.firstName} ${p.lastName})`, data: { comment: `${p.company} is happy` } },
  ]);
  await documentClient().send(
    new PutCommand({
      TableName: app.stack.tableName,
      Item: { ...keys.subjectSendLedger('customer', customerId, `CustomerRetention#1#check-in-${tag}`), entity: 'sendLedger', status: 'sent', claimedAt: at, sentAt: at, messageId: `msg-${tag}` },
    }),
  );
  await documentClient().send(
    new PutCommand({ TableName: app.stack.tableName, Item: { pk: keys.subjectPartition('customer', customerId), sk: `NOTE#${tag}`, entity: 'note', text: `Call ${p.firstName} at ${p.email}` } }),
  );
}

describe('a customer erased by DELETE /leads/{leadId}', () => {
  const p = person('delete');
  let leadId: string;
  let customerId: string;
  let before: any;
  let erasure: { status: number; body: any };

  beforeAll(async () => {
    ({ leadId, customerId } = await newCustomer(p));
    // Settle the purchase's own writes (the thank-you) before exporting, so the export and the erasure see the same items.
    await eventually(async () => {
      before = await exportOf(p.email);
      expect(before.body.customer).toMatchObject({ customerId });
      expect(before.body.ledger.some((l: any) => l.ledgerKey.includes('thank-you') && l.status === 'sent')).toBe(true);
    });
    await writeCustomerItems(customerId, p, 'a');
    before = await exportOf(p.email);
    erasure = await call('DELETE', `/leads/${leadId}`);
  });

  it('exports the customer timeline and ledger before the erasure', () => {
    expect(before.status).toBe(200);
    expect(before.body.customer).toMatchObject({ customerId, leadId, email: p.email, firstName: p.firstName, lastName: p.lastName });
    expect(before.body.customerTimeline).toContainEqual(expect.objectContaining({ entryId: 'tl-a', type: 'nps_answered', summary: expect.stringContaining(p.email) }));
    expect(before.body.customerTimeline.every((e: any) => !('pk' in e) && !('sk' in e) && !('entity' in e))).toBe(true);
    expect(before.body.customerLedger).toContainEqual({ ledgerKey: 'CustomerRetention#1#check-in-a', status: 'sent', claimedAt: expect.any(String), sentAt: expect.any(String), messageId: 'msg-a' });
  });

  it('counts the customer partition apart from the lead’s', () => {
    expect(erasure.status).toBe(200);
    expect(erasure.body).toMatchObject({ status: 'erased', leadId, erased: { profile: 1, customer: 1 } });
    // The timeline count takes the NOTE item too: anything but profile and ledger counts with the timeline.
    expect(erasure.body.erased.customerTimeline).toBeGreaterThanOrEqual(before.body.customerTimeline.length + 1);
    expect(erasure.body.erased.customerLedger).toBeGreaterThanOrEqual(before.body.customerLedger.length);
    expect(erasure.body.erased.customerLedger).toBeGreaterThanOrEqual(1);
    // The lead's own counts still match the lead's export (tests/integration/api-privacy.test.ts relies on it).
    expect(erasure.body.erased.timeline).toBeGreaterThanOrEqual(before.body.timeline.length);
  });

  it('leaves nothing under CUSTOMER#<id>, and the email, names and company nowhere in the table', async () => {
    expect(await customerPartition(customerId)).toEqual([]);
    const table = await wholeTable();
    for (const value of [p.email, p.firstName, p.lastName, p.company]) expect(table).not.toContain(value.toLowerCase());
  });

  it('sweeps what was written into the customer partition after the erasure when it is repeated, then says "already erased"', async () => {
    await writeCustomerItems(customerId, p, 'late');
    const again = await call('DELETE', `/leads/${leadId}`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'erased', leadId, executionsStopped: 0, erased: { profile: 0, customer: 0, customerTimeline: 2, customerLedger: 1 } });
    expect(await customerPartition(customerId)).toEqual([]);
    expect(await wholeTable()).not.toContain(p.email.toLowerCase());

    const third = await call('DELETE', `/leads/${leadId}`);
    expect(third.body).toMatchObject({ status: 'already-erased' });
    expect(Object.values(third.body.erased).every((n) => n === 0)).toBe(true);
  });
});

describe('a customer erased by POST /privacy/erasure', () => {
  it('sweeps the customer partition too', async () => {
    const p = person('byemail');
    const { customerId } = await newCustomer(p);
    await eventually(async () => expect((await exportOf(p.email)).body.customer).toMatchObject({ customerId }));
    await writeCustomerItems(customerId, p, 'b');
    const res = await call('POST', '/privacy/erasure', { email: p.email });
    expect(res.body).toMatchObject({ status: 'erased', erased: { customer: 1, customerLedger: expect.any(Number) } });
    expect(res.body.erased.customerTimeline).toBeGreaterThanOrEqual(2);
    expect(await customerPartition(customerId)).toEqual([]);
    const table = await wholeTable();
    for (const value of [p.email, p.firstName, p.lastName, p.company]) expect(table).not.toContain(value.toLowerCase());
  });
});
