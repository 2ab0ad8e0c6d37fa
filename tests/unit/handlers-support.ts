/** Builders shared by the handler tests: API Gateway HTTP API (payload 2.0) events and the env handlers read. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:LeadFunnel';

export function handlerEnv() {
  Object.assign(process.env, {
    TABLE_NAME: 'sales-flow-test',
    FUNNEL_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
    RETENTION_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:CustomerRetention',
    EVENT_BUS_NAME: 'sales-flow-events',
    API_KEY_SECRET_ID: 'api-key-secret',
    SIGNING_SECRET_ID: 'signing-secret',
    FORM_ORIGINS: 'https://www.example.com',
    SENDER_ADDRESS: 'Sales <sales@example.com>',
    POSTAL_ADDRESS: '1 Example Street, Example City',
    PUBLIC_BASE_URL: 'https://api.example.com',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
}

export function httpEvent(options: {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/';
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: options.headers ?? {},
    queryStringParameters: options.query,
    pathParameters: options.pathParameters,
    body: options.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '01/Mar/2026:09:00:00 +0000',
      timeEpoch: 1772355600000,
    },
  };
}

export const context = {
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
  memoryLimitInMB: '256',
  awsRequestId: 'aws-req-1',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
export async function call(handler: Handler, event: APIGatewayProxyEventV2) {
  const res = await handler(event, context);
  const isJson = /json/.test(String(res.headers?.['content-type'] ?? ''));
  return { ...res, json: isJson && res.body ? JSON.parse(res.body) : undefined };
}
