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
  it('turns a refusal from SES into MailRejectedError, being over its sending rate into SendThrottled, and passes a timeout on unchanged', async () => {
    const { mockClient } = await import('aws-sdk-client-mock');
    const { SESv2Client, SendEmailCommand } = await import('@aws-sdk/client-sesv2');
    const { SesMailer } = await import('../../functions/adapters/ses-mailer.js');
    const { MailRejectedError, MailThrottledError } = await import('../../functions/core/errors.js');
    const ses = mockClient(SESv2Client);
    const mailer = new SesMailer(new SESv2Client({}), { from: 'sales@example.com' });
    const email = { to: 'a@example.com', subject: 's', html: '<p>h</p>', text: 't' };
    const answer = (name: string, message: string, status: number, extra: object = {}) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, ...extra });

    ses
      .on(SendEmailCommand)
      .rejectsOnce(answer('MessageRejected', 'Email address is not verified.', 400))
      .rejectsOnce(answer('TooManyRequestsException', 'Maximum sending rate exceeded.', 429))
      .rejectsOnce(answer('Throttling', 'Maximum sending rate exceeded.', 400))
      .rejectsOnce(answer('LimitExceededException', 'Daily message quota exceeded.', 400))
      .rejectsOnce(answer('SlowDown', 'slow down', 503, { $retryable: { throttling: true } }))
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    await expect(mailer.send(email)).rejects.toBeInstanceOf(MailRejectedError);
    for (let i = 0; i < 4; i++) {
      const throttled = await mailer.send(email).catch((err: Error) => err);
      expect(throttled).toBeInstanceOf(MailThrottledError);
      expect(throttled).toMatchObject({ name: 'SendThrottled' });
    }

    const timeout = await mailer.send(email).catch((err: Error) => err);
    expect(timeout).not.toBeInstanceOf(MailRejectedError);
    expect(timeout).not.toBeInstanceOf(MailThrottledError);
    expect((timeout as Error).name).toBe('TimeoutError');
    ses.restore();
  });
});
