/**
 * The unit of work over the single table: each store stages its items with the error a failed
 * condition means, and `commit` writes them in one TransactWriteItems, mapping the cancellation
 * reasons back to those errors. Stores use it for their own multi-item writes too, so no store keeps a
 * hand-built list of items and failure indexes.
 *
 * One staged write goes as the plain conditional PutItem, UpdateItem or DeleteItem it is: a single-item
 * write is atomic on its own, and a transaction costs twice the write units on AWS (and on DynamoDB
 * Local about three times the CPU of the plain write). Its failed condition maps to the same error.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UnitOfWork } from '../../core/ports.js';

export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

interface Staged {
  item: TransactItem;
  /** The error when this item's condition fails; undefined for an unconditional item. */
  onConditionFailed?: Error;
  /** A failure that explains others (a duplicate claim explains a version conflict, not the reverse). */
  preferred?: boolean;
}

interface StageOptions {
  preferred?: boolean;
  /** This item's error also names a transaction conflict (the item concurrent writers contend for). */
  contended?: boolean;
}

export class DynamoUnitOfWork implements UnitOfWork {
  private readonly staged: Staged[] = [];
  /** The error for a transaction conflict (another writer at that moment): the first stage's, "read again and retry". */
  private conflict?: Error;

  constructor(private readonly client: DynamoDBDocumentClient) {}

  /** Adds an item; the first conditional one (or the one marked contended) names the error a concurrent writer causes. */
  stage(item: TransactItem, onConditionFailed?: Error, options: StageOptions = {}): this {
    this.staged.push({ item, onConditionFailed, preferred: options.preferred });
    if (options.contended && onConditionFailed) this.conflict = onConditionFailed;
    else this.conflict ??= onConditionFailed;
    return this;
  }

  get size() {
    return this.staged.length;
  }

  async commit(): Promise<void> {
    if (this.staged.length === 0) return;
    const alone = this.staged.length === 1 ? singleWrite(this.staged[0]!.item) : undefined;
    if (alone) return this.commitAlone(alone, this.staged[0]!);
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: this.staged.map((s) => s.item) }));
    } catch (err) {
      if (!(err instanceof TransactionCanceledException) && (err as Error)?.name !== 'TransactionCanceledException') throw err;
      const reasons = (err as TransactionCanceledException).CancellationReasons ?? [];
      const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' && this.staged[i] ? [this.staged[i]!] : []));
      const cause = failed.find((s) => s.preferred && s.onConditionFailed) ?? failed.find((s) => s.onConditionFailed);
      if (cause) throw cause.onConditionFailed;
      // Another transaction was writing the same items at that moment: the same situation as a
      // version conflict (nothing was written; read again and retry), so the core retries it.
      if (reasons.some((r) => r.Code === 'TransactionConflict') && this.conflict) throw this.conflict;
      throw err;
    }
  }

  /** The one staged write on its own: a failed condition is its stage's error, as in a transaction. */
  private async commitAlone(write: PutCommand | UpdateCommand | DeleteCommand, staged: Staged): Promise<void> {
    try {
      await this.client.send(write as PutCommand);
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === 'ConditionalCheckFailedException' && staged.onConditionFailed) throw staged.onConditionFailed;
      // Another transaction was writing the item at that moment: read again and retry, as above.
      if (name === 'TransactionConflictException' && this.conflict) throw this.conflict;
      throw err;
    }
  }
}

/** A staged Put, Update or Delete as its single-item command; undefined for a lone ConditionCheck (it writes nothing). */
function singleWrite(item: TransactItem): PutCommand | UpdateCommand | DeleteCommand | undefined {
  if (item.Put) return new PutCommand(item.Put);
  if (item.Update) return new UpdateCommand(item.Update as ConstructorParameters<typeof UpdateCommand>[0]);
  if (item.Delete) return new DeleteCommand(item.Delete);
  return undefined;
}

/** The unit of work a store stages into: the caller's (it commits) or a fresh one the store commits itself. */
export function workFor(client: DynamoDBDocumentClient, given: UnitOfWork | undefined): { work: DynamoUnitOfWork; own: boolean } {
  if (given && !(given instanceof DynamoUnitOfWork)) throw new Error('a DynamoDB store can only stage into a DynamoDB unit of work');
  return given ? { work: given, own: false } : { work: new DynamoUnitOfWork(client), own: true };
}
