/**
 * Vitest globalSetup for the integration, workflows and e2e projects: ONE in-memory DynamoDB Local
 * for the whole run (each test file makes its own table in it). Each project runs its globalSetup
 * separately, so the instance is kept on globalThis of the main vitest process and reference-counted;
 * the last teardown kills the Java child by PID.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

interface Shared {
  instance: Promise<DynamoDbLocal>;
  users: number;
}
const slot = globalThis as unknown as { __salesFlowDynamoDb?: Shared };

export default async function setup(project: TestProject) {
  slot.__salesFlowDynamoDb ??= { instance: startDynamoDbLocal(), users: 0 };
  const shared = slot.__salesFlowDynamoDb;
  shared.users += 1;
  const db = await shared.instance;
  project.provide('dynamodbEndpoint', db.endpoint);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    slot.__salesFlowDynamoDb = undefined;
    await db.stop();
  };
}
