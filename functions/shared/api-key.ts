/** The API key check, shared by the gateway's authorizer and the public routes that treat key holders as integrations. */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Both sides are hashed first, so the comparison takes the same time whatever the guess's length or content. */
export function bearerMatches(authorization: string | undefined, key: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return Boolean(match) && key.length > 0 && timingSafeEqual(digest(match![1]!), digest(key));
}
