/** The lead store every handler uses: the one document client, the table, and the configured clock. */
import { DynamoContactStore } from '../adapters/dynamodb/contact-store.js';
import { DynamoLeadStore } from '../adapters/dynamodb/lead-store.js';
import { DynamoSendRateCeiling } from '../adapters/dynamodb/send-rate.js';
import { documentClient } from './clients.js';
import type { Config } from './config.js';

/** Needs the 'table' capability of the config. */
export const leadStore = (config: Config) => new DynamoLeadStore(documentClient(), config.tableName, () => config.clock.now());

/** The people (consent, suppression, frequency cap) in the same table. Needs the 'table' capability. */
export const contactStore = (config: Config) => new DynamoContactStore(documentClient(), config.tableName);

/** The system-wide send-rate ceiling every sender shares (SEND_RATE_CEILING), counted in the same table. */
export const sendRateCeiling = (config: Config) => new DynamoSendRateCeiling(documentClient(), config.tableName, config.sendRateCeiling);
