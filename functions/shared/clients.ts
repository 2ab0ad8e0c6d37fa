/**
 * AWS SDK v3 clients, one of each per process, created on first use and reused across invocations.
 * Endpoints come from the standard AWS_ENDPOINT_URL_<SERVICE> variables (local stand-ins), so no
 * handler has a local mode. The `@__PURE__` marks let esbuild drop the clients a bundle does not use
 * (without them every Lambda carried all five SDK clients).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { retryThrottledTransactions } from './dynamodb-throttling.js';

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/**
 * The SDK's own retries (standard mode: 4 attempts for DynamoDB, full-jitter backoff from 1 s for
 * throttles) ride out a short throttle; a throttled transaction counts as one too (dynamodb-throttling.ts).
 */
export const documentClient = /* @__PURE__ */ once(() =>
  // A Lambda instance sends one request at a time, but locally every handler shares this process and this
  // client: with the SDK's default 50 sockets, a burst queued over a thousand requests inside the client.
  DynamoDBDocumentClient.from(retryThrottledTransactions(new DynamoDBClient({ requestHandler: { httpAgent: { keepAlive: true, maxSockets: 512 } } })), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  }),
);
export const sfnClient = /* @__PURE__ */ once(() => new SFNClient({}));
export const sesClient = /* @__PURE__ */ once(() => new SESv2Client({}));
export const eventBridgeClient = /* @__PURE__ */ once(() => new EventBridgeClient({}));
export const secretsClient = /* @__PURE__ */ once(() => new SecretsManagerClient({}));
