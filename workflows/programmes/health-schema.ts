/**
 * The customer health model's schema, run once at synth (and by the tests); imported by infra and
 * tests only, never by a Lambda. A bad value is named by its path: `weights: must add up to 1 (got 1.1)`.
 */
import { z } from 'zod';
import { TICKET_SEVERITIES, type HealthModel } from '../../functions/core/health.js';
import { validateWith } from '../engine/schema.js';

const share = z.number().min(0).max(1);
const points = z.number().min(0).max(100);
const days = z.number().int().min(1);
const ascending = (values: number[]) => values.every((v, i) => i === 0 || v >= values[i - 1]!);

export const healthModelSchema = z
  .strictObject({
    weights: z
      .strictObject({ usage: share, support: share, nps: share, engagement: share })
      .superRefine((w, ctx) => {
        const sum = w.usage + w.support + w.nps + w.engagement;
        if (Math.abs(sum - 1) > 0.001) ctx.addIssue({ code: 'custom', message: `must add up to 1 (got ${Math.round(sum * 1000) / 1000})` });
      }),
    neutral: points,
    usage: z
      .strictObject({ windowDays: days, targetDays: days })
      .refine((u) => u.targetDays <= u.windowDays, { message: 'targetDays cannot exceed windowDays', path: ['targetDays'] }),
    support: z.strictObject({
      penalties: z
        .strictObject(Object.fromEntries(TICKET_SEVERITIES.map((s) => [s, points])) as Record<(typeof TICKET_SEVERITIES)[number], typeof points>)
        .refine((p) => ascending(TICKET_SEVERITIES.map((s) => p[s])), { message: 'a more severe ticket cannot cost fewer points' }),
    }),
    nps: z
      .strictObject({ detractor: points, passive: points, promoter: points, maxAgeDays: days })
      .refine((n) => n.detractor <= n.passive && n.passive <= n.promoter, { message: 'must rise from detractor to passive to promoter' }),
    engagement: z
      .strictObject({ windowDays: days, responseDays: z.number().int().min(0) })
      .refine((e) => e.responseDays < e.windowDays, { message: 'must be shorter than windowDays', path: ['responseDays'] }),
    inactivity: z.strictObject({ graceDays: z.number().int().min(0), decayPerWeek: share }),
    bands: z
      .strictObject({ atRiskBelow: points, watchBelow: points })
      .refine((b) => b.atRiskBelow < b.watchBelow, { message: 'must be below watchBelow', path: ['atRiskBelow'] }),
    minChange: z.number().int().min(1).max(100),
    noUsageAlertDays: days,
    history: z.strictObject({ usageDays: days, openTickets: days, closedTickets: days, checkIns: days }),
  })
  // The record must keep at least the days the usage component looks at.
  .refine((m) => m.history.usageDays >= m.usage.windowDays, { message: 'must cover usage.windowDays', path: ['history', 'usageDays'] });

/** Validates the model; throws one message listing every problem with its path. */
export function parseHealthModel(data: unknown): HealthModel {
  return validateWith(healthModelSchema, data, 'health model');
}
