import { SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../functions/adapters/ses-mailer.js';
import { MailThrottledError } from '../../functions/core/errors.js';
import { SesThrottle, startSes } from '../../local/ses.js';

interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
}

describe('the SES mailer against local SES', () => {
  let ses: Awaited<ReturnType<typeof startSes>>;
  let client: SESv2Client;

  beforeAll(async () => {
    ses = await startSes(0); // an ephemeral port on 127.0.0.1
    client = new SESv2Client({ endpoint: ses.url });
  });
  afterAll(async () => {
    client?.destroy();
    await ses?.close();
  });

  it('delivers subject, both bodies and the List-Unsubscribe headers to the store', async () => {
    const mailer = new SesMailer(client, { from: 'hello@brightline.example', configurationSetName: 'sales-flow' });
    const { messageId } = await mailer.send({
      to: 'ada@example.com',
      subject: 'A proposal for Engines',
      html: '<p>Hi Ada,</p>',
      text: 'Hi Ada,',
      headers: { 'List-Unsubscribe': '<https://api.example.test/unsubscribe?token=abc.def>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      tags: { leadId: 'lead-1', template: 'decision-proposal' },
    });
    expect(messageId).toBeTruthy();

    const { emails } = (await (await fetch(`${ses.url}/store`)).json()) as { emails: StoredEmail[] };
    const stored = emails.find((e) => e.messageId === messageId)!;
    expect(stored).toMatchObject({ from: 'hello@brightline.example', subject: 'A proposal for Engines', body: { html: '<p>Hi Ada,</p>', text: 'Hi Ada,' } });
    expect(stored.destination.to).toEqual(['ada@example.com']);
    expect(stored.headers).toEqual(
      expect.arrayContaining([
        { name: 'List-Unsubscribe', value: '<https://api.example.test/unsubscribe?token=abc.def>' },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ]),
    );
  });
});

describe('the SES mailer against a throttled local SES', () => {
  let ses: Awaited<ReturnType<typeof startSes>>;
  let client: SESv2Client;
  const throttle = new SesThrottle();
  const email = (n: number) => ({ to: `rate-${n}@example.com`, subject: `Rate ${n}`, html: '<p>x</p>', text: 'x' });

  beforeAll(async () => {
    throttle.set(2);
    ses = await startSes(0, throttle);
    // One attempt per send, so each answer arrives as the SDK raised it.
    client = new SESv2Client({ endpoint: ses.url, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await ses?.close();
  });

  it('answers sends over the rate as SES v2 does, so the real SDK raises TooManyRequestsException', async () => {
    const answers = await Promise.all([1, 2, 3].map((n) => client.send(new SendEmailCommand({ FromEmailAddress: 'hello@brightline.example', Destination: { ToAddresses: [email(n).to] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } } })).catch((err: unknown) => err)));
    const refused = answers.filter((a) => a instanceof TooManyRequestsException) as TooManyRequestsException[];
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ name: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.', $metadata: { httpStatusCode: 429 } });
    expect(throttle.stats.throttled).toBe(1);
  });

  it('turns the throttle into SendThrottled at once (no SDK retries) with nothing delivered, and sends once the rate allows', async () => {
    // A client as the handlers have it: the SDK's default retries.
    const handlersClient = new SESv2Client({ endpoint: ses.url });
    const mailer = new SesMailer(handlersClient, { from: 'hello@brightline.example' });
    throttle.set(1);
    await mailer.send(email(10));
    const before = throttle.stats.throttled;
    const err = await mailer.send(email(11)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(MailThrottledError);
    expect(err).toMatchObject({ name: 'SendThrottled' });
    // One attempt: the engine, not the SDK inside the Lambda, retries a throttled send.
    expect(throttle.stats.throttled - before).toBe(1);
    const { emails } = (await (await fetch(`${ses.url}/store`)).json()) as { emails: StoredEmail[] };
    expect(emails.filter((e) => e.subject === 'Rate 11')).toEqual([]);

    await new Promise((r) => setTimeout(r, 1_100));
    expect((await mailer.send(email(11))).messageId).toBeTruthy();
    handlersClient.destroy();
  });
});
