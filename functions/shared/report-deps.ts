/**
 * What the report routes and the projection read and write, built from the adapters alone (no programmes,
 * templates or other clients): the one document client and the table. Needs the 'table' capability.
 */
import { DynamoCustomerStore } from '../adapters/dynamodb/customer-store.js';
import { DynamoRepStore } from '../adapters/dynamodb/rep-store.js';
import { DynamoReportStore } from '../adapters/dynamodb/report-store.js';
import { documentClient } from './clients.js';
import type { Config } from './config.js';

export const reportStore = (config: Config) => new DynamoReportStore(documentClient(), config.tableName);
export const reportRepStore = (config: Config) => new DynamoRepStore(documentClient(), config.tableName, () => config.clock.now());
export const reportCustomerStore = (config: Config) => new DynamoCustomerStore(documentClient(), config.tableName, () => config.clock.now());
