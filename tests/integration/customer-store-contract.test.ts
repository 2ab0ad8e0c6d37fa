/** The CustomerStore contract on the DynamoDB adapter, against DynamoDB Local (a table of its own). */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoContactStore } from '../../functions/adapters/dynamodb/contact-store.js';
import { customerItem, DynamoCustomerStore } from '../../functions/adapters/dynamodb/customer-store.js';
import { createTableInput } from '../../functions/table/definition.js';
import { customerStoreContract } from '../support/contracts/customer-store.js';

const tableName = `customer-store-contract-${randomUUID()}`;
const raw = new DynamoDBClient({});
const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });

beforeAll(async () => {
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
});
afterAll(() => raw.destroy());

customerStoreContract('DynamoDB adapter on DynamoDB Local', () => ({
  customers: new DynamoCustomerStore(doc, tableName, () => new Date('2026-03-01T09:00:00.000Z')),
  contacts: new DynamoContactStore(doc, tableName),
  // As the lead store wrote a customer before retention: the profile item, no version, no condition.
  putLegacy: async (customer) => void (await doc.send(new PutCommand({ TableName: tableName, Item: customerItem(customer) }))),
}));
