/**
 * The confirmation outbox's one write: a pending consent request (on a lead's item before its Contact exists,
 * on the Contact's after) records that its link was mailed, which takes it off the stream's filter. Only while
 * the same request is pending (a newer request, a confirmation or a withdrawal leaves it alone); the item's
 * version is not bumped, so no concurrent optimistic save fails. (A save that read the request before this
 * puts it back without `mailedAt`; the next record then finds the email in the send ledger and marks it again.)
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../table/keys.js';

/** Whose item holds the request: the lead's (no Contact yet) or the person's Contact. */
export type RequestHolder = { kind: 'lead'; leadId: string } | { kind: 'contact'; email: string };

export class DynamoConsentRequests {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async markMailed(holder: RequestHolder, requestId: string, at: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: holder.kind === 'lead' ? keys.lead(holder.leadId) : keys.contact(holder.email),
          UpdateExpression: 'SET consentRequest.mailedAt = :at',
          ConditionExpression: 'consentRequest.requestId = :id',
          ExpressionAttributeValues: { ':at': at, ':id': requestId },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException') return;
      throw err;
    }
  }
}
