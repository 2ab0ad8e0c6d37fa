/**
 * Privacy over real HTTP against the local stack: export (Art. 15), erasure by lead id and by email
 * (Art. 17) — proven by scanning the WHOLE table for the person's email, name and phone — and the
 * retention job run through the template's own function.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suppressionHash } from '../../functions/core/privacy.js';
import { DynamoPrivacyStore } from '../../functions/adapters/dynamodb/privacy-store.js';
import { documentClient } from '../../functions/shared/clients.js';
import { bootApp, eventually, synthesizedApp, uniqueEmail, type App } from '../support/app.js';

let app: App;
beforeAll(async () => {
  app = await bootApp(1);
});
afterAll(() => app?.stop());

async function call(method: string, path: string, body?: unknown, key: string | false = app.stack.apiKey) {
  const res = await fetch(`${app.stack.apiUrl}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}) },
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

/** A person with values found nowhere else in the table. */
function person(tag: string) {
  const unique = randomUUID().slice(0, 8);
  return {
    email: uniqueEmail(`priv-${tag}`),
    firstName: `Firstname${unique}`,
    lastName: `Lastname${unique}`,
    phone: `+49 30 ${Math.floor(1e7 + Math.random() * 9e7)}`,
    company: `Company ${unique}`,
  };
}

async function newLead(p: ReturnType<typeof person>) {
  const res = await app.capture({ ...p, consent: true });
  expect(res.status).toBe(201);
  return res.body.leadId as string;
}

const executionsOf = (leadId: string) => app.stack.executions.list().filter((e) => e.name.startsWith(`${leadId}-r`));

describe('a customer erased by DELETE /leads/{leadId}', () => {
  const p = person('customer');
  let leadId: string;
  let before: any;
  let erasure: { status: number; body: any };

  beforeAll(async () => {
    leadId = await newLead(p);
    await app.event({ eventId: `${leadId}-open`, type: 'email_opened', leadId });
    await app.event({ eventId: `${leadId}-page`, type: 'page_viewed', leadId, properties: { url: '/pricing' } });
    expect((await app.event({ eventId: `${leadId}-buy`, type: 'purchased', leadId })).status).toBe(202);
    // Export only once the purchase run has sent its thank-you and no run is still going: otherwise an email
    // claimed between the export and the erasure makes the two counts differ.
    await eventually(async () => {
      before = await exportOf(p.email);
      expect(before.body.ledger.some((l: any) => l.ledgerKey.includes('thank-you') && l.status === 'sent')).toBe(true);
      expect(executionsOf(leadId).filter((e) => e.status === 'RUNNING')).toEqual([]);
    });
    before = await exportOf(p.email);
    erasure = await call('DELETE', `/leads/${leadId}`);
  });

  it('exports everything held about the person before the erasure', () => {
    expect(before.status).toBe(200);
    expect(before.body.lead).toMatchObject({ leadId, email: p.email, firstName: p.firstName, lastName: p.lastName, phone: p.phone, status: 'won' });
    expect(before.body.lead.consent).toMatchObject({ given: expect.any(Boolean) });
    expect(before.body.lead).not.toHaveProperty('version');
    expect(before.body.timeline.map((e: any) => e.type)).toEqual(expect.arrayContaining(['lead_captured', 'event']));
    expect(before.body.ledger.length).toBeGreaterThan(0);
    expect(before.body.customer).toMatchObject({ customerId: `cus-${leadId}`, leadId, email: p.email });
    expect(before.body.suppression).toEqual({ suppressed: false });
  });

  it('answers what it erased, per kind', () => {
    expect(erasure.status).toBe(200);
    expect(erasure.body).toMatchObject({ status: 'erased', leadId, suppression: 'recorded' });
    expect(erasure.body.erased).toMatchObject({ profile: 1, emailIndex: 1, customer: 1 });
    expect(erasure.body.erased.timeline).toBeGreaterThanOrEqual(before.body.timeline.length);
    expect(erasure.body.erased.ledger).toBe(before.body.ledger.length);
  });

  it('leaves the email, the names and the phone nowhere in the table', async () => {
    const table = await wholeTable();
    for (const value of [p.email, p.firstName, p.lastName, p.phone, p.company]) expect(table).not.toContain(value.toLowerCase());
  });

  it('keeps the salted hash of the email, so the address is never mailed again', async () => {
    const store = new DynamoPrivacyStore(documentClient(), app.stack.tableName);
    const table = await wholeTable();
    const hashes = [...table.matchAll(/suppressed#([0-9a-f]{64})/g)].map((m) => m[1]!);
    expect(hashes.length).toBeGreaterThan(0);
    expect(await Promise.all(hashes.map((h) => store.isSuppressedHash(h)))).toContain(true);
    // Without the signing key the hash cannot be recomputed from the address.
    expect(hashes).not.toContain(suppressionHash(p.email, 'a guessed key'));
  });

  it('leaves no execution of the lead running', async () => {
    await eventually(() => expect(executionsOf(leadId).filter((e) => e.status === 'RUNNING')).toEqual([]));
  });

  it('answers "already erased" to a second DELETE and changes nothing', async () => {
    const tableBefore = await wholeTable();
    const again = await call('DELETE', `/leads/${leadId}`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'already-erased', leadId, executionsStopped: 0 });
    expect(Object.values(again.body.erased).every((n) => n === 0)).toBe(true);
    expect(await wholeTable()).toEqual(tableBefore);
  });

  it('exports nothing after the erasure, and reads answer 404', async () => {
    expect((await exportOf(p.email)).status).toBe(404);
    expect((await call('GET', `/leads/${leadId}`)).status).toBe(404);
  });
});

describe('erasing a lead that is nurturing', () => {
  it('stops its running funnel execution', async () => {
    const p = person('running');
    const leadId = await newLead(p);
    const [execution] = await eventually(() => {
      const running = executionsOf(leadId).filter((e) => e.status === 'RUNNING');
      expect(running).toHaveLength(1);
      return running;
    });
    const res = await call('DELETE', `/leads/${leadId}`);
    expect(res.body).toMatchObject({ status: 'erased', executionsStopped: 1 });
    const record = await app.stack.executions.waitForStatus(execution!.executionArn, ['ABORTED', 'SUCCEEDED', 'FAILED']);
    expect(record.status).toBe('ABORTED');
  });
});

describe('POST /privacy/erasure', () => {
  it('erases the lead held under an email, and a second call says it was already erased', async () => {
    const p = person('byemail');
    const leadId = await newLead(p);
    const first = await call('POST', '/privacy/erasure', { email: `  ${p.email.toUpperCase()} ` });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'erased', leadId, suppression: 'recorded', erased: { profile: 1, emailIndex: 1 } });
    const table = await wholeTable();
    for (const value of [p.email, p.firstName, p.lastName, p.phone]) expect(table).not.toContain(value.toLowerCase());

    const second = await call('POST', '/privacy/erasure', { email: p.email });
    expect(second.body).toMatchObject({ status: 'already-erased', suppression: 'already-recorded' });
    expect(Object.values(second.body.erased).every((n) => n === 0)).toBe(true);
  });

  it('records the suppression hash for an email nobody holds and answers 200 with nothing erased', async () => {
    const email = uniqueEmail('nobody');
    const res = await call('POST', '/privacy/erasure', { email });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'nothing-held', suppression: 'recorded', executionsStopped: 0 });
    expect((await wholeTable())).not.toContain(email);
  });

  it('anonymizes a rep with that email', async () => {
    const email = uniqueEmail('rep');
    await app.addRep({ repId: `rep-${randomUUID().slice(0, 6)}`, email, name: 'Rep Tobe Erased', status: 'inactive' });
    const res = await call('POST', '/privacy/erasure', { email });
    expect(res.body).toMatchObject({ status: 'erased', erased: { reps: 1 } });
    const table = await wholeTable();
    expect(table).not.toContain(email);
    expect(table).not.toContain('rep tobe erased');
  });

  it('rejects a body without a valid email with 400 naming the field', async () => {
    for (const body of [{}, { email: 'not-an-email' }, { email: 'a@b.example', extra: 1 }]) {
      const res = await call('POST', '/privacy/erasure', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('ValidationError');
      expect(res.body.issues.map((i: any) => i.path)).toEqual(expect.arrayContaining([Object.keys(body).includes('extra') ? 'extra' : 'email']));
    }
  });

  it('needs the API key, like DELETE /leads/{leadId} and the export', async () => {
    expect((await call('POST', '/privacy/erasure', { email: uniqueEmail('nokey') }, false)).status).toBe(401);
    expect((await call('DELETE', '/leads/anything', undefined, false)).status).toBe(401);
    expect((await call('GET', '/privacy/export?email=a%40b.example', undefined, false)).status).toBe(401);
  });
});

describe('GET /privacy/export and DELETE for unknown people', () => {
  it('answers 404 for an unknown email and an unknown lead id', async () => {
    expect((await exportOf(uniqueEmail('unknown'))).status).toBe(404);
    expect((await call('DELETE', '/leads/no-such-lead')).status).toBe(404);
  });

  it('answers 400 naming email for a missing or malformed email', async () => {
    for (const query of ['', '?email=nope']) {
      const res = await call('GET', `/privacy/export${query}`);
      expect(res.status).toBe(400);
      expect(res.body.issues.map((i: any) => i.path)).toContain('email');
    }
  });
});

describe('retention of closed leads (EraseClosedLeads)', () => {
  it('erases a closed lead past the cutoff and leaves a recent closed one and an active one', async () => {
    const old = person('old-lost');
    const recent = person('recent-lost');
    const active = person('active');
    const oldId = await newLead(old);
    await app.event({ eventId: `${oldId}-lost`, type: 'lost', leadId: oldId });
    const oldLead = await app.lead(oldId);
    expect(oldLead.status).toBe('lost');
    // A later closing on the compressed clock; the cutoff falls between the two.
    await eventually(() => expect(app.stack.clock.now().toISOString() > oldLead.updatedAt).toBe(true));
    const recentId = await newLead(recent);
    await app.event({ eventId: `${recentId}-lost`, type: 'disqualified', leadId: recentId });
    const recentLead = await app.lead(recentId);
    const activeId = await newLead(active);
    expect(recentLead.updatedAt > oldLead.updatedAt).toBe(true);

    // Run the job "24 months after" a cutoff just after the old lead closed (the default period is 24 months).
    const cutoff = new Date(new Date(oldLead.updatedAt).getTime() + 1);
    const now = new Date(cutoff);
    now.setUTCMonth(now.getUTCMonth() + 24);
    const erased: string[] = [];
    // gsi3 is eventually consistent on AWS: run the job until the old lead has been listed and erased.
    await eventually(async () => {
      const run = (await app.stack.invoke('EraseClosedLeads', { now: now.toISOString() })) as { erased: string[]; cutoff: string };
      expect(run.cutoff).toBe(cutoff.toISOString());
      erased.push(...run.erased);
      expect(erased).toContain(oldId);
    });
    expect(erased).not.toContain(recentId);
    expect(erased).not.toContain(activeId);

    expect((await exportOf(old.email)).status).toBe(404);
    expect((await exportOf(recent.email)).status).toBe(200);
    expect((await exportOf(active.email)).status).toBe(200);
    const table = await wholeTable();
    for (const value of [old.email, old.firstName, old.lastName, old.phone]) expect(table).not.toContain(value.toLowerCase());
    expect(table).toContain(recent.firstName.toLowerCase());
  });

  it('is run by a daily schedule rule of the template, which the local runtime fires too', () => {
    const { template } = synthesizedApp();
    const rules = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::Events::Rule') as any[];
    expect(rules.map((r) => [r.Properties.ScheduleExpression, r.Properties.Targets[0].Arn['Fn::GetAtt'][0]])).toContainEqual([
      'rate(1 day)',
      'EraseClosedLeads',
    ]);
  });
});
