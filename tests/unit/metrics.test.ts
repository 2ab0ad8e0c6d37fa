/**
 * The business metrics helper (functions/shared/metrics.ts), read the way CloudWatch reads it: the EMF
 * lines written to stdout. Each test counts, publishes, and parses what was written.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../functions/core/clock.js';
import type { DomainEvent, Lead } from '../../functions/core/model.js';
import { sendLeadEmail, type SendDeps } from '../../functions/core/send.js';
import { logger } from '../../functions/shared/logger.js';
import { BUSINESS_METRICS, customMetricCount, METRICS_NAMESPACE, RUN_OUTBOX_METRICS } from '../../functions/shared/metric-catalog.js';
import { countingPublisher, countMetric, countNpsAnswer, countSend, publishMetrics, withMetrics } from '../../functions/shared/metrics.js';
import { leadTemplates } from '../../workflows/templates/index.js';
import { InMemoryContactStore, InMemoryLeadStore, RecordingMailer, sequentialIds, testSendSettings } from '../fakes/index.js';

interface EmfLine {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

let written: string[];
beforeEach(() => {
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  logger.setLogLevel('INFO');
});
afterEach(() => {
  publishMetrics(); // nothing a test counted leaks into the next
  vi.restoreAllMocks();
});

/** Every EMF line written, parsed. */
const emf = (): EmfLine[] =>
  written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfLine);

/** The value of `name` in the line whose extra dimension is `dimension` (or none), e.g. `Reason=unsubscribed`. */
function valueOf(lines: EmfLine[], name: string, dimension?: string): unknown {
  const [dimName, dimValue] = dimension?.split('=') ?? [];
  const line = lines.find((l) => {
    const dims = l._aws.CloudWatchMetrics[0]!.Dimensions[0]!;
    const extra = dims.filter((d) => d !== 'service');
    return name in l && (dimName ? extra.length === 1 && extra[0] === dimName && l[dimName] === dimValue : extra.length === 0);
  });
  return line?.[name];
}

describe('business metrics as EMF', () => {
  it('writes one line per dimension value in the SalesFlow namespace, with the service dimension and the catalog unit', () => {
    countSend({ outcome: 'sent' });
    countSend({ outcome: 'sent' });
    countSend({ outcome: 'skipped', reason: 'unsubscribed' });
    countSend({ outcome: 'deferred', reason: 'frequency-cap', until: '2026-03-09T09:00:00.000Z' } as never);
    publishMetrics();

    const lines = emf();
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const [directive] = line._aws.CloudWatchMetrics;
      expect(directive!.Namespace).toBe(METRICS_NAMESPACE);
      expect(directive!.Dimensions[0]).toContain('service');
      expect(line.service).toBe('sales-flow');
      for (const metric of directive!.Metrics) expect(metric.Unit).toBe(BUSINESS_METRICS[metric.Name as keyof typeof BUSINESS_METRICS].unit);
    }
    expect(valueOf(lines, 'EmailsSent')).toBe(2);
    expect(valueOf(lines, 'EmailsSkipped', 'Reason=unsubscribed')).toBe(1);
    expect(valueOf(lines, 'EmailsDeferred', 'Reason=frequency-cap')).toBe(1);
  });

  it('counts nothing for a duplicate send (a retry of one already counted)', () => {
    countSend({ outcome: 'duplicate' });
    publishMetrics();
    expect(emf()).toEqual([]);
  });

  it('keeps dimensions to their closed lists: a reason in words is normalized, an unknown one is `other`', () => {
    countSend({ outcome: 'skipped', reason: 'nothing due' });
    countSend({ outcome: 'skipped', reason: 'a reason nobody listed' });
    countSend({ outcome: 'deferred', reason: 'moon-phase' });
    publishMetrics();
    const lines = emf();
    expect(valueOf(lines, 'EmailsSkipped', 'Reason=nothing-due')).toBe(1);
    expect(valueOf(lines, 'EmailsSkipped', 'Reason=other')).toBe(1);
    expect(valueOf(lines, 'EmailsDeferred', 'Reason=other')).toBe(1);
  });

  it('refuses a value outside a list that has no `other` (a new metric would be billed) and counts the rest', () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    countMetric('StageChanges', 'limbo');
    countMetric('StageChanges', 'decision');
    publishMetrics();
    const lines = emf();
    expect(warn).toHaveBeenCalledWith('Metric value outside its catalog: not counted', { metric: 'StageChanges', value: 'limbo' });
    expect(lines).toHaveLength(1);
    expect(valueOf(lines, 'StageChanges', 'Stage=decision')).toBe(1);
  });

  it('counts stage changes, certifications and cancellations from the domain events it publishes, after the publish', async () => {
    const published: DomainEvent[] = [];
    const publisher = countingPublisher({ publish: async (events) => void published.push(...events) });
    const at = '2026-03-02T09:00:00.000Z';
    await publisher.publish([
      { type: 'LeadStageChanged', id: 'l1:LeadStageChanged:2', at, detail: { leadId: 'l1', from: 'awareness', to: 'interest' } },
      { type: 'LeadStageChanged', id: 'l2:LeadStageChanged:5', at, detail: { leadId: 'l2', from: 'decision', to: 'purchase' } },
      { type: 'LeadConverted', id: 'l2:LeadConverted:5', at, detail: { leadId: 'l2' } },
      { type: 'RepCertified', id: 'r1:RepCertified:1', at, detail: { repId: 'r1' } },
      { type: 'CustomerChurned', id: 'c1:CustomerChurned:1', at, detail: { customerId: 'c1' } },
    ]);
    publishMetrics();
    const lines = emf();
    expect(published).toHaveLength(5);
    expect(valueOf(lines, 'StageChanges', 'Stage=interest')).toBe(1);
    expect(valueOf(lines, 'StageChanges', 'Stage=purchase')).toBe(1);
    expect(valueOf(lines, 'Certifications')).toBe(1);
    expect(valueOf(lines, 'Cancellations')).toBe(1);
  });

  it('counts nothing when the bus refuses the events (the caller retries and publishes them again)', async () => {
    const publisher = countingPublisher({ publish: async () => Promise.reject(new Error('EventBridge rejected 1 of 1 events')) });
    await expect(publisher.publish([{ type: 'CustomerChurned', id: 'c1:CustomerChurned:1', at: '2026-03-02T09:00:00.000Z', detail: {} }])).rejects.toThrow(/rejected/);
    publishMetrics();
    expect(emf()).toEqual([]);
  });

  it('files NPS answers by category, so detractors (0–6) are one dimension value', () => {
    for (const score of [0, 6, 7, 10]) countNpsAnswer(score);
    publishMetrics();
    const lines = emf();
    expect(valueOf(lines, 'NpsAnswers', 'Category=detractor')).toBe(2);
    expect(valueOf(lines, 'NpsAnswers', 'Category=passive')).toBe(1);
    expect(valueOf(lines, 'NpsAnswers', 'Category=promoter')).toBe(1);
  });

  it('writes nothing for an invocation that counted nothing (no empty lines, no warnings)', () => {
    publishMetrics();
    expect(written).toEqual([]);
  });

  it('is quiet at a log level above INFO (the tests and scripts), and drops what was counted meanwhile', () => {
    logger.setLogLevel('ERROR');
    countMetric('LeadsCaptured');
    publishMetrics();
    logger.setLogLevel('INFO');
    publishMetrics();
    expect(written).toEqual([]);
  });

  it('is quiet when the environment asks for a level above INFO after the logger was made (the local runtime sets it late)', () => {
    vi.stubEnv('LOG_LEVEL', 'ERROR');
    try {
      countMetric('LeadsCaptured');
      publishMetrics();
    } finally {
      vi.unstubAllEnvs();
    }
    expect(written).toEqual([]);
  });

  it('writes a task\'s metrics when it throws as when it returns', async () => {
    const failing = withMetrics(async () => {
      countMetric('SlaMisses');
      throw new Error('boom');
    });
    await expect(failing()).rejects.toThrow('boom');
    expect(valueOf(emf(), 'SlaMisses')).toBe(1);
  });
});

describe('the send chokepoint observed', () => {
  const lead: Lead = {
    leadId: 'lead-1',
    email: 'ada@example.com',
    firstName: 'Ada',
    stage: 'awareness',
    status: 'active',
    score: 0,
    run: 1,
    consent: { given: false, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web' },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
  };
  const step = (stepId: string, category: 'marketing' | 'transactional') =>
    ({ leadId: 'lead-1', run: 1, stage: 'awareness', stepId, template: category === 'marketing' ? 'awareness-educational-1' : 'awareness-welcome', category }) as const;

  it('emits a sent email, and a marketing email skipped for want of consent under its reason', async () => {
    const leads = new InMemoryLeadStore();
    await leads.create(lead, []);
    const deps: SendDeps = {
      leads,
      contacts: new InMemoryContactStore(),
      mailer: new RecordingMailer(),
      clock: fixedClock('2026-03-02T09:00:00.000Z'),
      ids: sequentialIds(),
      templates: leadTemplates,
      settings: testSendSettings(),
      observe: countSend,
    };
    expect(await sendLeadEmail(deps, step('welcome', 'transactional'))).toEqual({ outcome: 'sent' });
    expect(await sendLeadEmail(deps, step('educational-1', 'marketing'))).toMatchObject({ outcome: 'skipped', reason: 'no-consent' });
    // The same step again: a duplicate, not a second send.
    expect(await sendLeadEmail(deps, step('welcome', 'transactional'))).toEqual({ outcome: 'duplicate' });
    publishMetrics();
    const lines = emf();
    expect(valueOf(lines, 'EmailsSent')).toBe(1);
    expect(valueOf(lines, 'EmailsSkipped', 'Reason=no-consent')).toBe(1);
  });
});

describe('the metric catalog', () => {
  it('bounds what CloudWatch can bill: every metric × dimension value, with no value listed twice', () => {
    for (const spec of Object.values({ ...BUSINESS_METRICS, ...RUN_OUTBOX_METRICS })) {
      if ('dimension' in spec) expect(new Set(spec.dimension.values).size).toBe(spec.dimension.values.length);
    }
    // 1 + 5 stages + 1 + 9 skip reasons + 4 deferral reasons + 1 + 1 + 3 NPS categories + 1, and StartRuns' 4 × 2 sources.
    expect(customMetricCount()).toBe(34);
  });
});
