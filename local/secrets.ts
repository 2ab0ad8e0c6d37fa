/**
 * Values for the template's secrets: which one is the API key and which the signing key is read
 * from the function environment variable that references it (API_KEY_SECRET_ID / SIGNING_SECRET_ID),
 * falling back to the logical id.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalSecret } from './standins.js';
import { localArn, resourcesOfType, type CfnTemplate, type ReferenceMap } from './template.js';

export const generateKey = () => randomBytes(24).toString('base64url');

/** The signing key survives restarts of `npm start`, so unsubscribe links in old emails keep working. */
export function persistentKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const key = generateKey();
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

export function localSecrets(
  template: CfnTemplate,
  refs: ReferenceMap,
  env: Record<string, string>,
  values: { apiKey: string; signingKey: string },
): LocalSecret[] {
  return resourcesOfType(template, 'AWS::SecretsManager::Secret').map(([id, res]) => {
    const arn = String(refs.ref[id] ?? localArn.secret(id));
    const name = typeof res.Properties?.Name === 'string' ? res.Properties.Name : id;
    let value: string;
    if (env.API_KEY_SECRET_ID === arn || (!env.API_KEY_SECRET_ID && /api.?key/i.test(id))) value = values.apiKey;
    else if (env.SIGNING_SECRET_ID === arn || (!env.SIGNING_SECRET_ID && /sign/i.test(id))) value = values.signingKey;
    else value = generateKey();
    return { arn, name, value };
  });
}
