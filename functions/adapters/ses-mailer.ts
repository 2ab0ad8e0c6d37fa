/**
 * Mailer over SES v2 `SendEmail` with `Content.Simple`: SES builds the MIME message, and `Headers`
 * carries List-Unsubscribe / List-Unsubscribe-Post (RFC 8058 one-click) without hand-built MIME.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { MailRejectedError } from '../core/errors.js';
import type { Mailer, OutgoingEmail } from '../core/ports.js';

export interface SesMailerOptions {
  from: string;
  configurationSetName?: string;
}

/** SES tag names and values allow only ASCII letters, digits, '_', '-' and '.' (max 256). */
const tagSafe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 256) || '_';

export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesMailerOptions,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const out = await this.client.send(this.command(email)).catch((err: unknown) => {
      // An HTTP answer from SES means it refused the message: nothing went out. Anything else
      // (timeout, reset connection) leaves the outcome unknown, and is passed on as it is.
      const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
      if (typeof status === 'number') throw new MailRejectedError(`SES refused the email (${status}): ${(err as Error).message}`, { cause: err });
      throw err;
    });
    if (!out.MessageId) throw new Error('SES accepted the email but returned no MessageId');
    return { messageId: out.MessageId };
  }

  private command(email: OutgoingEmail) {
    return (
      new SendEmailCommand({
        FromEmailAddress: this.options.from,
        Destination: { ToAddresses: [email.to] },
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
            Headers: Object.entries(email.headers ?? {}).map(([Name, Value]) => ({ Name, Value })),
          },
        },
        ConfigurationSetName: this.options.configurationSetName,
        EmailTags: Object.entries(email.tags ?? {}).map(([Name, Value]) => ({ Name: tagSafe(Name), Value: tagSafe(Value) })),
      })
    );
  }
}
