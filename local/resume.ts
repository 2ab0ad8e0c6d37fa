/**
 * The local Step Functions runtime keeps executions in memory, while leads and reps live on in .data/.
 * On start, every workflow of the registry has the current runs of its subjects started again (by the
 * subject kind's resumer): every lead that should be nurturing (active or recycled), every rep on a
 * learning path or certified. Walking a programme again is safe: emails it already had are exactly-once
 * ledger duplicates and are not sent again. Waits start over; on AWS none of this is needed. Each
 * resumed run records the programme version it restarted on.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoLeadStore } from '../functions/adapters/dynamodb/lead-store.js';
import { DynamoCustomerStore } from '../functions/adapters/dynamodb/customer-store.js';
import { DynamoRepStore } from '../functions/adapters/dynamodb/rep-store.js';
import { StepFunctionsStarter } from '../functions/adapters/sfn-starter.js';
import type { Clock } from '../functions/core/clock.js';
import { randomIds } from '../functions/core/ids.js';
import { STAGES, executionName, type Lead, type LeadStatus, type Stage, type TimelineEntry, type WorkflowName } from '../functions/core/model.js';
import type { Page } from '../functions/core/ports.js';
import { timelineEntry } from '../functions/core/timeline.js';
import { WORKFLOW_REGISTRY } from '../workflows/registry.js';
import { boundedPool } from './concurrency.js';

const NURTURING: readonly LeadStatus[] = ['active', 'recycled'];

export interface ResumeTarget {
  dynamodbEndpoint: string;
  sfnEndpoint: string;
  tableName: string;
  funnelArn: string;
  clock: Clock;
  /** How many runs are started at once (default RESUME_CONCURRENCY). */
  concurrency?: number;
}

/** Enough to keep DynamoDB Local busy (it peaks around 32 concurrent clients) without flooding it. */
export const RESUME_CONCURRENCY = 32;
const TIMELINE_BATCH = 25;
const PAGE_SIZE = 500;

/** Starts the current run of every nurturing lead that has none; returns how many were started. */
export async function resumeFunnelRuns(target: ResumeTarget): Promise<number> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: target.dynamodbEndpoint }));
  const sfn = new SFNClient({ endpoint: target.sfnEndpoint });
  const store = new DynamoLeadStore(db, target.tableName, () => target.clock.now());
  const starter = new StepFunctionsStarter(sfn, target.funnelArn);
  // One at a time, 3,000 leads took 48 s to start; each resume is independent of the others.
  const pool = boundedPool(target.concurrency ?? RESUME_CONCURRENCY);
  // Timeline entries go out 25 to a BatchWrite (its maximum) rather than one write per lead.
  const pending: TimelineEntry[] = [];
  let resumed = 0;
  const version = starter.programmeVersion('LeadFunnel');
  const resume = async (lead: Lead) => {
    if ((await starter.start({ leadId: lead.leadId, run: lead.run, stage: lead.stage })) !== 'started') return;
    resumed++;
    pending.push(
      timelineEntry(randomIds, lead.leadId, target.clock.now(), 'workflow_started', `Funnel run ${lead.run} resumed at ${lead.stage} after a local restart`, {
        run: lead.run,
        stage: lead.stage,
        execution: executionName(lead.leadId, lead.run),
        ...(version !== undefined ? { version } : {}),
      }),
    );
    if (pending.length >= TIMELINE_BATCH) await store.appendTimeline(pending.splice(0));
  };
  // The stages are listed side by side, each reading its next page while the current one is resumed:
  // read one page after another, DynamoDB Local's query latency was most of the time.
  const resumeStage = async (stage: Stage) => {
    let next: Promise<Page<Lead>> | undefined = store.listByStage(stage, { limit: PAGE_SIZE });
    while (next) {
      const page: Page<Lead> = await next;
      next = page.cursor ? store.listByStage(stage, { limit: PAGE_SIZE, cursor: page.cursor }) : undefined;
      next?.catch(() => undefined); // awaited on the next turn; not an unhandled rejection meanwhile
      for (const lead of page.items) if (NURTURING.includes(lead.status)) await pool.add(() => resume(lead));
    }
  };
  try {
    const listed = await Promise.allSettled(STAGES.map(resumeStage));
    const failed = listed.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    await pool.drain();
    if (pending.length) await store.appendTimeline(pending.splice(0));
  } finally {
    await pool.settle();
    // After a failure, still record the runs that did start (best effort: the failure is what is thrown).
    if (pending.length) await store.appendTimeline(pending.splice(0)).catch(() => undefined);
    db.destroy();
    sfn.destroy();
  }
  return resumed;
}

/**
 * The same for RepOnboarding: every rep on a learning path or certified (their run watches the next
 * certification cycle) gets its current run started again. Its plan reads the rep's state, so
 * reminders already sent are not repeated (their ledger keys are taken) and nothing is planned twice.
 */
export async function resumeOnboardingRuns(target: Omit<ResumeTarget, 'funnelArn'> & { onboardingArn: string }): Promise<number> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: target.dynamodbEndpoint }), { marshallOptions: { removeUndefinedValues: true } });
  const sfn = new SFNClient({ endpoint: target.sfnEndpoint });
  const reps = new DynamoRepStore(db, target.tableName, () => target.clock.now());
  const starter = new StepFunctionsStarter(sfn, { RepOnboarding: target.onboardingArn });
  const version = starter.programmeVersion('RepOnboarding');
  let resumed = 0;
  try {
    for (const status of ['onboarding', 'active'] as const) {
      let cursor: string | undefined;
      do {
        const page = await reps.list(status, { limit: 100, cursor });
        for (const rep of page.items) {
          if (!rep.run || !rep.track) continue; // seeded reps have no run
          if ((await starter.startRun('RepOnboarding', rep.repId, { repId: rep.repId, run: rep.run })) !== 'started') continue;
          resumed++;
          await reps.appendTimeline(rep.repId, [
            {
              entryId: randomIds.next(),
              at: target.clock.now().toISOString(),
              type: 'workflow_started',
              summary: `Onboarding run ${rep.run} resumed after a local restart`,
              data: { run: rep.run, execution: `${rep.repId}-r${rep.run}`, ...(version !== undefined ? { version } : {}) },
            },
          ]);
        }
        cursor = page.cursor;
      } while (cursor);
    }
  } finally {
    db.destroy();
    sfn.destroy();
  }
  return resumed;
}

/**
 * The same for CustomerRetention: every customer (each health band's partition of the index) gets its
 * current run started again; its plan reads what is done, so nothing is sent twice. A finished
 * win-back's run starts, plans nothing and ends.
 */
export async function resumeRetentionRuns(target: Omit<ResumeTarget, 'funnelArn'>, arn: string): Promise<number> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: target.dynamodbEndpoint }), { marshallOptions: { removeUndefinedValues: true } });
  const sfn = new SFNClient({ endpoint: target.sfnEndpoint });
  const customers = new DynamoCustomerStore(db, target.tableName, () => target.clock.now());
  const starter = new StepFunctionsStarter(sfn, { CustomerRetention: arn });
  let resumed = 0;
  try {
    for (const band of ['healthy', 'watch', 'at-risk', 'unscored'] as const) {
      let cursor: string | undefined;
      do {
        const page = await customers.list({ health: band as never, limit: 100, cursor });
        for (const customer of page.items) {
          if (!customer.run || !customer.email) continue;
          if ((await starter.startRun('CustomerRetention', customer.customerId, { customerId: customer.customerId, run: customer.run })) !== 'started') continue;
          resumed++;
          await customers.appendTimeline(customer.customerId, [
            { entryId: randomIds.next(), at: target.clock.now().toISOString(), type: 'workflow_started', summary: `Retention run ${customer.run} resumed after a local restart`, data: { run: customer.run, execution: `${customer.customerId}-r${customer.run}` } },
          ]);
        }
        cursor = page.cursor;
      } while (cursor);
    }
  } finally {
    db.destroy();
    sfn.destroy();
  }
  return resumed;
}

/**
 * How each workflow's runs are resumed, given its state machine's ARN: which subjects should have a
 * run is the workflow's own rule (and its subject kind's store), so a new workflow adds its line here.
 */
export const RESUMERS: Readonly<Record<string, (target: Omit<ResumeTarget, 'funnelArn'>, arn: string) => Promise<number>>> = {
  LeadFunnel: (target, arn) => resumeFunnelRuns({ ...target, funnelArn: arn }),
  RepOnboarding: (target, arn) => resumeOnboardingRuns({ ...target, onboardingArn: arn }),
  CustomerRetention: (target, arn) => resumeRetentionRuns(target, arn),
};

/**
 * Resumes the runs of every workflow of the registry (side by side); answers how many runs of each
 * were started. A workflow with no resumer yet is refused here, not skipped quietly.
 */
export async function resumeAllRuns(
  target: Omit<ResumeTarget, 'funnelArn'> & { stateMachines: Readonly<Record<string, string>> },
): Promise<Partial<Record<WorkflowName, number>>> {
  const { stateMachines, ...rest } = target;
  const counts = await Promise.all(
    WORKFLOW_REGISTRY.map(async ({ name, subject }) => {
      const resumer = RESUMERS[name];
      const arn = stateMachines[name];
      if (!resumer) throw new Error(`no local resume for ${name} (subjects: ${subject}s): add its line to RESUMERS in local/resume.ts`);
      if (!arn) throw new Error(`no local state machine ${name}`);
      return [name, await resumer(rest, arn)] as const;
    }),
  );
  return Object.fromEntries(counts);
}
