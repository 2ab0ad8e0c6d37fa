/**
 * Configuration, parsed once from the environment with zod. Each handler states the settings it
 * needs at module scope (`loadConfig('table', 'mail')`), so a missing value fails at cold start
 * with its variable's name instead of halfway through a request.
 */
import * as z from './schema.js';
import { isTimeZone } from '../core/business-hours.js';
import { installedClock, scaledClock, type Clock } from '../core/clock.js';
import { BUSINESS_HOURS_FORMAT, parseBusinessHours, type SendWindowSettings } from '../core/send-window.js';

const optionalText = z.optional(z.string().check(z.trim(), z.minLength(1)));
const positiveInt = () => z.optional(z.coerce.number().check(z.int(), z.positive()));

const envSchema = z.object({
  TABLE_NAME: optionalText,
  FUNNEL_STATE_MACHINE_ARN: optionalText,
  REP_ONBOARDING_STATE_MACHINE_ARN: optionalText,
  ONBOARDING_PROGRAMME_VERSION: positiveInt(),
  RETENTION_STATE_MACHINE_ARN: optionalText,
  EVENT_BUS_NAME: optionalText,
  API_KEY_SECRET_ID: optionalText,
  SIGNING_SECRET_ID: optionalText,
  SES_CONFIGURATION_SET: optionalText,
  SENDER_ADDRESS: optionalText,
  POSTAL_ADDRESS: optionalText,
  MANAGER_EMAIL: optionalText,
  PUBLIC_BASE_URL: optionalText,
  FORM_ORIGINS: z._default(z.string(), ''),
  CONSENT_POLICY: z._default(z.enum(['opt-in', 'opt-out']), 'opt-in'),
  CONSENT_TEXT_VERSION: z._default(z.string().check(z.trim(), z.minLength(1)), 'v1'),
  /** An anonymous form opt-in takes effect only once confirmed by the emailed link. */
  DOUBLE_OPT_IN: z._default(z.enum(['true', 'false']), 'true'),
  FREQUENCY_CAP: z._default(z.string().check(z.regex(/^\d+\/\d+d$/, 'must look like 3/7d (emails per days)')), '3/7d'),
  /** Windowed send steps go out only in these hours of the recipient's zone (the DEFAULT_SEND_WINDOW). */
  BUSINESS_HOURS: z._default(z.string().check(z.refine((v) => parseBusinessHours(v) !== undefined, BUSINESS_HOURS_FORMAT)), '9-17/1-5'),
  /** The zone of a recipient whose own is unknown. */
  DEFAULT_TIME_ZONE: z._default(z.string().check(z.refine(isTimeZone, 'must be an IANA time zone like Europe/Berlin')), 'UTC'),
  CLOSED_LEAD_RETENTION_MONTHS: positiveInt(),
  /** Sends per second for the whole system, under SES's own sending rate (a new production account: 14). */
  SEND_RATE_CEILING: z._default(z.coerce.number().check(z.int(), z.positive()), 10),
  /** StartExecution calls per second StartRuns allows itself (the run outbox's pace; under the account's refill rate). */
  START_RATE: z._default(z.coerce.number().check(z.gte(1), z.lte(10_000)), 250),
  TIME_SCALE: z._default(z.coerce.number().check(z.gte(1)), 1),
  TIME_ORIGIN: positiveInt(),
  TIME_VIRTUAL_ORIGIN: positiveInt(),
  /** `discrete`: time is the local runtime's discrete-event clock (installed in-process), not scaled wall time. */
  TIME_MODE: z._default(z.enum(['scaled', 'discrete']), 'scaled'),
});

/** Which variables each capability needs. */
const needs = {
  table: ['TABLE_NAME'],
  funnel: ['FUNNEL_STATE_MACHINE_ARN'],
  /** Starting and stopping RepOnboarding runs (and the programme version they record). */
  onboarding: ['REP_ONBOARDING_STATE_MACHINE_ARN', 'ONBOARDING_PROGRAMME_VERSION'],
  events: ['EVENT_BUS_NAME'],
  apiKey: ['API_KEY_SECRET_ID'],
  signing: ['SIGNING_SECRET_ID'],
  /** Any email: the From address. */
  sender: ['SENDER_ADDRESS'],
  /** Lead-facing email: footer address and unsubscribe links too. */
  mail: ['SENDER_ADDRESS', 'POSTAL_ADDRESS', 'PUBLIC_BASE_URL'],
  manager: ['MANAGER_EMAIL'],
  /** The retention job: how long closed leads are kept. */
  retention: ['CLOSED_LEAD_RETENTION_MONTHS'],
  /** Customers' events: stopping a superseded CustomerRetention run. */
  customers: ['RETENTION_STATE_MACHINE_ARN'],
  /** StartRuns: starting the runs of every workflow (the run outbox). */
  runs: ['FUNNEL_STATE_MACHINE_ARN', 'REP_ONBOARDING_STATE_MACHINE_ARN', 'RETENTION_STATE_MACHINE_ARN'],
} as const satisfies Record<string, readonly (keyof z.infer<typeof envSchema>)[]>;
export type Capability = keyof typeof needs;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface Config {
  tableName: string;
  funnelStateMachineArn: string;
  repOnboardingStateMachineArn: string;
  retentionStateMachineArn: string;
  onboardingProgrammeVersion: number;
  eventBusName: string;
  apiKeySecretId: string;
  signingSecretId: string;
  sesConfigurationSet?: string;
  senderAddress: string;
  postalAddress: string;
  managerEmail: string;
  publicBaseUrl: string;
  formOrigins: string[];
  consentPolicy: 'opt-in' | 'opt-out';
  consentTextVersion: string;
  doubleOptIn: boolean;
  frequencyCap: { max: number; windowDays: number };
  sendWindow: SendWindowSettings;
  /** Months a closed (lost, disqualified, dormant) lead is kept before the retention job erases it. */
  closedLeadRetentionMonths: number;
  /** Sends per second, for the whole system (core/send.ts step 4). */
  sendRateCeiling: number;
  /** StartExecution calls per second StartRuns allows itself. */
  startRate: number;
  /** Virtual seconds per real second (1 on AWS; the local runtime compresses time). */
  timeScale: number;
  clock: Clock;
}

/**
 * Parses the environment. Settings of capabilities not asked for may be empty strings; reading
 * them is a programming error the type system does not catch, so ask for every capability used.
 */
export function loadConfig(...capabilities: Capability[]): Config {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${detail}`);
  }
  const env = parsed.data;
  const missing = capabilities.flatMap((c) => needs[c].filter((name) => !env[name]));
  if (missing.length) throw new ConfigError(`missing environment variable(s): ${[...new Set(missing)].join(', ')}`);
  const [max, days] = env.FREQUENCY_CAP.split('/');
  return {
    tableName: env.TABLE_NAME ?? '',
    funnelStateMachineArn: env.FUNNEL_STATE_MACHINE_ARN ?? '',
    repOnboardingStateMachineArn: env.REP_ONBOARDING_STATE_MACHINE_ARN ?? '',
    retentionStateMachineArn: env.RETENTION_STATE_MACHINE_ARN ?? '',
    onboardingProgrammeVersion: env.ONBOARDING_PROGRAMME_VERSION ?? 0,
    eventBusName: env.EVENT_BUS_NAME ?? '',
    apiKeySecretId: env.API_KEY_SECRET_ID ?? '',
    signingSecretId: env.SIGNING_SECRET_ID ?? '',
    sesConfigurationSet: env.SES_CONFIGURATION_SET,
    senderAddress: env.SENDER_ADDRESS ?? '',
    postalAddress: env.POSTAL_ADDRESS ?? '',
    managerEmail: env.MANAGER_EMAIL ?? '',
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? '').replace(/\/+$/, ''),
    formOrigins: env.FORM_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    consentPolicy: env.CONSENT_POLICY,
    consentTextVersion: env.CONSENT_TEXT_VERSION,
    doubleOptIn: env.DOUBLE_OPT_IN === 'true',
    frequencyCap: { max: Number(max), windowDays: Number(days!.replace('d', '')) },
    sendWindow: { businessHours: parseBusinessHours(env.BUSINESS_HOURS)!, defaultTimeZone: env.DEFAULT_TIME_ZONE },
    closedLeadRetentionMonths: env.CLOSED_LEAD_RETENTION_MONTHS ?? 0,
    sendRateCeiling: env.SEND_RATE_CEILING,
    startRate: env.START_RATE,
    timeScale: env.TIME_SCALE,
    clock:
      env.TIME_MODE === 'discrete'
        ? installedClock()
        : scaledClock(env.TIME_SCALE, env.TIME_ORIGIN ?? Date.now(), Date.now, env.TIME_VIRTUAL_ORIGIN ?? env.TIME_ORIGIN),
  };
}
