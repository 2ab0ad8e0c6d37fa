/**
 * ContactStore over the single table: one item per person (keys.contact, by normalized email), saved
 * with a version condition — alone, or staged in a unit of work with other stores' writes.
 */
import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '../../core/errors.js';
import type { Contact } from '../../core/model.js';
import type { ContactStore, UnitOfWork } from '../../core/ports.js';
import { keys } from '../../table/keys.js';
import { DynamoUnitOfWork, workFor } from './unit-of-work.js';

export class DynamoContactStore implements ContactStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(normalizedEmail: string): Promise<Contact | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.contact(normalizedEmail), ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, ...contact } = Item;
    return contact as Contact;
  }

  async save(contact: Contact, expectedVersion: number, given?: UnitOfWork): Promise<Contact> {
    const saved: Contact = { ...contact, version: expectedVersion + 1 };
    const { work, own } = workFor(this.client, given);
    work.stage(
      {
        Put: {
          TableName: this.tableName,
          Item: { ...saved, ...keys.contact(contact.email), entity: 'contact' },
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        },
      },
      new VersionConflictError(`contact ${contact.email}`),
    );
    if (own) await work.commit();
    return saved;
  }

  async remove(normalizedEmail: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.contact(normalizedEmail) }));
  }

  begin(): UnitOfWork {
    return new DynamoUnitOfWork(this.client);
  }
}
