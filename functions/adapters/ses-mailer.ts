/**
 * Mailer over SES v2 `SendEmail` with `Content.Simple`: SES builds the MIME message, and `Headers`
 * carries List-Unsubscribe / List-Unsubscribe-Post (RFC 8058 one-click) without hand-built MIME.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { MailRejectedError, MailThrottledError } from '../core/errors.js';
import type { Mailer, OutgoingEmail } from '../core/ports.js';

export interface SesMailerOptions {
  from: string;
  configurationSetName?: string;
}

/**
 * SES over its sending rate: v2 answers 429 TooManyRequestsException ("Maximum sending rate exceeded."),
 * v1 and the SDK's own classification say Throttling; the daily quota ("Daily message quota exceeded")
 * is a throttle too: it frees with time.
 */
const THROTTLING_ERRORS = new Set(['TooManyRequestsException', 'Throttling', 'ThrottlingException']);
function isThrottling(err: unknown, status: number): boolean {
  const e = err as { name?: string; message?: string; $retryable?: { throttling?: boolean } };
  return (
    status === 429 ||
    THROTTLING_ERRORS.has(e?.name ?? '') ||
    e?.$retryable?.throttling === true ||
    /maximum sending rate exceeded|daily message quota exceeded/i.test(e?.message ?? '')
  );
}

/**
 * SES's throttling answer, as the chokepoint's error, raised inside the SDK's retry loop so that the SDK
 * does not retry it itself (its retries would sleep in the Lambda and return in step with every other
 * throttled sender): the engine retries SendThrottled with backoff and jitter across runs. Other retries
 * of the SDK (a connection reset before an answer) stay as they are. Once per client.
 */
const surfacing = new WeakSet<SESv2Client>();
function surfaceThrottles(client: SESv2Client): void {
  if (surfacing.has(client)) return;
  surfacing.add(client);
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
        if (typeof status === 'number' && isThrottling(err, status)) throw new MailThrottledError(`SES is throttling (${status}): ${(err as Error).message}`, { cause: err });
        throw err;
      }
    },
    // The deserialize step runs inside the retry middleware (finalizeRequest): high priority wraps the deserializer.
    { step: 'deserialize', priority: 'high', name: 'surfaceSesThrottles' },
  );
}

/** SES tag names and values allow only ASCII letters, digits, '_', '-' and '.' (max 256). */
const tagSafe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 256) || '_';

export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesMailerOptions,
  ) {
    surfaceThrottles(client);
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const out = await this.client.send(this.command(email)).catch((err: unknown) => {
      // An HTTP answer from SES means it did not take the message: nothing went out. Over the account's
      // sending rate is "not now" (MailThrottledError, from the middleware above; the engine retries it for
      // hours); any other answer is a refusal. Anything else (timeout, reset connection) leaves the outcome
      // unknown, and is passed on as it is.
      if (err instanceof MailThrottledError) throw err;
      const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
      if (typeof status === 'number' && isThrottling(err, status)) throw new MailThrottledError(`SES is throttling (${status}): ${(err as Error).message}`, { cause: err });
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
