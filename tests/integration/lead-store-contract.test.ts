/** The LeadStore contract on the DynamoDB adapter, against DynamoDB Local (a table of its own). */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoLeadStore } from '../../functions/adapters/dynamodb/lead-store.js';
import { createTableInput } from '../../functions/table/definition.js';
import { leadStoreContract } from '../support/contracts/lead-store.js';

const tableName = `lead-store-contract-${randomUUID()}`;
const raw = new DynamoDBClient({});
const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });

beforeAll(async () => {
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
});
afterAll(() => raw.destroy());

leadStoreContract('DynamoDB adapter on DynamoDB Local', () => new DynamoLeadStore(doc, tableName, () => new Date('2026-03-01T09:00:00.000Z')));
