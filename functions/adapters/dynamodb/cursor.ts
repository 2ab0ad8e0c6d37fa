/**
 * Page cursors of every list: the LastEvaluatedKey DynamoDB returned, as base64url JSON. A cursor is
 * ours only if it decodes to exactly the key attributes of the index being read, each a plain
 * non-empty string, naming an item of the partition being listed; anything else is the caller's
 * mistake (a 400 naming `cursor`), never a key handed to DynamoDB to fail on as a 500.
 */
import { ValidationError } from '../../core/errors.js';
import { plainTextProblem } from '../../core/text.js';

export type CursorKey = Record<string, string>;

export const encodeCursor = (key: Record<string, unknown>): string => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(cursor: string, names: readonly string[], belongs: (key: CursorKey) => boolean): CursorKey {
  const invalid = new ValidationError('Invalid cursor', [{ path: 'cursor', message: 'not a cursor returned by this list' }]);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid;
  const item = key as Record<string, unknown>;
  const wellFormed =
    Object.keys(item).length === names.length &&
    names.every((n) => typeof item[n] === 'string' && item[n].length > 0 && item[n].length <= 1024 && !plainTextProblem(item[n]));
  if (!wellFormed || !belongs(item as CursorKey)) throw invalid;
  return item as CursorKey;
}
