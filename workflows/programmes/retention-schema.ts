/**
 * The CustomerRetention programme's schema, run once at synth (and by the tests); imported by infra and
 * tests only, never by a Lambda. A bad value is named by its path: `checkIns[2].template: names no
 * template in workflows/templates`.
 */
import { z } from 'zod';
import { isTimeZone } from '../../functions/core/business-hours.js';
import type { RetentionProgramme } from '../../functions/core/retention.js';
import { stepId, validateWith } from '../engine/schema.js';
import { leadTemplates } from '../templates/index.js';

const day = z.number().int().min(0);
const positiveDays = z.number().int().min(1);
/** Shorter than four weeks and a "quarterly" mail becomes a nag (and the term fills with steps). */
const cadence = z.number().int().min(28, 'must be at least 28 days');

/**
 * Ledger keys the agenda makes itself within a term (core/retention.ts): a check-in with one of these
 * ids would share its done-marker with that item, so one of the two would never go.
 */
const GENERATED_KEY = /^(assign-owner|nps|term-end|quarterly-\d+|review-\d+|renewal-\d+|renewal-owner-\d+|no-usage-.*)$/;

/** Adds an issue at `[i, field]` for every value seen before in the list. */
function unique<T>(values: T[], field: string, what: string, ctx: z.RefinementCtx) {
  const seen = new Set<T>();
  values.forEach((v, i) => {
    if (seen.has(v)) ctx.addIssue({ code: 'custom', path: field ? [i, field] : [i], message: `duplicate ${what} ${JSON.stringify(v)}` });
    seen.add(v);
  });
}

export function retentionProgrammeSchema(templates: readonly string[]) {
  const known = new Set(templates);
  const template = z.string().refine((name) => known.has(name), { message: 'names no template in workflows/templates' });
  const checkInId = stepId.refine((id) => !GENERATED_KEY.test(id), { message: 'is a key the agenda makes itself (nps, quarterly-n, review-n, renewal-…, term-end, …)' });

  return z.strictObject({
    checkIns: z
      .array(z.strictObject({ id: checkInId, day, template, hold: z.boolean().optional() }))
      .superRefine((list, ctx) => unique(list.map((c) => c.id), 'id', 'check-in id', ctx)),
    quarterly: z.strictObject({ template, firstDay: day, everyDays: cadence }),
    survey: z.strictObject({ day, template, throttleDays: positiveDays, detractorQuietDays: positiveDays }),
    businessReview: z.strictObject({ firstDay: day, everyDays: cadence }),
    renewal: z.strictObject({
      ownerDaysBefore: z.array(positiveDays).superRefine((list, ctx) => unique(list, '', 'reminder day', ctx)),
      customer: z
        .array(z.strictObject({ daysBefore: positiveDays, template }))
        .superRefine((list, ctx) => unique(list.map((r) => r.daysBefore), 'daysBefore', 'reminder day', ctx)),
      autoRenew: z.boolean(),
    }),
    // Zero days would nudge a customer the moment they stop using the product.
    noUsage: z.strictObject({ days: positiveDays, template }),
    followUps: z.strictObject({ passiveTemplate: template, promoterTemplate: template, referralThanksTemplate: template, atRiskTemplate: template }),
    winBack: z
      .array(z.strictObject({ id: stepId, day, template }))
      .superRefine((list, ctx) => unique(list.map((w) => w.id), 'id', 'win-back id', ctx)),
    // At most a week between re-plans: health and the no-usage check go stale otherwise.
    checkEveryHours: z.number().int().min(1).max(168),
    // Step Functions ends an execution after a year; leave the hand-over a margin.
    maxRunDays: z.number().int().min(30).max(350),
    businessHours: z
      .strictObject({
        startHour: z.number().int().min(0).max(23),
        endHour: z.number().int().min(1).max(24),
        weekdays: z
          .array(z.number().int().min(1).max(7))
          .min(1, 'business hours need at least one weekday')
          .superRefine((list, ctx) => unique(list, '', 'weekday', ctx)),
      })
      .refine((h) => h.endHour > h.startHour, { message: 'endHour must be after startHour', path: ['endHour'] }),
    defaultTimeZone: z.string().refine(isTimeZone, 'must be an IANA time zone'),
    defaultTermMonths: z.number().int().min(1).max(60),
  });
}

/** Validates programme data; throws one message listing every problem with its path. */
export function parseRetentionProgramme(data: unknown, templates: readonly string[] = Object.keys(leadTemplates)): RetentionProgramme {
  return validateWith(retentionProgrammeSchema(templates), data, 'retention programme') as RetentionProgramme;
}
