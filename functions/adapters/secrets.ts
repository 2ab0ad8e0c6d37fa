/**
 * Secrets Manager reads with a short in-memory cache: a warm Lambda does not call Secrets Manager
 * on every request, and a rotated key is picked up within the TTL.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export type SecretReader = (secretId: string) => Promise<string>;

export function secretReader(client: SecretsManagerClient, ttlMs = 5 * 60_000, now: () => number = Date.now): SecretReader {
  const cache = new Map<string, { value: Promise<string>; expires: number }>();
  return (secretId) => {
    const hit = cache.get(secretId);
    if (hit && hit.expires > now()) return hit.value;
    const value = client.send(new GetSecretValueCommand({ SecretId: secretId })).then((out) => {
      if (!out.SecretString) throw new Error(`secret ${secretId} has no SecretString`);
      return out.SecretString;
    });
    cache.set(secretId, { value, expires: now() + ttlMs });
    // A failed read must not be cached, or one blip would lock everyone out for the whole TTL.
    value.catch(() => cache.get(secretId)?.value === value && cache.delete(secretId));
    return value;
  };
}
