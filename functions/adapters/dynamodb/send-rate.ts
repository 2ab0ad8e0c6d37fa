/**
 * The system's send-rate ceiling over the single table: one counter item per second, shared by every
 * sender (each Lambda, each workflow), incremented by ONE conditional UpdateItem that succeeds only
 * while the second's count is under the ceiling. Nothing to read first and nothing to clean up: the
 * item carries the table's TTL attribute and DynamoDB deletes it once the second is long past.
 *
 * The second is the one the chokepoint names (its clock: real time on AWS, the compressed clock in a
 * local simulation, so the ceiling holds per simulated second there as the waits and retries do). The
 * expiry is wall-clock time, because TTL deletes by the real clock.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SendRateCeiling } from '../../core/ports.js';
import { keys } from '../../table/keys.js';

/** Long enough that no sender still counts against the second; short enough that the items stay few. */
const COUNTER_TTL_SECONDS = 3_600;

export class DynamoSendRateCeiling implements SendRateCeiling {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Sends per second, for the whole system. */
    private readonly perSecond: number,
    private readonly wallClockMs: () => number = Date.now,
  ) {
    if (!(Number.isInteger(perSecond) && perSecond > 0)) throw new RangeError(`the send-rate ceiling must be a positive whole number, got ${perSecond}`);
  }

  /**
   * The last second this sender saw full (it took that second's last slot, or was refused one). A
   * second's count only goes up, so asking again within it could only be refused: a wasted write.
   */
  private fullSecond?: number;

  knownFull(now: Date): boolean {
    return this.fullSecond === secondOf(now);
  }

  async tryAcquire(now: Date): Promise<boolean> {
    const second = secondOf(now);
    if (this.fullSecond === second) return false;
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.sendRateSecond(second),
          UpdateExpression: 'ADD sends :one SET expiresAt = if_not_exists(expiresAt, :expiresAt), entity = if_not_exists(entity, :entity)',
          ConditionExpression: 'attribute_not_exists(sends) OR sends < :ceiling',
          ExpressionAttributeValues: {
            ':one': 1,
            ':ceiling': this.perSecond,
            ':expiresAt': Math.floor(this.wallClockMs() / 1000) + COUNTER_TTL_SECONDS,
            ':entity': 'sendRate',
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      if (Number(Attributes?.sends) >= this.perSecond) this.fullSecond = second;
      return true;
    } catch (err) {
      if ((err as Error)?.name === 'ConditionalCheckFailedException') {
        this.fullSecond = second;
        return false;
      }
      throw err;
    }
  }
}

const secondOf = (now: Date) => Math.floor(now.getTime() / 1000);
