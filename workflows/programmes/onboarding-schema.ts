/**
 * The RepOnboarding programme's schema, run once at synth (and by the tests); imported by infra and
 * tests only, never by a Lambda. A bad value is named by its path: `paths.sdr.modules[3].prerequisites[0]:
 * names no earlier module of the path`.
 */
import { z } from 'zod';
import { MODULE_KINDS, type OnboardingProgramme } from '../../functions/core/learning.js';
import { REP_ROLES } from '../../functions/core/model.js';
import { validateWith } from '../engine/schema.js';

const moduleId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'must be lower-case letters, digits and dashes (max 60)');

const trainingModule = z
  .strictObject({
    id: moduleId,
    title: z.string().min(1).max(120),
    kind: z.enum(MODULE_KINDS),
    url: z.url({ protocol: /^https?$/ }),
    dueDays: z.number().int().min(0).max(180),
    prerequisites: z.array(moduleId),
    passMark: z.number().int().min(1).max(100).optional(),
    maxAttempts: z.number().int().min(1).max(10).optional(),
    managerReview: z.boolean(),
  })
  .superRefine((m, ctx) => {
    if (m.kind === 'quiz' && (m.passMark === undefined || m.maxAttempts === undefined))
      ctx.addIssue({ code: 'custom', path: ['passMark'], message: 'a quiz needs passMark and maxAttempts' });
    if (m.kind !== 'quiz' && (m.passMark !== undefined || m.maxAttempts !== undefined))
      ctx.addIssue({ code: 'custom', path: ['passMark'], message: 'only a quiz has passMark and maxAttempts' });
  });

/** Ids unique; prerequisites name an earlier module (so the order is a valid one and there is no cycle), due no later than it. */
const learningPath = z
  .strictObject({ title: z.string().min(1).max(120), modules: z.array(trainingModule).min(1, 'a path needs at least one module') })
  .superRefine((path, ctx) => {
    const seen = new Map<string, number>();
    path.modules.forEach((m, i) => {
      if (seen.has(m.id)) ctx.addIssue({ code: 'custom', path: ['modules', i, 'id'], message: `duplicate module id "${m.id}"` });
      m.prerequisites.forEach((p, k) => {
        const dueDays = seen.get(p);
        if (dueDays === undefined) ctx.addIssue({ code: 'custom', path: ['modules', i, 'prerequisites', k], message: `names no earlier module of the path ("${p}")` });
        else if (dueDays > m.dueDays) ctx.addIssue({ code: 'custom', path: ['modules', i, 'dueDays'], message: `is due before its prerequisite "${p}"` });
      });
      seen.set(m.id, m.dueDays);
    });
  });

export const onboardingProgrammeSchema = z.strictObject({
  paths: z.strictObject(Object.fromEntries(REP_ROLES.map((r) => [r, learningPath])) as Record<(typeof REP_ROLES)[number], typeof learningPath>),
  recertification: learningPath,
  reminders: z.strictObject({
    daysBefore: z.number().int().min(0).max(30),
    escalateAfterOverdueReminders: z.number().int().min(1).max(30),
    reopenDueDays: z.number().int().min(1).max(60),
  }),
  businessHours: z
    .strictObject({
      startHour: z.number().int().min(0).max(23),
      endHour: z.number().int().min(1).max(24),
      weekdays: z.array(z.number().int().min(1).max(7)).min(1, 'business hours need at least one weekday'),
    })
    .refine((h) => h.endHour > h.startHour, { message: 'endHour must be after startHour', path: ['endHour'] }),
  defaultTimeZone: z.string().refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone'),
  certification: z.strictObject({
    // A certified run waits until the first reminder: it must fit in Step Functions' one-year limit.
    validDays: z.number().int().min(1).max(365),
    reminderDaysBefore: z.array(z.number().int().min(1)).min(1),
  }).refine((c) => c.reminderDaysBefore.every((d) => d < c.validDays), { message: 'every reminder must come after the certification starts', path: ['reminderDaysBefore'] }),
});

/** Validates programme data; throws one message listing every problem with its path. */
export function parseOnboardingProgramme(data: unknown): OnboardingProgramme {
  return validateWith(onboardingProgrammeSchema, data, 'onboarding programme') as OnboardingProgramme;
}
