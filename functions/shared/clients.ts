/**
 * AWS SDK v3 clients, one of each per process, created on first use and reused across invocations.
 * Endpoints come from the standard AWS_ENDPOINT_URL_<SERVICE> variables (local stand-ins), so no
 * handler has a local mode.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export const documentClient = once(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  }),
);
export const sfnClient = once(() => new SFNClient({}));
export const sesClient = once(() => new SESv2Client({}));
export const eventBridgeClient = once(() => new EventBridgeClient({}));
export const secretsClient = once(() => new SecretsManagerClient({}));
