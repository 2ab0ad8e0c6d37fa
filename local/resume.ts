/**
 * The local Step Functions runtime keeps executions in memory, while leads live on in .data/. On
 * start, every lead that should be nurturing (active or recycled) gets its current run started
 * again. Walking a programme again is safe: emails it already had are exactly-once ledger
 * duplicates and are not sent again. Waits start over; on AWS none of this is needed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoLeadStore } from '../functions/adapters/dynamodb/lead-store.js';
import { StepFunctionsStarter } from '../functions/adapters/sfn-starter.js';
import type { Clock } from '../functions/core/clock.js';
import { randomIds } from '../functions/core/ids.js';
import { STAGES, executionName, type LeadStatus } from '../functions/core/model.js';
import { timelineEntry } from '../functions/core/timeline.js';

const NURTURING: readonly LeadStatus[] = ['active', 'recycled'];

export interface ResumeTarget {
  dynamodbEndpoint: string;
  sfnEndpoint: string;
  tableName: string;
  funnelArn: string;
  clock: Clock;
}

/** Starts the current run of every nurturing lead that has none; returns how many were started. */
export async function resumeFunnelRuns(target: ResumeTarget): Promise<number> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: target.dynamodbEndpoint }));
  const sfn = new SFNClient({ endpoint: target.sfnEndpoint });
  const store = new DynamoLeadStore(db, target.tableName, () => target.clock.now());
  const starter = new StepFunctionsStarter(sfn, target.funnelArn);
  let resumed = 0;
  try {
    for (const stage of STAGES) {
      let cursor: string | undefined;
      do {
        const page = await store.listByStage(stage, { limit: 100, cursor });
        for (const lead of page.items) {
          if (!NURTURING.includes(lead.status)) continue;
          if ((await starter.start({ leadId: lead.leadId, run: lead.run, stage: lead.stage })) !== 'started') continue;
          resumed++;
          await store.appendTimeline([
            timelineEntry(randomIds, lead.leadId, target.clock.now(), 'workflow_started', `Funnel run ${lead.run} resumed at ${lead.stage} after a local restart`, {
              run: lead.run,
              stage: lead.stage,
              execution: executionName(lead.leadId, lead.run),
            }),
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
