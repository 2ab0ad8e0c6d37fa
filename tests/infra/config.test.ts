import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { readDeploymentConfig, senderEmail } from '../../infra/config.js';

const configFrom = (context: Record<string, unknown>) => readDeploymentConfig(new App({ context }).node);

describe('deployment settings from CDK context', () => {
  it('has safe example defaults so synth works with no settings', () => {
    const config = configFrom({});
    expect(config).toMatchObject({
      senderAddress: 'Brightline Analytics <sales@example.com>',
      consentPolicy: 'opt-in',
      frequencyCap: '3/7d',
      retainData: true,
      eventBusName: 'sales-flow',
      throttle: { rate: 50, burst: 100 },
    });
    expect(config.publicBaseUrl).toBeUndefined();
    expect(senderEmail(config)).toBe('sales@example.com');
  });

  it('reads the strings the CLI passes (-c key=value) as lists, numbers and booleans', () => {
    const config = configFrom({ formOrigins: 'https://a.test, https://b.test', slaHours: '8', retainData: 'false', throttle: '10/20' });
    expect(config.formOrigins).toEqual(['https://a.test', 'https://b.test']);
    expect(config.slaHours).toBe(8);
    expect(config.retainData).toBe(false);
    expect(config.throttle).toEqual({ rate: 10, burst: 20 });
  });

  it('refuses bad values naming each one', () => {
    expect(() => configFrom({ frequencyCap: 'often', formOrigins: ['https://a.test/form'], logRetentionDays: 2 })).toThrow(
      /invalid deployment settings in CDK context — .*formOrigins\.0: must be an origin.*frequencyCap: must look like "3\/7d".*logRetentionDays/,
    );
  });
});
