/**
 * Throttled sends in the synthesized app: every Task of every workflow retries SendThrottled (SES over
 * its sending rate, or the system's send-rate ceiling) for hours with backoff and full jitter before
 * its catch-all, and every function that sends email gets the one ceiling setting.
 */
import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../infra/build-app.js';
import { readDeploymentConfig } from '../../infra/config.js';
import { FUNCTION_SPECS } from '../../infra/functions.js';
import { stateMachineDefinition } from '../../infra/template-definitions.js';
import { WORKFLOW_REGISTRY } from '../../workflows/registry.js';
import { assemblyDir } from './support.js';

const { app, stack } = buildApp({ bundling: false, nag: false, outdir: assemblyDir('send-throttling'), context: { sendRateCeiling: 12 } });
const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, any> };

/** Sums the longest waits Step Functions may draw for a retrier (FULL jitter draws below them). */
const longestWaitsSeconds = (r: any) =>
  Array.from({ length: r.MaxAttempts }, (_, n) => Math.min(r.IntervalSeconds * r.BackoffRate ** n, r.MaxDelaySeconds)).reduce((a, b) => a + b, 0);

describe('throttled sends in the synthesized workflows', () => {
  for (const workflow of WORKFLOW_REGISTRY) {
    it(`${workflow.name}: every Task retries SendThrottled for hours with backoff and full jitter, before the catch-all`, () => {
      const definition = stateMachineDefinition(template, workflow.name);
      const tasks = Object.entries<any>(definition.States).filter(([, s]) => s.Type === 'Task');
      expect(tasks.length).toBeGreaterThan(0);
      for (const [name, task] of tasks) {
        const at = task.Retry.findIndex((r: any) => r.ErrorEquals.includes('SendThrottled'));
        expect(at, name).toBeGreaterThan(0);
        expect(task.Retry[at], name).toEqual({ ErrorEquals: ['SendThrottled'], IntervalSeconds: 1, BackoffRate: 2, MaxDelaySeconds: 120, MaxAttempts: 200, JitterStrategy: 'FULL' });
        expect(task.Retry.findIndex((r: any) => r.ErrorEquals.includes('States.ALL')), name).toBeGreaterThan(at);
        // Never swallowed as control flow: neither the Superseded catch nor the deferral's wait takes it.
        expect(task.Catch.filter((c: any) => c.ErrorEquals.includes('SendThrottled')), name).toEqual([]);
      }
      // Waits of up to 6.5 hours in all (about half that on average): late, not dropped.
      const hours = longestWaitsSeconds(tasks[0]![1].Retry.find((r: any) => r.ErrorEquals.includes('SendThrottled'))) / 3600;
      expect(hours).toBeGreaterThan(6);
      expect(hours).toBeLessThan(7);
    });
  }
});

describe('the send-rate ceiling setting', () => {
  it('defaults to 10 emails a second, under a new SES account’s 14, and refuses what is not a whole positive number', () => {
    const configFrom = (context: Record<string, unknown>) => readDeploymentConfig(new App({ context }).node);
    expect(configFrom({}).sendRateCeiling).toBe(10);
    expect(configFrom({ sendRateCeiling: '25' }).sendRateCeiling).toBe(25);
    expect(() => configFrom({ sendRateCeiling: 0 })).toThrow(/sendRateCeiling/);
    expect(() => configFrom({ sendRateCeiling: 2.5 })).toThrow(/sendRateCeiling/);
  });

  it('reaches every function that sends email, with one value', () => {
    const functions = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const senders = Object.entries(FUNCTION_SPECS).filter(([, spec]) => (spec.env as string[]).includes('SENDER_ADDRESS')).map(([name]) => name);
    expect(senders).toEqual(expect.arrayContaining(['SendEmail', 'SendConfirmations', 'OnboardingStep']));
    for (const name of senders) {
      const [, fn] = functions.find(([id]) => id === name)!;
      expect(fn.Properties.Environment.Variables.SEND_RATE_CEILING, name).toBe('12');
    }
  });
});
