import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { secretReader } from '../../functions/adapters/secrets.js';
import { executionArn, StepFunctionsStarter } from '../../functions/adapters/sfn-starter.js';

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:LeadFunnel';
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const named = (name: string) => Object.assign(new Error(name), { name });

beforeEach(() => {
  sfn.reset();
  secrets.reset();
});

describe('the Step Functions workflow starter', () => {
  const starter = new StepFunctionsStarter(new SFNClient({}), ARN);

  it('derives an execution ARN from the state machine ARN', () => {
    expect(executionArn(ARN, 'lead-1-r2')).toBe('arn:aws:states:eu-west-1:123456789012:execution:LeadFunnel:lead-1-r2');
    expect(() => executionArn('arn:aws:lambda:eu-west-1:1:function:x', 'n')).toThrow();
  });

  it('starts a run under its derived name and reports a second start as already existing', async () => {
    sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: 'x', startDate: new Date() }).rejects(named('ExecutionAlreadyExists'));
    expect(await starter.start({ leadId: 'lead-1', run: 2, stage: 'interest' })).toBe('started');
    expect(await starter.start({ leadId: 'lead-1', run: 2, stage: 'interest' })).toBe('already-exists');
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: ARN,
      name: 'lead-1-r2',
      input: JSON.stringify({ leadId: 'lead-1', run: 2, stage: 'interest' }),
    });
  });

  it('passes on other start failures so the request is retried', async () => {
    sfn.on(StartExecutionCommand).rejects(named('ExecutionLimitExceeded'));
    await expect(starter.start({ leadId: 'l', run: 1, stage: 'awareness' })).rejects.toThrow('ExecutionLimitExceeded');
  });

  it('does not fail a stage change when stopping the old run fails: its tasks are superseded anyway', async () => {
    sfn.on(StopExecutionCommand).rejects(named('ThrottlingException'));
    await expect(starter.stop('lead-1', 1, 'moved')).resolves.toBeUndefined();
  });

  it('stops a run by its derived ARN and ignores a run that does not exist', async () => {
    sfn.on(StopExecutionCommand).resolvesOnce({ stopDate: new Date() }).rejects(named('ExecutionDoesNotExist'));
    await starter.stop('lead-1', 1, 'moved to interest');
    await starter.stop('lead-1', 1, 'moved to interest');
    expect(sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:LeadFunnel:lead-1-r1',
      cause: 'moved to interest',
    });
  });
});

describe('reading secrets', () => {
  it('caches a secret for its TTL and reads it again afterwards', async () => {
    let now = 0;
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'k1' }).resolves({ SecretString: 'k2' });
    const read = secretReader(new SecretsManagerClient({}), 1000, () => now);
    expect(await read('s')).toBe('k1');
    now = 999;
    expect(await read('s')).toBe('k1');
    now = 1000;
    expect(await read('s')).toBe('k2');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('does not cache a failed read', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: 'k' });
    const read = secretReader(new SecretsManagerClient({}));
    await expect(read('s')).rejects.toThrow('throttled');
    expect(await read('s')).toBe('k');
  });
});
