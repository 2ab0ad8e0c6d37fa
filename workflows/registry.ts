/**
 * Every workflow of the app, one entry each, by its state machine's logical id. Everything that is per
 * workflow is driven from here: the stack builds each state machine and gives its ARN and programme
 * version to the functions that start its runs (the environment variables named here, which the
 * starter reads), the cdk-nag acknowledgements of its role, `npm run programmes:publish` and the lock
 * check, the README diagrams (one per machine), and the local resume on restart (local/resume.ts).
 * A new workflow is one entry here plus its programme and its graph (see README "Adding a workflow").
 */
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { WORKFLOW_ENVIRONMENT, type WorkflowEnvironment } from '../functions/adapters/workflow-environment.js';
import type { SubjectKind, WorkflowName } from '../functions/core/model.js';
import { LeadFunnel, type LeadFunnelTaskFunctions } from './lead-funnel.js';
import { funnelProgramme } from './programmes/funnel.js';
import { onboardingProgramme } from './programmes/onboarding.js';
import type { FunnelProgramme } from './programmes/types.js';
import { RepOnboarding, type RepOnboardingTaskFunctions } from './rep-onboarding.js';
import { CustomerRetention, type CustomerRetentionTaskFunctions } from './customer-retention.js';
import { retentionProgramme } from './programmes/retention.js';
import { programmeVersion } from './versions.js';

export interface WorkflowBuildProps<F> {
  /** The task functions the machine invokes, by the construct's name for them. */
  readonly functions: F;
  readonly logRetention: RetentionDays;
  /** Replaces the shipped programme (the stack's deployment settings, test fixtures). */
  readonly programme?: unknown;
}

/** What the stack needs of a built workflow. */
export interface BuiltWorkflow {
  readonly stateMachine: StateMachine;
  /** The programme version runs started now record. */
  readonly version: number;
}

export interface WorkflowEntry<F = Record<string, IFunction>> {
  /** The state machine's logical id, and the workflow's name in the core (`WorkflowName`). */
  readonly name: WorkflowName;
  /** Whose runs these are: one run at a time per subject, executions named `<subjectId>-r<run>`. */
  readonly subject: SubjectKind;
  /** The programme data the machine is generated from, as shipped. */
  readonly programme: unknown;
  /** The variables carrying its ARN and programme version to the functions that start runs. */
  readonly env: WorkflowEnvironment;
  /** The construct's name for each task function → the function's logical id in infra/functions.ts. */
  readonly tasks: { readonly [K in keyof F]-?: string };
  /** The stack output describing the machine. */
  readonly description: string;
  /** Builds the state machine construct (its logical id is `name`). */
  build(scope: Construct, props: WorkflowBuildProps<F>): BuiltWorkflow;
}

/** The current programme version of a workflow (the lock's, or the next number for unpublished changes). */
export const versionOf = (entry: Pick<WorkflowEntry, 'name' | 'programme'>) => programmeVersion(entry.name, entry.programme);

const define = <F>(entry: WorkflowEntry<F>) => entry as unknown as WorkflowEntry;

export const WORKFLOW_REGISTRY: readonly WorkflowEntry[] = [
  define<LeadFunnelTaskFunctions>({
    name: 'LeadFunnel',
    subject: 'lead',
    programme: funnelProgramme,
    env: WORKFLOW_ENVIRONMENT.LeadFunnel,
    tasks: {
      sendEmail: 'SendEmail',
      assignRep: 'AssignRep',
      checkRepContact: 'CheckRepContact',
      setLeadStatus: 'SetLeadStatus',
      recordFailure: 'RecordFailure',
      chooseArm: 'ChooseArm',
    },
    description: 'The LeadFunnel state machine',
    build: (scope, { functions, logRetention, programme }) =>
      new LeadFunnel(scope, 'LeadFunnel', { functions, logRetention, programme: (programme ?? funnelProgramme) as FunnelProgramme }),
  }),
  define<RepOnboardingTaskFunctions>({
    name: 'RepOnboarding',
    subject: 'rep',
    programme: onboardingProgramme,
    env: WORKFLOW_ENVIRONMENT.RepOnboarding,
    tasks: { onboardingStep: 'OnboardingStep', recordFailure: 'RecordRepFailure' },
    description: 'The RepOnboarding state machine',
    build: (scope, { functions, logRetention, programme }) =>
      new RepOnboarding(scope, 'RepOnboarding', { functions, logRetention, programme: (programme ?? onboardingProgramme) as typeof onboardingProgramme }),
  }),
  define<CustomerRetentionTaskFunctions>({
    name: 'CustomerRetention',
    subject: 'customer',
    programme: retentionProgramme,
    env: WORKFLOW_ENVIRONMENT.CustomerRetention,
    // One failure recorder for every subject with its own timeline (reps, customers).
    tasks: { retentionStep: 'RetentionStep', recordFailure: 'RecordRepFailure' },
    description: 'The CustomerRetention state machine',
    build: (scope, { functions, logRetention, programme }) =>
      new CustomerRetention(scope, 'CustomerRetention', { functions, logRetention, programme: (programme ?? retentionProgramme) as typeof retentionProgramme }),
  }),
];

/** The registry entry of a workflow. */
export function workflowEntry(name: WorkflowName): WorkflowEntry {
  const entry = WORKFLOW_REGISTRY.find((w) => w.name === name);
  if (!entry) throw new Error(`${name} is not in workflows/registry.ts`);
  return entry;
}

/** Every workflow's programme by name: what the lock file versions and `npm run programmes:publish` records. */
export const WORKFLOW_PROGRAMMES: Readonly<Record<string, unknown>> = Object.fromEntries(WORKFLOW_REGISTRY.map((w) => [w.name, w.programme]));
