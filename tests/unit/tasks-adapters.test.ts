import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../functions/adapters/eventbridge.js';
import type { DomainEvent } from '../../functions/core/model.js';

const eb = mockClient(EventBridgeClient);
const event = (n: number): DomainEvent => ({ type: 'LeadAssigned', id: `LeadAssigned#${n}`, at: '2026-03-01T00:00:00.000Z', detail: { leadId: `lead-${n}` } });

describe('the EventBridge publisher', () => {
  beforeEach(() => eb.reset());

  it('publishes in chunks of 10 with the deterministic id in the detail', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await new EventBridgePublisher(new EventBridgeClient({}), 'bus').publish(Array.from({ length: 23 }, (_, i) => event(i)));
    const calls = eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!);
    expect(calls.map((entries) => entries.length)).toEqual([10, 10, 3]);
    expect(calls[0]![0]).toMatchObject({ Source: 'sales-flow', DetailType: 'LeadAssigned', EventBusName: 'bus' });
    expect(JSON.parse(calls[2]![2]!.Detail!)).toEqual({ id: 'LeadAssigned#22', at: '2026-03-01T00:00:00.000Z', leadId: 'lead-22' });
  });

  it('throws when EventBridge rejects any entry, so the task is retried', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(new EventBridgePublisher(new EventBridgeClient({}), 'bus').publish([event(1)])).rejects.toThrow(/rejected 1 of 1.*InternalFailure/);
  });
});

describe('SesMailer errors', () => {
  it('turns an error answer from SES into MailRejectedError and passes a timeout on unchanged', async () => {
    const { mockClient } = await import('aws-sdk-client-mock');
    const { SESv2Client, SendEmailCommand } = await import('@aws-sdk/client-sesv2');
    const { SesMailer } = await import('../../functions/adapters/ses-mailer.js');
    const { MailRejectedError } = await import('../../functions/core/errors.js');
    const ses = mockClient(SESv2Client);
    const mailer = new SesMailer(new SESv2Client({}), { from: 'sales@example.com' });
    const email = { to: 'a@example.com', subject: 's', html: '<p>h</p>', text: 't' };

    ses
      .on(SendEmailCommand)
      .rejectsOnce(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } }))
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    await expect(mailer.send(email)).rejects.toBeInstanceOf(MailRejectedError);

    const timeout = await mailer.send(email).catch((err: Error) => err);
    expect(timeout).not.toBeInstanceOf(MailRejectedError);
    expect((timeout as Error).name).toBe('TimeoutError');
    ses.restore();
  });
});
