/**
 * Start-up with many leads kept on disk: how long `npm start` takes to be ready when N nurturing
 * leads must have their funnel run resumed (executions live in memory; leads live in .data/).
 *   npx tsx scripts/bench-startup.ts [--leads 3000,10000] [--concurrency 1,32] [--isolated]
 * For each N: a DynamoDB Local on disk in a temp dir, N leads seeded with BatchWrite (the items
 * DynamoLeadStore writes), the stack stopped and started again on the same data — then timed:
 * startLocalStack (synth excluded: done once beforehand) and resumeFunnelRuns, the two steps of
 * npm start that depend on the data. Prints figures, asserts nothing. Everything it starts is stopped
 * (the DynamoDB Local child by PID, via stop()); the temp dirs are removed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmtMs, machineNote, pool, table } from './bench-support.js';
import type { Lead, Stage } from '../functions/core/model.js';
import type { LocalStackOptions } from '../local/stack.js';

// Before the SDK loads (dynamic imports below): its Node 20 notice would land in the tables.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Seeding runs before any stack has set the local AWS environment.
Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
const { BatchWriteCommand, DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
const { keys } = await import('../functions/table/keys.js');
const { ensureTable, startDynamoDbLocal } = await import('../local/dynamodb.js');
const { reservePort } = await import('../local/ports.js');
const { resumeFunnelRuns, RESUME_CONCURRENCY } = await import('../local/resume.js');
const { REPO_ROOT, startLocalStack } = await import('../local/stack.js');
const { synthesizeTemplate } = await import('../local/synth.js');

/**
 * --isolated: the LeadFunnel replaced by one long Wait, so a resumed run does no work and the figure
 * is the resume's own cost (list, start, timeline). Without it each resumed run also runs its first
 * steps (sends, DynamoDB writes) at once, competing with the resume, as under npm start.
 */
const ISOLATED = process.argv.includes('--isolated');
const IDLE_FUNNEL = JSON.stringify({ StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 86_400, End: true } } });

const list = (name: string, fallback: number[]) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]!.split(',').map(Number) : fallback;
};

const SEEDED_STAGES: Stage[] = ['awareness', 'interest', 'consideration'];

function seededLead(i: number, at: string): Lead {
  const leadId = `bench-${randomUUID()}`;
  return {
    leadId,
    email: `${leadId}@example.com`,
    stage: SEEDED_STAGES[i % SEEDED_STAGES.length]!,
    status: 'active',
    score: 0,
    run: 1,
    consent: { given: true, textVersion: 'v1', at, sourceForm: 'web-form' },
    createdAt: at,
    updatedAt: at,
    version: 1,
  } as Lead;
}

/** The lead profile and its email-uniqueness item, as DynamoLeadStore.create writes them. */
const leadItems = (lead: Lead) => [
  { ...keys.lead(lead.leadId), ...keys.leadIndexes(lead), entity: 'lead', ...lead },
  { ...keys.leadEmail(lead.email), entity: 'leadEmail', leadId: lead.leadId },
];

async function seed(endpoint: string, tableName: string, count: number): Promise<number> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint }));
  const at = new Date().toISOString();
  const items = Array.from({ length: count }, (_, i) => leadItems(seededLead(i, at))).flat();
  const batches: Array<typeof items> = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const t = performance.now();
  try {
    await pool(batches, 16, async (batch) => {
      let requests: unknown[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests?.length; attempt++) {
        if (attempt > 10) throw new Error(`seeding left ${requests.length} item(s) unprocessed`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** Math.min(attempt, 5)));
        const out: { UnprocessedItems?: Record<string, unknown[]> } = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }));
        requests = out.UnprocessedItems?.[tableName];
      }
    });
  } finally {
    db.destroy();
  }
  return performance.now() - t;
}

async function main(): Promise<void> {
  const counts = list('--leads', [3_000, 10_000]);
  const concurrencies = list('--concurrency', [RESUME_CONCURRENCY]);
  console.log(`# Start-up with leads kept on disk (${machineNote()}${ISOLATED ? '; isolated: resumed runs do no work' : ''})\n`);
  const synthesized = await synthesizeTemplate(REPO_ROOT);
  if (ISOLATED) synthesized.template.Resources!.LeadFunnel!.Properties!.DefinitionString = IDLE_FUNNEL;
  // Handlers keep the endpoints they were loaded with (module scope), as on Lambda: every stack this
  // process starts must therefore use the same ports.
  const [api, ses, aws, dynamodb] = await Promise.all(['api', 'ses', 'aws', 'dynamodb'].map(async (what) => {
    const held = await reservePort(0, what, what);
    await held.release();
    return held.port;
  }));
  const tableName = 'sales-flow';
  const rows: Array<Array<string | number>> = [];
  for (const count of counts) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sf-bench-startup-'));
    const dbPath = path.join(dir, 'dynamodb');
    const options: LocalStackOptions = {
      ...synthesized,
      dynamodb: { port: dynamodb!, dbPath },
      ports: { api: api!, ses: ses!, aws: aws! },
      timeScale: 1,
      tableName,
      env: { LOG_LEVEL: 'ERROR', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    };
    try {
      const seeding = await startDynamoDbLocal({ port: dynamodb!, dbPath });
      let seedMs: number;
      try {
        await ensureTable(seeding.endpoint, tableName);
        seedMs = await seed(seeding.endpoint, tableName, count);
      } finally {
        await seeding.stop();
      }
      for (const concurrency of concurrencies) {
        const t0 = performance.now();
        const stack = await startLocalStack(options);
        const startMs = performance.now() - t0;
        try {
          const t1 = performance.now();
          const resumed = await resumeFunnelRuns({
            dynamodbEndpoint: stack.dynamodbEndpoint,
            sfnEndpoint: stack.sfnEndpoint,
            tableName: stack.tableName,
            funnelArn: stack.stateMachines.LeadFunnel!,
            clock: stack.clock,
            concurrency,
          });
          const resumeMs = performance.now() - t1;
          rows.push([count, fmtMs(seedMs), concurrency, resumed, fmtMs(startMs), fmtMs(resumeMs), (resumed / (resumeMs / 1000)).toFixed(0), fmtMs(startMs + resumeMs)]);
          console.log(`  ${count} leads, concurrency ${concurrency}: stack ${fmtMs(startMs)}, resume ${fmtMs(resumeMs)} (${resumed} runs)`);
        } finally {
          await stack.stop();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`\n${table(['leads', 'seeded in', 'concurrency', 'resumed', 'stack start', 'resume', 'runs/s', 'ready after'], rows)}`);
  console.log('\n"ready after" = stack start (synth excluded) + resume: what npm start adds for the data it keeps.');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
