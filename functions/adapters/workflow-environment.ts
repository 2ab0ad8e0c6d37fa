/**
 * The environment variables that carry each workflow's state machine ARN and current programme version
 * to the Lambdas that start its runs. workflows/registry.ts names them per workflow, and the stack sets
 * them from the registry at synth (the version on every function that has the ARN); the starter reads
 * them. Kept apart from the registry so a Lambda bundle needs none of CDK to know them.
 */
import type { WorkflowName } from '../core/model.js';

export interface WorkflowEnvironment {
  /** Holds the state machine's ARN. */
  readonly arn: string;
  /** Holds the programme version runs started now record (from workflows/programmes.lock.json at synth). */
  readonly version: string;
}

export const WORKFLOW_ENVIRONMENT = {
  LeadFunnel: { arn: 'FUNNEL_STATE_MACHINE_ARN', version: 'FUNNEL_PROGRAMME_VERSION' },
  RepOnboarding: { arn: 'REP_ONBOARDING_STATE_MACHINE_ARN', version: 'ONBOARDING_PROGRAMME_VERSION' },
  CustomerRetention: { arn: 'RETENTION_STATE_MACHINE_ARN', version: 'RETENTION_PROGRAMME_VERSION' },
} as const satisfies Record<WorkflowName, WorkflowEnvironment>;

/**
 * The programme version of each workflow from the environment; a variable that is set must be a
 * positive integer (else it fails at cold start, naming the variable).
 */
export function programmeVersionsFrom(env: Readonly<Record<string, string | undefined>>): Partial<Record<WorkflowName, number>> {
  const versions: Partial<Record<WorkflowName, number>> = {};
  for (const [workflow, { version }] of Object.entries(WORKFLOW_ENVIRONMENT) as [WorkflowName, WorkflowEnvironment][]) {
    const raw = env[version]?.trim();
    if (!raw) continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`invalid configuration: ${version} must be a positive integer, not "${raw}"`);
    versions[workflow] = n;
  }
  return versions;
}
