/**
 * One small HTTP server for the AWS JSON-protocol stand-ins (Step Functions, EventBridge, Secrets
 * Manager), dispatching on X-Amz-Target. Errors use `__type` and status 400 so SDK v3 clients raise
 * the same typed exceptions they raise against AWS.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerClientErrors, writeSafely } from './http-safety.js';
import { LOCALHOST } from './ports.js';
import type { ExecutionRecord, Executions } from './sfn/executions.js';
import { SfnError } from './sfn/executions.js';
import type { StartExecutionQuota } from './sfn/start-quota.js';
import type { EventStore, SecretStore } from './standins.js';

const seconds = (d?: Date) => (d ? d.getTime() / 1000 : undefined);

function describe(e: ExecutionRecord) {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: seconds(e.startDate),
    stopDate: seconds(e.stopDate),
    input: e.input,
    output: e.output,
    error: e.error,
    cause: e.cause,
  };
}

export function awsOperations(executions: Executions, events: EventStore, secrets: SecretStore, startQuota?: StartExecutionQuota) {
  const ops: Record<string, (body: any) => unknown> = {
    'AWSStepFunctions.StartExecution': (b) => {
      // Like AWS, a start that is refused as a duplicate still spends a token.
      startQuota?.take();
      const e = executions.start(b.stateMachineArn, b.name, b.input);
      return { executionArn: e.executionArn, startDate: seconds(e.startDate) };
    },
    'AWSStepFunctions.DescribeExecution': (b) => describe(executions.describe(b.executionArn)),
    'AWSStepFunctions.StopExecution': (b) => ({ stopDate: seconds(executions.stop(b.executionArn).stopDate ?? new Date()) }),
    'AWSStepFunctions.ListExecutions': (b) => ({
      executions: executions
        .list(b.stateMachineArn, b.statusFilter)
        .slice(0, b.maxResults || undefined)
        .map((e) => ({ executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: seconds(e.startDate), stopDate: seconds(e.stopDate) })),
    }),
    'AWSStepFunctions.GetExecutionHistory': (b) => {
      const history = executions.describe(b.executionArn).history.map((h) => ({ ...h, timestamp: seconds(h.timestamp) }));
      if (b.reverseOrder) history.reverse();
      return { events: history.slice(0, b.maxResults || undefined) };
    },
    'AWSEvents.PutEvents': (b) => events.putEvents(b),
    'secretsmanager.GetSecretValue': (b) => secrets.getSecretValue(b),
  };
  return ops;
}

export async function startAwsJsonServer(ops: Record<string, (body: any) => unknown>, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const contentType = target.startsWith('AWSStepFunctions.') ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
      const internalFailure = { statusCode: 500, headers: { 'content-type': contentType, 'x-amzn-errortype': 'InternalFailure' }, body: JSON.stringify({ __type: 'InternalFailure', message: 'Internal Failure' }) };
      const send = (status: number, body: unknown, errorType?: string) =>
        writeSafely(res, { statusCode: status, headers: { 'content-type': contentType, ...(errorType ? { 'x-amzn-errortype': errorType } : {}) }, body: JSON.stringify(body) }, `local ${target}`, internalFailure);
      const op = ops[target];
      if (!op) return send(400, { __type: 'UnknownOperationException', message: `Not supported locally: ${target || '(no X-Amz-Target)'}` }, 'UnknownOperationException');
      try {
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        send(200, op(body) ?? {});
      } catch (err) {
        if (err instanceof SfnError) return send(400, { __type: err.type, message: err.message }, err.type);
        if (err instanceof SyntaxError) return send(400, { __type: 'SerializationException', message: err.message }, 'SerializationException');
        console.error(`[local ${target}]`, err);
        send(500, { __type: 'InternalFailure', message: (err as Error).message }, 'InternalFailure');
      }
    });
  });
  answerClientErrors(server, 'local aws');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOCALHOST, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOCALHOST}:${actual}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
