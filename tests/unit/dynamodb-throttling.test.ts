/**
 * DynamoDB write throttling: which writes the local fault proxy fails and what it answers
 * (local/dynamodb-faults.ts), and how the handlers' client takes a throttled transaction
 * (functions/shared/dynamodb-throttling.ts). No network: the client's HTTP handler is a stand-in.
 */
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { isThrottledCancellation, retryThrottledTransactions, throttlingFrom } from '../../functions/shared/dynamodb-throttling.js';
import { isDependencyUnavailable } from '../../functions/shared/http.js';
import { THROTTLED_MESSAGE, WriteThrottle, isWrite, throttledAnswer } from '../../local/dynamodb-faults.js';

const target = (op: string) => `DynamoDB_20120810.${op}`;
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];
const READS = ['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems', 'DescribeTable'];

describe('the write throttle of the local DynamoDB fault proxy', () => {
  it('counts only writes as writes', () => {
    for (const op of WRITES) expect(isWrite(target(op)), op).toBe(true);
    for (const op of READS) expect(isWrite(target(op)), op).toBe(false);
    expect(isWrite(undefined)).toBe(false);
    expect(isWrite('PutItem')).toBe(false);
  });

  it('never fails a read, fails every write at rate 1 and none at rate 0', () => {
    const throttle = new WriteThrottle({ rate: 1, seed: 7 });
    for (const op of READS) expect(throttle.decide(target(op))).toBe(false);
    for (const op of WRITES) expect(throttle.decide(target(op))).toBe(true);
    throttle.set(0);
    for (const op of WRITES) expect(throttle.decide(target(op))).toBe(false);
    expect(throttle.stats).toEqual({ writes: 10, throttled: 5 });
  });

  it('fails the same writes for the same seed, whenever the rate changes', () => {
    const run = (changeAt: number) => {
      const throttle = new WriteThrottle({ rate: 0.3, seed: 42 });
      return Array.from({ length: 200 }, (_, i) => {
        if (i === changeAt) throttle.set(0.3); // setting the same rate again draws nothing
        return throttle.decide(target('PutItem'));
      });
    };
    const first = run(-1);
    expect(run(50)).toEqual(first);
    const other = new WriteThrottle({ rate: 0.3, seed: 43 });
    expect(first.map(() => other.decide(target('PutItem')))).not.toEqual(first);
    const failed = first.filter(Boolean).length;
    // A fixed seed gives a fixed count; it is near the rate.
    expect(failed).toBeGreaterThan(40);
    expect(failed).toBeLessThan(80);
  });

  it('fails writes at a burst rate for the next N seconds, then at the standing rate again', () => {
    let now = 1_000_000;
    const throttle = new WriteThrottle({ rate: 0, seed: 1, now: () => now });
    throttle.set(1, { forSeconds: 5 });
    expect(throttle.rate).toBe(1);
    expect(throttle.decide(target('UpdateItem'))).toBe(true);
    now += 4_999;
    expect(throttle.decide(target('UpdateItem'))).toBe(true);
    now += 1;
    expect(throttle.rate).toBe(0);
    expect(throttle.decide(target('UpdateItem'))).toBe(false);

    throttle.set(0.5);
    throttle.set(1, { forSeconds: 1 });
    throttle.set(0); // ends the burst and the standing rate
    expect(throttle.rate).toBe(0);
  });

  it('refuses a rate outside 0–1 and a burst of no time', () => {
    expect(() => new WriteThrottle({ rate: 1.5 })).toThrow(RangeError);
    expect(() => new WriteThrottle().set(-0.1)).toThrow(RangeError);
    expect(() => new WriteThrottle().set(Number.NaN)).toThrow(RangeError);
    expect(() => new WriteThrottle().set(1, { forSeconds: 0 })).toThrow(RangeError);
  });
});

describe('what the proxy answers a throttled write', () => {
  it('answers a single write as an on-demand table does: ProvisionedThroughputExceededException with its reason and table', () => {
    expect(throttledAnswer('PutItem', { TableName: 'sales-flow', Item: {} }, 'eu-west-1', () => 0)).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message: THROTTLED_MESSAGE,
      ThrottlingReasons: [{ reason: 'TableWriteKeyRangeThroughputExceeded', resource: 'arn:aws:dynamodb:eu-west-1:000000000000:table/sales-flow' }],
    });
    const batch = throttledAnswer('BatchWriteItem', { RequestItems: { 'sales-flow': [] } }, 'us-east-1', () => 0);
    expect(batch.ThrottlingReasons).toEqual([{ reason: 'TableWriteKeyRangeThroughputExceeded', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/sales-flow' }]);
  });

  it('cancels a throttled transaction naming one throttled item, the others None', () => {
    const answer = throttledAnswer('TransactWriteItems', { TransactItems: [{}, {}, {}] }, 'us-east-1', () => 1);
    expect(answer).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError', Message: THROTTLED_MESSAGE }, { Code: 'None' }],
      Message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ThrottlingError, None]',
    });
  });
});

describe('a throttled transaction in the handlers’ DynamoDB client', () => {
  const cancellation = (codes: string[]) => Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException', CancellationReasons: codes.map((Code) => ({ Code })) });

  it('is a transaction cancelled only by throttled items', () => {
    expect(isThrottledCancellation(cancellation(['None', 'ThrottlingError']))).toBe(true);
    expect(isThrottledCancellation(cancellation(['ProvisionedThroughputExceeded']))).toBe(true);
    expect(isThrottledCancellation(cancellation(['ConditionalCheckFailed', 'ThrottlingError']))).toBe(false);
    expect(isThrottledCancellation(cancellation(['TransactionConflict', 'None']))).toBe(false);
    expect(isThrottledCancellation(cancellation(['None']))).toBe(false);
    expect(isThrottledCancellation(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' }))).toBe(false);
  });

  it('becomes a ThrottlingException that keeps the cancellation and answers 503 on HTTP', () => {
    const original = cancellation(['ThrottlingError']);
    const err = throttlingFrom(original);
    expect(err.name).toBe('ThrottlingException');
    expect(err.$retryable).toEqual({ throttling: true });
    expect(err.cause).toBe(original);
    expect(isDependencyUnavailable(err)).toBe(true);
  });

  it('is retried by the SDK as a throttle, and a condition that failed is still the stores’ to read', async () => {
    const answers = [
      { Code: 'ThrottlingError', Message: THROTTLED_MESSAGE },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ];
    let calls = 0;
    const requestHandler = {
      handle: async () => {
        const reason = answers[Math.min(calls++, answers.length - 1)]!;
        const body = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException', CancellationReasons: [reason], Message: `Transaction cancelled [${reason.Code}]` });
        return { response: { statusCode: 400, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from(body)]) } };
      },
    };
    const client = DynamoDBDocumentClient.from(
      retryThrottledTransactions(new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 2, requestHandler: requestHandler as never })),
    );
    const err = await client.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 't', Item: { pk: 'a' } } }] })).catch((e: unknown) => e as any);
    // The throttled first attempt was retried; the second one's failed condition reaches the caller as DynamoDB said it.
    expect(calls).toBe(2);
    expect(err.name).toBe('TransactionCanceledException');
    expect(err.CancellationReasons).toEqual([{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }]);
    expect(err.$metadata.attempts).toBe(2);
    client.destroy();
  });
});
