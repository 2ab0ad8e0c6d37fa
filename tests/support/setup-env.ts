/**
 * Runs before every test file of every project. It points DynamoDB at the run's DynamoDB Local
 * (when the project has one) and then REFUSES to run unless every AWS endpoint the code can use is
 * set and is 127.0.0.1 — so no test can reach real AWS by accident.
 */
import { inject } from 'vitest';

export const GUARDED_ENDPOINTS = [
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SFN',
  'AWS_ENDPOINT_URL_SESV2',
  'AWS_ENDPOINT_URL_EVENTBRIDGE',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
] as const;

const dynamodbEndpoint = inject('dynamodbEndpoint');
if (dynamodbEndpoint) process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamodbEndpoint;

export function assertLocalEndpoints(env: NodeJS.ProcessEnv = process.env): void {
  const bad: string[] = [];
  for (const name of GUARDED_ENDPOINTS) {
    const value = env[name];
    let host: string | undefined;
    try {
      host = value ? new URL(value).hostname : undefined;
    } catch {
      host = undefined;
    }
    if (host !== '127.0.0.1') bad.push(`${name}=${value ?? '(unset)'}`);
  }
  if (bad.length) {
    throw new Error(`Refusing to run tests: every AWS endpoint must point to 127.0.0.1, but ${bad.join(', ')}`);
  }
  if (env.AWS_ENDPOINT_URL && new URL(env.AWS_ENDPOINT_URL).hostname !== '127.0.0.1') {
    throw new Error(`Refusing to run tests: AWS_ENDPOINT_URL=${env.AWS_ENDPOINT_URL} is not 127.0.0.1`);
  }
}

assertLocalEndpoints();
