/** StartRuns reading the table's stream: which subjects a batch asks to start, and which need their intake first. */
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/table/keys.js';
import { handlerEnv } from './handlers-support.js';

let requestsFromStream: typeof import('../../functions/tasks/start-runs.js').requestsFromStream;

beforeAll(async () => {
  handlerEnv();
  Object.assign(process.env, { REP_ONBOARDING_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:RepOnboarding' });
  ({ requestsFromStream } = await import('../../functions/tasks/start-runs.js'));
}, 60_000);

const record = (sequence: string, gsi4pk: string, requestedAt: string, subjectId: string) => ({
  eventName: 'MODIFY',
  dynamodb: { SequenceNumber: sequence, NewImage: { gsi4pk: { S: gsi4pk }, gsi4sk: { S: `${requestedAt}#${subjectId}` } } },
});

describe('StartRuns: requests from the stream', () => {
  it('asks for the intake of a new lead, then its run, and for the run of any other pending subject', () => {
    const requests = requestsFromStream([
      record('1', keys.leadIntakePartition(), '2026-11-27T08:00:00.000Z', 'lead-a'),
      record('2', keys.pendingRunPartition('RepOnboarding'), '2026-11-27T08:00:01.000Z', 'rep-b'),
      record('3', keys.pendingRunPartition('LeadFunnel'), '2026-11-27T08:00:02.000Z', 'lead-c'),
    ]);
    expect(requests).toEqual([
      { workflow: 'LeadFunnel', subjectId: 'lead-a', requestedAt: '2026-11-27T08:00:00.000Z', intake: true, sequenceNumber: '1' },
      { workflow: 'RepOnboarding', subjectId: 'rep-b', requestedAt: '2026-11-27T08:00:01.000Z', sequenceNumber: '2' },
      { workflow: 'LeadFunnel', subjectId: 'lead-c', requestedAt: '2026-11-27T08:00:02.000Z', sequenceNumber: '3' },
    ]);
  });

  it('keeps one request per subject: its intake, its first sequence number and when the submission arrived', () => {
    const [request, ...rest] = requestsFromStream([
      record('7', keys.leadIntakePartition(), '2026-11-27T08:00:00.000Z', 'lead-a'),
      // The intake's own save puts the lead on the run outbox: the same subject, a later record.
      record('8', keys.pendingRunPartition('LeadFunnel'), '2026-11-27T08:00:00.500Z', 'lead-a'),
    ]);
    expect(rest).toEqual([]);
    expect(request).toEqual({ workflow: 'LeadFunnel', subjectId: 'lead-a', requestedAt: '2026-11-27T08:00:00.000Z', intake: true, sequenceNumber: '7' });
  });

  it('ignores records of anything not waiting in an outbox', () => {
    expect(requestsFromStream([{ eventName: 'INSERT', dynamodb: { SequenceNumber: '9', NewImage: { gsi4pk: { S: 'CUSTOMERS#healthy' } } } }])).toEqual([]);
  });
});
