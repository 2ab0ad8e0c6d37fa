import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../functions/adapters/ses-mailer.js';
import { startSes } from '../../local/ses.js';

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
