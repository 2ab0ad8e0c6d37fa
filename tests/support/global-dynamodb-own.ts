/**
 * Vitest globalSetup for the burst and simulate projects: a DynamoDB Local of their own. The shared one has served every
 * other file by the time the burst runs (last), and its JVM then drained the 3,000-lead burst several times
 * slower than a fresh one (≈ 215–280 s against ≈ 34 s), with the run outbox's sweeper piling up duplicate
 * starts meanwhile. The Java child is killed by PID at teardown.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb.js';

export default async function setup(project: TestProject) {
  const db = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', db.endpoint);
  return async () => {
    await db.stop();
  };
}
