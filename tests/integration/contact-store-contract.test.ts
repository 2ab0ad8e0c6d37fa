/** The ContactStore contract on the DynamoDB adapter, against DynamoDB Local (a table of its own). */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoContactStore } from '../../functions/adapters/dynamodb/contact-store.js';
import { DynamoLeadStore } from '../../functions/adapters/dynamodb/lead-store.js';
import { createTableInput } from '../../functions/table/definition.js';
import { contactStoreContract } from '../support/contracts/contact-store.js';

const tableName = `contact-store-contract-${randomUUID()}`;
const raw = new DynamoDBClient({});
const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });

beforeAll(async () => {
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
});
afterAll(() => raw.destroy());

contactStoreContract('DynamoDB adapter on DynamoDB Local', () => ({
  contacts: new DynamoContactStore(doc, tableName),
  leads: new DynamoLeadStore(doc, tableName, () => new Date('2026-03-01T09:00:00.000Z')),
}));
