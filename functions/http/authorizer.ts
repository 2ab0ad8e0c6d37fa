/**
 * HTTP API Lambda authorizer (REQUEST, payload 2.0, simple responses): `Authorization: Bearer <key>`
 * against the key in Secrets Manager. Both sides are hashed first so the comparison takes the same
 * time whatever the length or content of the guess.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { secretReader } from '../adapters/secrets.js';
import { bearerMatches } from '../shared/api-key.js';
import { secretsClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { logger } from '../shared/logger.js';

const config = loadConfig('apiKey');
const readSecret = secretReader(secretsClient());

export { bearerMatches };

export async function handler(event: APIGatewayRequestAuthorizerEventV2): Promise<{ isAuthorized: boolean }> {
  const authorization = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const isAuthorized = bearerMatches(authorization, await readSecret(config.apiKeySecretId));
  if (!isAuthorized) logger.info('Rejected request without a valid API key', { routeKey: event.routeKey });
  return { isAuthorized };
}
