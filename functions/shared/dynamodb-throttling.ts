/**
 * A TransactWriteItems that DynamoDB cancels only because it throttled an item (CancellationReasons
 * ThrottlingError or ProvisionedThroughputExceeded, every other item None) is a throttle, not a
 * cancellation: nothing was written, and the same transaction succeeds shortly after. The SDK does not
 * count TransactionCanceledException as a throttle, so without this the stores would rethrow it as an
 * unknown error (a 500 on HTTP) and a store that treats any cancellation as "already done" (giving a
 * send claim back) would silently skip the write.
 *
 * This middleware, inside the SDK's retry loop, turns such a cancellation into the DynamoDB client's
 * ThrottlingException (the cancellation as its cause): the SDK retries it with its throttling backoff
 * like any throttled request; if the throttling outlasts those attempts, an HTTP route answers 503 with
 * Retry-After and a task fails with ThrottlingException, which the state machines retry with backoff.
 */
import { ThrottlingException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

const THROTTLED_ITEM = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);

/** True for a cancellation whose only reasons are throttled items (and untouched ones). */
export function isThrottledCancellation(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> } | undefined;
  if (e?.name !== 'TransactionCanceledException' || !Array.isArray(e.CancellationReasons)) return false;
  const codes = e.CancellationReasons.map((r) => r?.Code ?? 'None');
  return codes.some((c) => THROTTLED_ITEM.has(c)) && codes.every((c) => c === 'None' || THROTTLED_ITEM.has(c));
}

export function throttlingFrom(cancellation: Error & { $metadata?: any }): ThrottlingException {
  const err = new ThrottlingException({ message: `The transaction was throttled: ${cancellation.message}`, $metadata: cancellation.$metadata ?? {} });
  err.$retryable = { throttling: true };
  err.cause = cancellation;
  return err;
}

/** Adds the middleware to a DynamoDB client (and so to a document client made from it). */
export function retryThrottledTransactions<C extends DynamoDBClient>(client: C): C {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        throw isThrottledCancellation(err) ? throttlingFrom(err as Error) : err;
      }
    },
    // The deserialize step runs inside the retry middleware (finalizeRequest): high priority wraps the deserializer.
    { step: 'deserialize', priority: 'high', name: 'retryThrottledTransactions' },
  );
  return client;
}
