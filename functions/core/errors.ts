/**
 * The domain's error family. The HTTP edge maps each `code` to a status in one table
 * (functions/shared/http); anything else is a 500 with a generic message.
 */
export interface Issue {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super('ValidationError', message);
  }
}
/** A credential was presented and is wrong (a missing one on a public route just means anonymous). */
export class UnauthorizedError extends DomainError {
  constructor(message: string) {
    super('Unauthorized', message);
  }
}
export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('NotFound', message);
  }
}
export class ConflictError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Conflict', message, options);
  }
}
export class PayloadTooLargeError extends DomainError {
  constructor(message: string) {
    super('PayloadTooLarge', message);
  }
}
export class UnsupportedMediaTypeError extends DomainError {
  constructor(message: string) {
    super('UnsupportedMediaType', message);
  }
}
export class TooManyRequestsError extends DomainError {
  constructor(message: string) {
    super('TooManyRequests', message);
  }
}

/**
 * A workflow task belongs to a funnel run that is no longer the lead's current run (the lead moved
 * stage, closed, or woke up). The state machine catches this error name and ends quietly.
 */
export class SupersededError extends DomainError {
  constructor(message: string) {
    super('Superseded', message);
  }
}

/**
 * The mail service answered that it did not accept a message (throttled, rejected, down): nothing
 * was sent, so the send may be retried. A timeout or lost connection is NOT this: the outcome is
 * unknown and the message may have gone out.
 */
export class MailRejectedError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MailRejected', message, options);
  }
}

/**
 * The mail service, or the system's own send-rate ceiling, said "not now" (SES: TooManyRequestsException,
 * "Maximum sending rate exceeded."): nothing was sent and nothing was counted, so the send may be tried
 * again. Its name is the error Step Functions matches: the engine retries `SendThrottled` with backoff
 * and full jitter for hours (workflows/engine/builder.ts), so a throttled email is late, never dropped.
 */
export class MailThrottledError extends DomainError {
  override name = 'SendThrottled';
  constructor(message: string, options?: { cause?: unknown }) {
    super('SendThrottled', message, options);
  }
}

/** Raised by LeadStore implementations; the core decides what they mean. */
export class EmailTakenError extends DomainError {
  constructor(readonly email: string) {
    super('EmailTaken', `a lead with email ${email} exists`);
  }
}
export class VersionConflictError extends DomainError {
  constructor(readonly leadId: string) {
    super('VersionConflict', `lead ${leadId} changed while it was being updated`);
  }
}
export class DuplicateEventError extends DomainError {
  constructor(readonly eventId: string) {
    super('DuplicateEvent', `event ${eventId} was processed already`);
  }
}
export class DuplicateSendError extends DomainError {
  constructor(readonly ledgerKey: string) {
    super('DuplicateSend', `send ${ledgerKey} was claimed already`);
  }
}
