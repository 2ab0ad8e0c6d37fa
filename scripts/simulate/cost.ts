/**
 * What the simulated period would cost on AWS at list prices (scripts/pricing.ts, the table `npm run cost`
 * uses), counted from what actually ran: state transitions and task invocations from every execution's
 * history, HTTP requests by route, emails from the inbox, DynamoDB request units as DynamoDB Local reports
 * them, domain events. Split three ways — the funnel (per lead), retention (per customer-year) and
 * onboarding (the team's fixed cost) — exactly for transitions, tasks, requests and emails, and in
 * proportion to each part's Lambda invocations for DynamoDB units, domain events and logs.
 */
import type { LocalStack } from '../../local/stack.js';
import type { CfnTemplate } from '../../local/template.js';
import { estimateLogs, gbSecondsOf, PRICES_TAKEN, usageCost, ASSUMED_MS, type Usage } from '../pricing.js';
import type { Mail } from './inbox.js';

export type Part = 'funnel' | 'retention' | 'onboarding';
const MACHINE_PART: Record<string, Part> = { LeadFunnel: 'funnel', CustomerRetention: 'retention', RepOnboarding: 'onboarding' };

/** Lambda functions behind each HTTP route the simulator calls (the authorizer runs on every keyed route). */
const ROUTES: Record<string, { part: Part; functions: string[] }> = {
  'POST /leads': { part: 'funnel', functions: ['CaptureLead'] },
  'POST /events (lead)': { part: 'funnel', functions: ['Authorizer', 'IngestEvent'] },
  'POST /unsubscribe': { part: 'funnel', functions: ['Unsubscribe'] },
  'POST /events (customer)': { part: 'retention', functions: ['Authorizer', 'IngestEvent'] },
  'POST /reps': { part: 'onboarding', functions: ['Authorizer', 'CreateRep'] },
  'POST /reps/{id}/modules/{id}/completions': { part: 'onboarding', functions: ['Authorizer', 'RecordCompletion'] },
  'POST /reps/{id}/signoff': { part: 'onboarding', functions: ['Authorizer', 'SignOffRep'] },
};

const TEAM_FUNNEL = /^(New lead assigned|(ESCALATION: )?Contact SLA missed|No active rep for)/;
const TEAM_RETENTION = /^(New customer assigned|Business review due|Detractor:|At risk:|No usage from)| renews in | has cancelled$|referral became a customer|replied to the win-back/;

function partOfMail(m: Mail): Part {
  if (/^lead-/.test(m.to)) return m.template?.startsWith('retention-') ? 'retention' : 'funnel';
  if (TEAM_FUNNEL.test(m.subject)) return 'funnel';
  return TEAM_RETENTION.test(m.subject) ? 'retention' : 'onboarding';
}

export interface UsageSnapshot {
  parts: Record<Part, Usage>;
}

/** Counts what ran so far (call it at the horizon, before the figures are read back). */
export function snapshotUsage(stack: LocalStack, template: CfnTemplate, requests: Record<string, number>, mail: Mail[], ddb: { rru: number; wru: number }): UsageSnapshot {
  const memoryOf = Object.fromEntries(
    Object.entries<any>(template.Resources ?? {})
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, r]) => [id, Number(r.Properties?.MemorySize ?? 128)]),
  );
  const machineOf = Object.fromEntries(Object.entries(stack.stateMachines).map(([name, arn]) => [arn, name]));
  const blank = (): Usage => ({ transitions: 0, invocations: {}, gbSeconds: 0, rru: 0, wru: 0, emails: 0, busEvents: 0, httpRequests: 0, logBytes: 0, traces: 0, executions: 0 });
  const parts: Record<Part, Usage> = { funnel: blank(), retention: blank(), onboarding: blank() };
  const add = (u: Usage, fn: string, n = 1) => void (u.invocations[fn] = (u.invocations[fn] ?? 0) + n);
  const historyEvents: Record<Part, unknown[]> = { funnel: [], retention: [], onboarding: [] };
  for (const execution of stack.executions.list()) {
    const part = MACHINE_PART[machineOf[execution.stateMachineArn] ?? ''];
    if (!part) continue;
    const u = parts[part];
    const events = [...execution.history];
    historyEvents[part].push(...events);
    const entered = events.filter((e) => e.type.endsWith('StateEntered')).length;
    const scheduled = events.filter((e) => e.type === 'TaskScheduled');
    u.transitions += entered + scheduled.length - events.filter((e) => e.type === 'TaskStateEntered').length;
    for (const e of scheduled) {
      const fn = String(JSON.parse((e as any).taskScheduledEventDetails?.parameters ?? '{}').FunctionName ?? '').split(':function:')[1]?.split(':')[0];
      if (fn) add(u, fn);
    }
    // One StartRuns invocation per run started (the run outbox).
    add(u, 'StartRuns');
    u.executions += 1;
    u.traces += 1;
  }
  for (const [route, n] of Object.entries(requests)) {
    const r = ROUTES[route];
    if (!r) continue;
    for (const fn of r.functions) add(parts[r.part], fn, n);
    parts[r.part].httpRequests += n;
    parts[r.part].traces += n;
  }
  for (const m of mail) parts[partOfMail(m)].emails += 1;
  const calls = (u: Usage) => Object.values(u.invocations).reduce((a, b) => a + b, 0);
  const all = Object.values(parts).reduce((s, u) => s + calls(u), 0) || 1;
  const busEvents = stack.events.list().length;
  for (const [part, u] of Object.entries(parts) as Array<[Part, Usage]>) {
    const share = calls(u) / all;
    u.gbSeconds = gbSecondsOf(u.invocations, memoryOf);
    u.rru = ddb.rru * share;
    u.wru = ddb.wru * share;
    u.busEvents = busEvents * share;
    // Handler logs run at ERROR in the simulation: only the platform lines, state machine and access logs are estimated.
    u.logBytes = estimateLogs(u, 0, historyEvents[part]);
  }
  return { parts };
}

export interface CostFigures {
  pricesTaken: string;
  perLeadUsd: number;
  perCustomerYearUsd: number | null;
  totalUsd: number;
  parts: Record<Part, { usd: number; transitions: number; lambdaRequests: number; emails: number; httpRequests: number; wru: number; rru: number }>;
  assumptions: string[];
}

export function priceUsage(snapshot: UsageSnapshot, leads: number, customerYears: number): CostFigures {
  const r6 = (n: number) => Math.round(n * 1e6) / 1e6;
  const parts = Object.fromEntries(
    Object.entries(snapshot.parts).map(([part, u]) => [
      part,
      {
        usd: r6(usageCost(u)),
        transitions: u.transitions,
        lambdaRequests: Object.values(u.invocations).reduce((a, b) => a + b, 0),
        emails: u.emails,
        httpRequests: u.httpRequests,
        wru: Math.round(u.wru),
        rru: Math.round(u.rru),
      },
    ]),
  ) as CostFigures['parts'];
  return {
    pricesTaken: PRICES_TAKEN,
    perLeadUsd: leads ? r6(parts.funnel.usd / leads) : 0,
    perCustomerYearUsd: customerYears > 0 ? r6(parts.retention.usd / customerYears) : null,
    totalUsd: r6(parts.funnel.usd + parts.retention.usd + parts.onboarding.usd),
    parts,
    assumptions: [
      `us-east-1 list prices of ${PRICES_TAKEN} (scripts/pricing.ts); free tiers ignored`,
      `Lambda billed ${ASSUMED_MS} ms per invocation at the template's memory; one StartRuns invocation per run started`,
      'DynamoDB units, domain events and logs split between funnel, retention and onboarding in proportion to Lambda invocations',
      "handler logs not counted (the simulation runs them at ERROR); the run outbox's sweeper and the daily jobs are fixed costs, left out",
      'per customer-year: retention cost over the customer-days from purchase to the end of the period',
    ],
  };
}
