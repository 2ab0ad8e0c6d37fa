/**
 * Honest cost per lead: representative leads run through the REAL synthesized LeadFunnel locally on a
 * compressed clock; every billable unit is COUNTED (state transitions from the execution histories,
 * Lambda invocations, DynamoDB capacity units reported per request, SES mails, EventBridge entries,
 * HTTP requests, log bytes) and priced with us-east-1 list prices. Free tiers are ignored.
 *   npx tsx scripts/cost-per-lead.ts [--time-scale 1000000]
 * Only 127.0.0.1; stops everything it started. Assumptions are printed with the figures (docs/cost.md).
 */
import { fmtMs, machineNote, sleep, table } from './bench-support.js';
import { monitoringCost, MONITORING_PRICES_TAKEN } from './monitoring-cost.js';
import { ASSUMED_MS, billableLines, countCapacity, estimateLogs, gbSecondsOf, PRICES, PRICES_TAKEN, usageCost, type Usage } from './pricing.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { synthesizeTemplate } = await import('../local/synth.js');
const { startLocalStack, REPO_ROOT } = await import('../local/stack.js');
const { documentClient } = await import('../functions/shared/clients.js');
const { SFNClient, StopExecutionCommand } = await import('@aws-sdk/client-sfn');
const { DynamoCustomerStore } = await import('../functions/adapters/dynamodb/customer-store.js');
const { DynamoRepRoster } = await import('../functions/adapters/dynamodb/rep-roster.js');

const i = process.argv.indexOf('--time-scale');
const SCALE = i > 0 ? Number(process.argv[i + 1]) : 1_000_000;
const LEADS_PER_MONTH = 10_000;

// Handler logs (Powertools JSON at the template's level, INFO) are counted as CloudWatch bytes, not shown;
// so are the business metrics' EMF lines (functions/shared/metrics.ts): on AWS they are log lines too.
const logBytes = { handler: 0 };
const realWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: any, ...rest: any[]) => {
  const text = String(chunk);
  if (text.startsWith('{') && (text.includes('"level"') || text.includes('"_aws"'))) {
    logBytes.handler += Buffer.byteLength(text);
    return true;
  }
  return realWrite(chunk, ...rest);
}) as typeof process.stdout.write;

const { template, stackName } = await synthesizeTemplate(REPO_ROOT);
const t0 = performance.now();
const stack = await startLocalStack({ template, dynamodb: 'memory', ports: 0, timeScale: SCALE });
let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= stack.stop());
for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => void stop().finally(() => process.exit(130)));

const resources = Object.entries<any>(template.Resources);
const memoryOf = Object.fromEntries(resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function').map(([id, r]) => [id, Number(r.Properties?.MemorySize ?? 128)]));
const countOf = (type: string) => resources.filter(([, r]) => r.Type === type).length;
// The run outbox's sweeper (StartRuns every minute, querying gsi4) is a fixed cost, priced below: locally it
// fires every real second on the compressed clock and would be charged to whichever lead is being measured.
const ddb = countCapacity(documentClient(), (command, input) => command === 'QueryCommand' && input?.IndexName === 'gsi4');

const virtualMs = (days: number) => (days * 86_400_000) / SCALE;
const dwell = (days: number) => sleep(virtualMs(days));

/**
 * One path: `drive` posts and dwells; its runs are the executions `match` picks (by default the lead's own
 * funnel runs); `leadId` continues with a lead made by an earlier path.
 */
async function runPath(
  name: string,
  drive: (u: { post: (path: string, body: object, auth?: boolean) => Promise<any>; runs: () => any[] }) => Promise<void>,
  options: { leadId?: string; match?: (executionName: string, leadId: string) => boolean; includeEarlier?: boolean } = {},
) {
  const match = options.match ?? ((execution: string, lead: string) => execution.startsWith(`${lead}-r`));
  await stack.mail.clear();
  stack.events.clear();
  ddb.reset();
  logBytes.handler = 0;
  const known = new Set(stack.executions.list().map((e) => e.executionArn));
  const http = { leads: 0, events: 0 };
  let leadId = options.leadId ?? '';
  const post = async (path: string, body: object, auth = false) => {
    http[path === '/leads' ? 'leads' : 'events']++;
    const res = await fetch(`${stack.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${stack.apiKey}` } : {}) },
      body: JSON.stringify({ ...body, ...(path === '/events' ? { leadId } : {}) }),
    });
    const json: any = await res.json();
    if (res.status >= 300) throw new Error(`${name}: POST ${path} → ${res.status} ${JSON.stringify(json)}`);
    leadId ||= json.leadId;
    return json;
  };
  const runs = () => stack.executions.list().filter((e) => (options.includeEarlier || !known.has(e.executionArn)) && match(e.name, leadId));
  const started = performance.now();
  await drive({ post, runs });
  // Runs start from the table stream (the run outbox): let it catch up before waiting for the runs to end.
  await stack.streams.idle({ timeoutMs: 60_000 });
  // This path's runs only: a customer's retention run goes on (and is measured as a path of its own).
  const deadline = Date.now() + 120_000;
  while (runs().some((e) => e.status === 'RUNNING') && Date.now() < deadline) await sleep(20);
  if (runs().some((e) => e.status === 'RUNNING')) throw new Error(`${name}: runs still going after 120 s`);
  await Promise.all(runs().map((e) => e.done));
  const histories = runs().map((e) => stack.executions.history(e.executionArn));
  const events = histories.flat();
  const entered = events.filter((e) => e.type.endsWith('StateEntered')).length;
  const scheduled = events.filter((e) => e.type === 'TaskScheduled');
  const retries = scheduled.length - events.filter((e) => e.type === 'TaskStateEntered').length;
  const tasksByFn: Record<string, number> = {};
  for (const e of scheduled) {
    const fn = JSON.parse((e as any).taskScheduledEventDetails.parameters).FunctionName.split(':function:')[1].split(':')[0];
    tasksByFn[fn] = (tasksByFn[fn] ?? 0) + 1;
  }
  const slaMisses = scheduled.filter((e) => String((e as any).taskScheduledEventDetails.parameters).includes('sla-miss')).length;
  // Counted on every /events request: an upper bound (the gateway caches its answer per key for 5 minutes).
  // StartRuns: one invocation per run started (at low volume each stream record is its own batch; a burst
  // batches up to 100). Reading the stream for a Lambda trigger is free; its reads and writes are counted above.
  const invocations: Record<string, number> = { CaptureLead: http.leads, Authorizer: http.events, IngestEvent: http.events, StartRuns: histories.length, ...tasksByFn };
  const usage: Usage = {
    transitions: entered + retries,
    invocations,
    gbSeconds: gbSecondsOf(invocations, memoryOf),
    rru: ddb.rru,
    wru: ddb.wru,
    emails: (await stack.mail.list()).length,
    busEvents: stack.events.list().length,
    httpRequests: http.leads + http.events,
    logBytes: 0,
    traces: http.leads + 2 * http.events + histories.length,
    executions: histories.length,
  };
  usage.logBytes = estimateLogs(usage, logBytes.handler, events);
  return { name, usage, leadId, slaMisses, requests: ddb.requests(), realMs: performance.now() - started, statuses: runs().map((e) => `${e.name.split('-r').at(-1)}:${e.status}`) };
}

try {
  const readyMs = performance.now() - t0;
  await new DynamoRepRoster(documentClient(), stack.tableName).put({ repId: 'rep-cost', name: 'Cost Rep', email: 'rep-cost@sales.example.com', status: 'active', createdAt: new Date().toISOString(), certification: { certifiedAt: stack.clock.now().toISOString(), expiresAt: new Date(stack.clock.now().getTime() + 3650 * 86_400_000).toISOString(), cycle: 1 } } as any);

  const unengaged = await runPath('(a) never engages: awareness → recycle → dormant', async ({ post }) => {
    // As an integration (API key) posts it: the answer carries the lead id the events below need.
    await post('/leads', { email: `quiet.${Date.now()}@example.com`, firstName: 'Quinn', company: 'Acme', consent: true }, true);
  });

  const won = await runPath('(b) engages: awareness → … → decision → purchase', async ({ post, runs }) => {
    const ev = (type: string, properties?: object) => post('/events', { eventId: `${type}-${Math.random().toString(36).slice(2)}`, type, ...(properties ? { properties } : {}) }, true);
    await post('/leads', { email: `buyer.${Date.now()}@example.com`, firstName: 'Bea', company: 'Acme', consent: true }, true);
    await dwell(4); // welcome + educational-1
    await ev('email_opened');
    await ev('content_downloaded');
    await ev('email_clicked'); // → interest
    await dwell(5); // both case studies
    await ev('form_submitted');
    await ev('page_viewed', { path: '/pricing' });
    await ev('content_downloaded'); // → consideration
    await dwell(5); // comparison guide + ROI calculator
    await ev('demo_requested'); // → decision: AssignRep, then the SLA wait
    const deadline = Date.now() + 30_000;
    const assigned = () => runs().some((r) => stack.executions.history(r.executionArn).some((e) => e.type === 'TaskSucceeded' && e.stateName === 'Decision: assign a rep'));
    while (!assigned() && Date.now() < deadline) await sleep(1);
    await ev('rep_contacted');
    await dwell(8); // proposal + two follow-ups
    await ev('purchased'); // → purchase: thank-you, Won
  });

  // (c) The customer (b) became, through one contract term: the CustomerRetention run wakes at least daily
  // (health), sends the programme's check-ins, survey, owner emails and renewal reminders, and at the renewal
  // date hands over to the next term's run — stopped here, so the figures are one term's. The customer uses
  // the product weekly (52 product_used events, each an HTTP request).
  const customerId = `cus-${won.leadId}`;
  const customers = new DynamoCustomerStore(documentClient(), stack.tableName);
  let termTwoRun = '';
  const term = await runPath(
    '(c) a customer-year: one CustomerRetention term, weekly product usage',
    async ({ post }) => {
      for (let week = 0; week < 52; week++) {
        await post('/events', { eventId: `use-${week}-${Math.random().toString(36).slice(2)}`, type: 'product_used' }, true);
        await dwell(7);
      }
      // Into term 2: its run has started; stop it (the year measured is term 1's).
      const deadline = Date.now() + 60_000;
      const termTwo = async () => {
        const customer = await customers.get(customerId);
        return customer?.term?.number === 2 ? stack.executions.list().find((e) => e.name === `${customerId}-r${customer.run}`) : undefined;
      };
      let next = await termTwo();
      while (!next && Date.now() < deadline) {
        await dwell(1);
        next = await termTwo();
      }
      if (!next) throw new Error('(c): the second term did not start');
      termTwoRun = next.name;
      const sfn = new SFNClient({ endpoint: stack.sfnEndpoint });
      await sfn.send(new StopExecutionCommand({ executionArn: next.executionArn, cause: 'cost: one term measured' }));
      sfn.destroy();
    },
    // Every run of the term, the first one (started when (b) bought) included; not the next term's.
    { leadId: won.leadId, includeEarlier: true, match: (execution) => execution.startsWith(`${customerId}-r`) && execution !== termTwoRun },
  );

  const paths = [unengaged, won, term];
  const lines = billableLines;
  const total = usageCost;
  const q = (n: number) => (Number.isInteger(n) ? String(n) : n < 0.001 ? n.toExponential(2) : n.toFixed(3));

  console.log(`# Cost per lead (${machineNote()}; time scale ${SCALE.toLocaleString('en')}: a day = ${fmtMs(virtualMs(1))}; stack ready in ${fmtMs(readyMs)})`);
  console.log(`us-east-1 list prices as on the public pricing pages, ${PRICES_TAKEN}; free tiers ignored.\n`);
  for (const p of paths) {
    console.log(`## ${p.name}  [runs ${p.statuses.join(' ')}; ${fmtMs(p.realMs)} real${p.slaMisses ? `; WARNING ${p.slaMisses} SLA-miss reassignment(s): clock too fast for the event` : ''}]`);
    console.log(table(['item', 'per lead', 'unit price $', '$ per lead'], lines(p.usage).map(([k, n, price]) => [k, q(n), String(Number(price.toPrecision(6))), (n * price).toFixed(6)]).concat([['total', '', '', total(p.usage).toFixed(6)]])));
    console.log(`Lambda invocations: ${Object.entries(p.usage.invocations).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`DynamoDB requests: ${Object.entries(p.requests).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  }
  const secrets = countOf('AWS::SecretsManager::Secret');
  const monitoring = monitoringCost(template);
  // The sweeper: one StartRuns invocation a minute, one gsi4 query per workflow (an empty page: 0.5 RRU each).
  const sweeps = 60 * 24 * 30;
  const workflows = countOf('AWS::StepFunctions::StateMachine');
  const sweeper = sweeps * (PRICES.lambdaRequest + (ASSUMED_MS / 1000) * ((memoryOf.StartRuns ?? 512) / 1024) * PRICES.lambdaGbSecond + workflows * 0.5 * PRICES.ddbRru);
  const fixed = secrets * PRICES.secretMonth + monitoring.total + sweeper;
  const [a, b, c] = paths.map((p) => total(p.usage)) as [number, number, number];
  console.log(
    table(
      ['per month', '$'],
      [
        [`fixed: ${secrets} Secrets Manager secrets × $${PRICES.secretMonth} + monitoring ($${monitoring.total.toFixed(2)}, below) + the run outbox's sweeper ($${sweeper.toFixed(2)})`, fixed.toFixed(2)],
        [`${LEADS_PER_MONTH.toLocaleString('en')} leads, all like (a)`, (LEADS_PER_MONTH * a + fixed).toFixed(2)],
        [`${LEADS_PER_MONTH.toLocaleString('en')} leads, all like (b)`, (LEADS_PER_MONTH * b + fixed).toFixed(2)],
        [`${LEADS_PER_MONTH.toLocaleString('en')} leads, 90% (a) + 10% (b)`, (LEADS_PER_MONTH * (0.9 * a + 0.1 * b) + fixed).toFixed(2)],
        [`a customer-year (c), per customer`, c.toFixed(4)],
        [`1,000 active customers, a month of (c)`, ((1000 * c) / 12).toFixed(2)],
      ],
    ),
  );
  console.log(`\nMonitoring, per month (list prices ${MONITORING_PRICES_TAKEN}; custom metrics at most: CloudWatch bills a metric only for the hours it has data):`);
  console.log(table(['item', 'quantity', 'unit price $', '$ / month'], monitoring.lines.map(([k, n, price, cost]) => [k, String(n), String(price), cost.toFixed(2)]).concat([['total', '', '', monitoring.total.toFixed(2)]])));
  console.log(`\nAssumptions: Lambda ${ASSUMED_MS} ms billed per invocation, arm64, memory from the template (${[...new Set(Object.values(memoryOf))].join('/')} MB);`);
  console.log('authorizer counted once per /events (upper bound: the gateway caches it 5 min per key); DynamoDB units as DynamoDB Local reports them per request (ReturnConsumedCapacity=INDEXES),');
  console.log('a failed conditional write/transaction counted as 1 WRU per item; logs = handler JSON at INFO + ~400 B Lambda platform lines per invocation');
  console.log('+ LeadFunnel log level ALL with execution data (history events as JSON + 250 B envelope) + ~350 B per HTTP API access log line;');
  console.log('X-Ray: one trace per HTTP Lambda invocation (HTTP APIs do not trace) + one per execution. Not priced: log storage, Secrets Manager API calls');
  console.log(`(cached per container), X-Ray retrieval, data transfer, PITR/backup storage and table storage (a lead is a few KB). Stack: ${stackName}.`);
} finally {
  await stop();
}
