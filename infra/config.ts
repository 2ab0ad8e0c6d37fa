/**
 * Deployment settings, read from CDK context (`cdk.json` "context", or `-c key=value` on the CLI) and
 * validated once with zod. Every value has a safe example default so `cdk synth` works offline with no
 * settings; a real deployment overrides sender, postal address, form origins and manager address.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';
import { isTimeZone } from '../functions/core/business-hours.js';
import { BUSINESS_HOURS_FORMAT, parseBusinessHours } from '../functions/core/send-window.js';
import { brand } from '../workflows/templates/brand.js';

/** CLI context values arrive as strings (`-c formOrigins=https://a,https://b`); cdk.json gives real lists. */
const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));

const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

const origin = z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be an origin like https://www.example.com (no path)');

/** CloudWatch Logs accepts only these retention periods. */
const retentionDays = z.coerce
  .number()
  .refine((n) => (Object.values(RetentionDays) as unknown[]).includes(n) && n > 0, 'must be a CloudWatch Logs retention period (1, 3, 5, 7, 14, 30, 60, 90, …)');

/** "50/100" from the CLI, or {rate, burst} from cdk.json. */
const throttle = z
  .union([
    z.object({ rate: z.coerce.number().positive(), burst: z.coerce.number().int().positive() }),
    z
      .string()
      .regex(/^\d+(\.\d+)?\/\d+$/, 'must be "<rate>/<burst>", e.g. "50/100"')
      .transform((s) => {
        const [rate, burst] = s.split('/').map(Number);
        return { rate: rate!, burst: burst! };
      }),
  ]);

export const deploymentConfigSchema = z.object({
  /** The sender's name is the brand the emails speak for (workflows/templates/brand.ts), so From: and body agree. */
  senderAddress: z.string().min(3).default(`${brand.company} <sales@example.com>`),
  postalAddress: z.string().min(5).default('Example Ltd, 1 Example Street, 10115 Berlin, Germany'),
  formOrigins: list.pipe(z.array(origin)).default(['https://www.example.com']),
  managerEmail: z.email().default('sales-manager@example.com'),
  consentPolicy: z.enum(['opt-in', 'opt-out']).default('opt-in'),
  consentTextVersion: z.string().min(1).default('v1'),
  /** An anonymous form opt-in takes effect only once the person confirms it by the emailed link. */
  doubleOptIn: bool.default(true),
  frequencyCap: z.string().regex(/^\d+\/\d+d$/, 'must look like "3/7d"').default('3/7d'),
  /** When a send step marked `window: 'business-hours'` may go, in the recipient's zone. */
  businessHours: z.string().refine((v) => parseBusinessHours(v) !== undefined, BUSINESS_HOURS_FORMAT).default('9-17/1-5'),
  /** The zone of a recipient whose own is unknown. */
  defaultTimeZone: z.string().refine(isTimeZone, 'must be an IANA time zone like Europe/Berlin').default('UTC'),
  /** Custom domain for links in emails; else the HTTP API's execute-api URL. */
  publicBaseUrl: z.url().optional(),
  /** Overrides the programme's hand-off SLA without a code change. */
  slaHours: z.coerce.number().positive().optional(),
  logRetentionDays: retentionDays.default(RetentionDays.ONE_MONTH),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** Keep the table and secrets when the stack is deleted: lead data outlives a bad `cdk destroy`. */
  retainData: bool.default(true),
  throttle: throttle.default({ rate: 50, burst: 100 }),
  eventBusName: z.string().regex(/^[A-Za-z0-9._-]{1,256}$/).default('sales-flow'),
  /** Create the SES identity for the sender's domain (needs DNS records after deploy). */
  createEmailIdentity: bool.default(false),
  /** Months a closed lead (lost, disqualified, dormant) is kept after its last activity; then it is erased. */
  closedLeadRetentionMonths: z.coerce.number().int('must be a whole number of months').min(1).max(120).default(24),
  /**
   * Emails per second the whole system sends, kept under the account's SES sending rate (a new production
   * account starts at 14/s; raise this with the quota). Sends over it are retried like SES throttles.
   */
  sendRateCeiling: z.coerce.number().int('must be a whole number of emails per second').min(1).default(10),
  /**
   * StartExecution calls per second the run outbox allows itself: under Step Functions' refill rate
   * (300/s in us-east-1, us-west-2 and eu-west-1; 25/s elsewhere — set 20 there; docs/scale.md).
   */
  startRate: z.coerce.number().int().min(1).max(10_000).default(250),
  /**
   * Where alarm notifications go: an email subscription to the alarm topic (the address confirms it from
   * AWS's first message). Without it the topic has no subscriber: subscribe chat or paging to it yourself.
   */
  alarmEmail: z.email('must be an email address').optional(),
});

export type DeploymentConfig = z.infer<typeof deploymentConfigSchema>;

/** The email address inside `Name <address>` (or the value itself). */
export function senderEmail(config: Pick<DeploymentConfig, 'senderAddress'>): string {
  const match = /<([^>]+)>/.exec(config.senderAddress);
  return (match ? match[1]! : config.senderAddress).trim();
}

export function readDeploymentConfig(node: Node): DeploymentConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(deploymentConfigSchema.shape)) {
    const value = node.tryGetContext(key);
    if (value !== undefined) raw[key] = value;
  }
  const result = deploymentConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid deployment settings in CDK context — ${problems.join('; ')}`);
  }
  return result.data;
}
