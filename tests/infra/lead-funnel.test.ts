import { describe, expect, it } from 'vitest';
import validator from 'asl-validator';
import { MAX_STATE_NAME } from '../../workflows/engine/builder.js';
import { definitionOf, fixtureProgramme, synthFunnels, type AslState } from './support.js';

const template = synthFunnels('lead-funnel', { Funnel: fixtureProgramme }).Funnel;
const definition = definitionOf(template);
const states = Object.entries(definition.States);
const tasks = states.filter(([, s]) => s.Type === 'Task');
const state = (name: string): AslState => {
  const found = definition.States[name];
  if (!found) throw new Error(`no state "${name}"; states: ${Object.keys(definition.States).join(' | ')}`);
  return found;
};
const payload = (name: string) => state(name).Parameters.Payload;

describe('the LeadFunnel definition', () => {
  it('passes asl-validator', () => {
    const result = validator(definition);
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is a Standard state machine logging every event, with tracing', () => {
    const sm = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    expect(sm.Properties.StateMachineType).toBe('STANDARD');
    expect(sm.Properties.LoggingConfiguration.Level).toBe('ALL');
    expect(sm.Properties.LoggingConfiguration.IncludeExecutionData).toBe(true);
    expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('uses JSONPath only, and static waits except until a deferred send may go', () => {
    const text = JSON.stringify(definition);
    expect(text).not.toContain('JSONata');
    expect(text).not.toMatch(/"(Arguments|Output|Assign)"/);
    for (const [, s] of states.filter(([name, s]) => s.Type === 'Wait' && !/: wait until send \d+ may go$/.test(name))) {
      expect(Object.keys(s)).not.toContain('SecondsPath');
      expect(Object.keys(s)).not.toContain('TimestampPath');
      expect(s.Seconds).toBeGreaterThan(0);
    }
  });

  it('gives every Task a timeout, retries in the documented order and a catch to the failure path', () => {
    expect(tasks.length).toBeGreaterThan(5);
    for (const [name, task] of tasks) {
      expect(task.TimeoutSeconds, name).toBeGreaterThan(0);
      // Control flow first, then Lambda's own errors, the retriers of particular errors, and the catch-all last.
      const retried = task.Retry.map((r: any) => r.ErrorEquals[0]);
      expect(retried.slice(0, 2), name).toEqual(['SupersededError', 'Lambda.ServiceException']);
      expect(retried.at(-1), name).toBe('States.ALL');
      expect(retried, name).toContain('ProvisionedThroughputExceededException');
      // Control flow, never retried: a newer run owns the lead; the frequency cap said "later".
      expect(task.Retry[0]).toMatchObject({ ErrorEquals: ['SupersededError', 'SendDeferred'], MaxAttempts: 0 });
      expect(task.Retry[1]).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
      // DynamoDB throttling that outlasted the SDK's retries: more, capped waits than the catch-all.
      expect(task.Retry.find((r: any) => r.ErrorEquals[0] === 'ProvisionedThroughputExceededException')).toEqual({
        ErrorEquals: ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'],
        IntervalSeconds: 1,
        MaxAttempts: 8,
        BackoffRate: 2,
        MaxDelaySeconds: 30,
        JitterStrategy: 'FULL',
      });
      expect(task.Retry.at(-1)).toMatchObject({ ErrorEquals: ['States.ALL'], MaxAttempts: 3 });
      expect(task.Catch[0]).toEqual({ ErrorEquals: ['SupersededError'], Next: 'Superseded by a newer run' });
      const last = task.Catch.at(-1);
      expect(last).toMatchObject({ ErrorEquals: ['States.ALL'], ResultPath: '$.failure' });
      expect(last.Next, name).toBe(name === 'Record failure' ? 'Failed without a timeline entry' : 'Record failure');
      expect(task.Catch.length, name).toBe(name.includes(': send ') ? 3 : 2);
    }
    expect(state('Superseded by a newer run').Type).toBe('Succeed');
    expect(state('Record failure').Next).toBe('Failed');
    expect(state('Failed').Type).toBe('Fail');
  });

  it('retries every Task with full jitter, so failed runs that retry together do not collide again', () => {
    for (const [name, task] of tasks) {
      for (const retry of task.Retry.filter((r: any) => (r.MaxAttempts ?? 3) > 0)) {
        expect(retry, `${name}: ${retry.ErrorEquals.join(', ')}`).toMatchObject({ JitterStrategy: 'FULL' });
      }
    }
  });

  it('calls Lambda through lambda:invoke and keeps leadId, run and stage by writing results to a ResultPath', () => {
    for (const [name, task] of tasks) {
      expect(task.Resource, name).toBe('arn:aws:states:::lambda:invoke');
      expect(task.Parameters.Payload['leadId.$']).toBe('$.leadId');
      expect(task.Parameters.Payload['run.$']).toBe('$.run');
      expect(task.ResultPath === null || /^\$\.[a-zA-Z]+$/.test(task.ResultPath), name).toBe(true);
    }
    // Nothing reads a send's answer: its result is dropped and the input goes on as it came.
    expect(state('Awareness: send 1 (welcome)').ResultPath).toBeNull();
  });

  it('sends with the payload the SendEmail task expects', () => {
    expect(payload('Awareness: send 2 (guide)')).toEqual({
      'leadId.$': '$.leadId', 'run.$': '$.run', 'stage.$': '$.stage', stepId: 'guide', template: 'fixture-guide', category: 'marketing', version: 1,
    });
    expect(payload('Recycle: send 1 (monthly-1)')).toMatchObject({ stepId: 'monthly-1', category: 'recycle' });
  });

  it('enters the run at the lead’s stage', () => {
    expect(definition.StartAt).toBe('Enter stage');
    const next = Object.fromEntries(state('Enter stage').Choices.map((c: any) => [c.StringEquals, c.Next]));
    expect(next).toEqual({
      awareness: 'Awareness: send 1 (welcome)',
      interest: 'Interest: send 1 (case-study)',
      consideration: 'Consideration: send 1 (comparison)',
      decision: 'Decision: assign a rep',
      purchase: 'Purchase: send 1 (thank-you)',
    });
  });

  it('waits until the time a SendDeferred names (the cap frees, business hours open), and tries the send again', () => {
    expect(state('Awareness: send 1 (welcome)').Next).toBe('Awareness: wait 2 days');
    expect(state('Awareness: send 1 (welcome)').Catch[1]).toEqual({ ErrorEquals: ['SendDeferred'], ResultPath: '$.deferral', Next: 'Awareness: when may send 1 go?' });
    // The Cause of a Lambda error is its JSON error document; the deferral's message is the time.
    expect(state('Awareness: when may send 1 go?')).toMatchObject({ Type: 'Pass', Parameters: { 'cause.$': 'States.StringToJson($.deferral.Cause)' }, ResultPath: '$.deferral', Next: 'Awareness: wait until send 1 may go' });
    expect(state('Awareness: wait until send 1 may go')).toMatchObject({ TimestampPath: '$.deferral.cause.errorMessage', Next: 'Awareness: send 1 (welcome)' });
  });

  it('costs one state transition per send on the happy path: the send Task goes straight on to the next step', () => {
    const sends = tasks.filter(([name]) => name.includes(': send '));
    expect(sends.length).toBeGreaterThan(5);
    for (const [name, task] of sends) expect(state(task.Next).Type, name).not.toBe('Choice');
    expect(states.filter(([name]) => name.endsWith('deferred?'))).toEqual([]);
  });

  it('hands a decision lead to a rep, queues it when none is free and walks the SLA ladder on a miss', () => {
    expect(payload('Decision: assign a rep')).toMatchObject({ reason: 'decision' });
    expect(state('Decision: assign a rep')).toMatchObject({ ResultPath: '$.assignment', ResultSelector: { 'next.$': '$.Payload.next' }, Next: 'SLA: watch, queue or nurture?' });
    const routes = Object.fromEntries(state('SLA: watch, queue or nurture?').Choices.map((c: any) => [c.StringEquals, [c.Variable, c.Next]]));
    expect(routes).toEqual({
      'watch-sla': ['$.assignment.next', 'SLA: wait 24 hours for rep contact'],
      queue: ['$.assignment.next', 'Decision: wait 4 hours for a free rep'],
      nurture: ['$.assignment.next', 'Decision: send 1 (proposal)'],
    });
    expect(state('SLA: watch, queue or nurture?').Default).toBe('Unknown assignment outcome');
    expect(state('Unknown assignment outcome').Type).toBe('Fail');
    expect(payload('Decision: assign a rep from the queue')).toMatchObject({ reason: 'queue-retry' });
    expect(state('Decision: assign a rep from the queue').Next).toBe('SLA: watch, queue or nurture?');
    expect(state('SLA: wait 24 hours for rep contact')).toMatchObject({ Seconds: 86_400, Next: 'SLA: check rep contact' });
    expect(state('Rep contacted?').Choices[0]).toMatchObject({ Variable: '$.contact.contacted', BooleanEquals: true, Next: 'Decision: send 1 (proposal)' });
    expect(state('Rep contacted?').Default).toBe('SLA: reassign or escalate after a miss');
    expect(payload('SLA: reassign or escalate after a miss')).toMatchObject({ reason: 'sla-miss', escalateAfterMisses: 2 });
    expect(state('SLA: reassign or escalate after a miss').Next).toBe('SLA: watch, queue or nurture?');
  });

  it('recycles a lead whose programme ran out, then closes it as dormant; purchase ends as won', () => {
    expect(state('Awareness: send 2 (guide)').Next).toBe('Recycle: mark lead recycled');
    expect(state('Decision: wait 2 days (2)').Next).toBe('Recycle: mark lead recycled');
    expect(payload('Recycle: mark lead recycled')).toMatchObject({ status: 'recycled' });
    expect(state('Recycle: send 1 (monthly-1)').Next).toBe('Close as dormant');
    expect(payload('Close as dormant')).toMatchObject({ status: 'dormant' });
    expect(state('Purchase: send 1 (thank-you)').Next).toBe('Won');
    expect(state('Won').Type).toBe('Succeed');
  });

  it('names states uniquely and within the Step Functions limit', () => {
    for (const [name] of states) expect(name.length, name).toBeLessThanOrEqual(MAX_STATE_NAME);
    expect(state('Consideration: wait 36 hours').Seconds).toBe(36 * 3600);
    expect(state('Decision: wait 2 days (2)').Type).toBe('Wait');
  });

  it('records a failure with the caught error and cause', () => {
    expect(payload('Record failure')).toEqual({ 'leadId.$': '$.leadId', 'run.$': '$.run', 'error.$': '$.failure.Error', 'cause.$': '$.failure.Cause' });
  });
});
