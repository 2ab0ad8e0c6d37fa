/**
 * The DynamoDB writes this process makes, counted as they leave it: every request the AWS SDK (or anything
 * else on node:http) sends with a write's `X-Amz-Target` (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
 * TransactWriteItems), seen through Node's `http.client.request.start` diagnostics channel, so no client has
 * to be wrapped. A write is in flight from the request's start until it closes (answered, or failed).
 *
 * The table stream's reader uses it to answer the discrete-event clock's "is the stream drained?" without
 * asking DynamoDB Local: when no write has started since a pass that read every shard to its end began (and
 * none was in flight then), the stream holds nothing that pass did not deliver. Every table and endpoint is
 * counted together (more counted writes only mean a real look); writes from other processes are not seen
 * here, and are picked up by the reader's regular polling instead.
 */
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { WRITE_OPERATIONS } from './dynamodb-faults.js';

export interface DynamoDbWrites {
  /** Writes started by this process so far. */
  started(): number;
  /** Writes started and not yet closed. */
  inFlight(): number;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const WRITES = new Set<string>(WRITE_OPERATIONS.map((op) => `${TARGET_PREFIX}${op}`));
let started = 0;
let inFlight = 0;
let watching = false;

function onRequestStart(message: unknown): void {
  const request = (message as { request?: ClientRequest }).request;
  const target = request?.getHeader('x-amz-target');
  if (typeof target !== 'string' || !WRITES.has(target)) return;
  started += 1;
  inFlight += 1;
  request!.once('close', () => {
    inFlight -= 1;
  });
}

/** The process's write counter (subscribed on first use, for the life of the process: one counter for all). */
export function dynamoDbWrites(): DynamoDbWrites {
  if (!watching) {
    diagnostics.subscribe('http.client.request.start', onRequestStart);
    watching = true;
  }
  return { started: () => started, inFlight: () => inFlight };
}
