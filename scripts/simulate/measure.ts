/**
 * The figures of a simulated cohort, read back from the system the way an admin would (GET /leads/{id},
 * GET /customers/{id}, GET /reps/{id}) and counted only up to the horizon (entries after it — a scaled clock
 * runs on while this reads — are left out), and the invariants checked on them against the local inbox.
 */
import { DAY_MS } from '../../functions/core/clock.js';
import type { Stage } from '../../functions/core/model.js';
import { percentile } from '../stats.js';
import type { SimHttp } from './http.js';
import type { Mail } from './inbox.js';
import type { LeadAgent, RepAgent } from './world.js';

const STAGES: Stage[] = ['awareness', 'interest', 'consideration', 'decision', 'purchase'];

interface Entry {
  at: string;
  type: string;
  data?: Record<string, any>;
}

export interface Invariant {
  name: string;
  description: string;
  checked: number;
  violations: number;
  examples: string[];
}

export interface Figures {
  cohort: { leads: number; captured: number; bySource: Record<string, number> };
  funnel: {
    conversion: Array<{ stage: Stage; reached: number; fromPrevious: number | null; cumulative: number }>;
    outcomes: Record<'won' | 'lost' | 'dormant' | 'everRecycled' | 'unsubscribed' | 'open', number>;
    bySource: Record<string, { leads: number; reachedDecision: number; won: number; winRate: number }>;
    timeInStageDays: Record<string, { stays: number; median: number | null; p90: number | null }>;
    captureToWonDays: { won: number; median: number | null; p90: number | null };
  };
  emails: {
    total: number;
    toLeads: number;
    perLead: number;
    byTemplate: Record<string, number>;
    skipped: number;
    deferred: number;
    toCustomers: number;
    toTeam: number;
  };
  reps: {
    certified: number;
    medianDaysToCertification: number | null;
    load: Array<{ rep: string; role: string; hiredDay: number; certifiedDay: number | null; modules: number; leadsAssigned: number; slaMisses: number; won: number }>;
  };
  customers: {
    customers: number;
    churned: number;
    renewals: number;
    npsAnswers: number;
    nps: number | null;
    health: Record<string, number>;
    customerYears: number;
  };
}

const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;
const days = (ms: number) => round(ms / DAY_MS);
const stat = (values: number[]) => ({ median: values.length ? days(percentile(values, 50)) : null, p90: values.length ? days(percentile(values, 90)) : null });

async function pooled<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  }));
  return out;
}

export interface Observed {
  leads: Map<number, LeadAgent>;
  reps: RepAgent[];
  mail: Mail[];
  startMs: number;
  horizonMs: number;
  /** Names of every execution the local Step Functions started. */
  executionNames: Set<string>;
}

export async function measure(http: SimHttp, o: Observed): Promise<{ figures: Figures; invariants: Invariant[] }> {
  const within = (e: Entry) => Date.parse(e.at) <= o.horizonMs;
  const agents = [...o.leads.values()].sort((a, b) => a.plan.index - b.plan.index);
  const read = await pooled(agents, 16, async (agent) => {
    if (!agent.leadId) return { agent, lead: undefined, customer: undefined };
    const lead = await http.get(`/leads/${agent.leadId}`, 'GET /leads/{id} (measure)');
    const customer = agent.customer ? await http.get(`/customers/cus-${agent.leadId}`, 'GET /customers/{id} (measure)') : undefined;
    return { agent, lead: lead.status === 200 ? lead.body : undefined, customer: customer?.status === 200 ? customer.body : undefined };
  });

  // ---- the funnel
  const reached = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  const outcomes = { won: 0, lost: 0, dormant: 0, everRecycled: 0, unsubscribed: 0, open: 0 };
  const stays: Record<string, number[]> = Object.fromEntries(STAGES.slice(0, 4).map((s) => [s, []]));
  const velocity: number[] = [];
  const bySource: Figures['funnel']['bySource'] = {};
  const cohortBySource: Record<string, number> = {};
  const byTemplate: Record<string, number> = {};
  let skipped = 0;
  let deferred = 0;
  let toLeads = 0;
  const assignedTo = new Map<string, number>();
  const missesOf = new Map<string, number>();
  const wonBy = new Map<string, number>();
  for (const { agent, lead } of read) {
    const source = agent.plan.source.name;
    cohortBySource[source] = (cohortBySource[source] ?? 0) + 1;
    const s = (bySource[source] ??= { leads: 0, reachedDecision: 0, won: 0, winRate: 0 });
    s.leads += 1;
    if (!lead) continue;
    const timeline = (lead.timeline as Entry[]).filter(within);
    const capturedAt = Date.parse(timeline.find((e) => e.type === 'lead_captured')?.at ?? lead.createdAt);
    const seen = new Set<Stage>(['awareness']);
    let stage: Stage = 'awareness';
    let enteredAt = capturedAt;
    let owner: string | undefined;
    let closed: string | undefined;
    let recycled = false;
    for (const e of timeline) {
      if (e.type === 'stage_changed' && e.data?.to) {
        stays[stage]?.push(Date.parse(e.at) - enteredAt);
        stage = e.data.to as Stage;
        enteredAt = Date.parse(e.at);
        seen.add(stage);
        if (stage === 'purchase') {
          velocity.push(enteredAt - capturedAt);
          if (owner) wonBy.set(owner, (wonBy.get(owner) ?? 0) + 1);
        }
      }
      if (e.type === 'status_changed' && e.data?.to) {
        if (e.data.to === 'recycled') recycled = true;
        if (['lost', 'dormant', 'disqualified'].includes(e.data.to)) {
          closed = e.data.to;
          stays[stage]?.push(Date.parse(e.at) - enteredAt);
        }
      }
      if (e.type === 'rep_assigned' && e.data?.repId) {
        owner = e.data.repId;
        assignedTo.set(owner!, (assignedTo.get(owner!) ?? 0) + 1);
      }
      if (e.type === 'sla_missed' && e.data?.repId) missesOf.set(e.data.repId, (missesOf.get(e.data.repId) ?? 0) + 1);
      if (e.type === 'email_sent') {
        toLeads += 1;
        const t = String(e.data?.template ?? e.data?.stepId ?? 'unknown');
        byTemplate[t] = (byTemplate[t] ?? 0) + 1;
      }
      if (e.type === 'email_skipped') skipped += 1;
      if (e.type === 'email_deferred') deferred += 1;
    }
    if (recycled) outcomes.everRecycled += 1;
    // A stage counts as reached by a lead that got to it or past it (a demo request skips to decision).
    const furthest = Math.max(...[...seen].map((st) => STAGES.indexOf(st)));
    for (const st of STAGES.slice(0, furthest + 1)) reached[st] += 1;
    if (seen.has('decision') || seen.has('purchase')) s.reachedDecision += 1;
    if (seen.has('purchase')) {
      outcomes.won += 1;
      s.won += 1;
    } else if (closed === 'lost' || closed === 'disqualified') outcomes.lost += 1;
    else if (closed === 'dormant') outcomes.dormant += 1;
    else if (agent.unsubscribed && agent.unsubscribed.atMs <= o.horizonMs) outcomes.unsubscribed += 1;
    else outcomes.open += 1;
  }
  for (const s of Object.values(bySource)) s.winRate = s.leads ? round(s.won / s.leads, 4) : 0;
  const captured = agents.filter((a) => a.leadId).length;
  const conversion = STAGES.map((stage, i) => ({
    stage,
    reached: reached[stage],
    fromPrevious: i === 0 ? null : reached[STAGES[i - 1]!] ? round(reached[stage] / reached[STAGES[i - 1]!], 4) : 0,
    cumulative: captured ? round(reached[stage] / captured, 4) : 0,
  }));

  // ---- customers
  let churned = 0;
  let renewals = 0;
  let customerMs = 0;
  const scores: number[] = [];
  const health: Record<string, number> = {};
  let toCustomers = 0;
  const customers = read.filter((r) => r.customer);
  for (const { agent, customer } of customers) {
    const timeline = (customer.timeline as Entry[]).filter(within);
    if (timeline.some((e) => e.type === 'status_changed' && e.data?.to === 'cancelled')) churned += 1;
    renewals += timeline.filter((e) => e.type === 'term_started').length;
    toCustomers += timeline.filter((e) => e.type === 'email_sent').length;
    for (const answer of (customer.customer?.nps ?? []) as Array<{ score: number; at: string }>) if (Date.parse(answer.at) <= o.horizonMs) scores.push(answer.score);
    const band = customer.customer?.health?.band ?? 'unknown';
    health[band] = (health[band] ?? 0) + 1;
    customerMs += Math.max(0, o.horizonMs - (agent.customer?.boughtMs ?? o.horizonMs));
  }
  const nps = scores.length ? Math.round((100 * (scores.filter((s) => s >= 9).length - scores.filter((s) => s <= 6).length)) / scores.length) : null;

  // ---- reps
  const repViews = await pooled(o.reps.filter((r) => r.repId), 8, async (rep) => ({ rep, view: (await http.get(`/reps/${rep.repId}`, 'GET /reps/{id} (measure)')).body }));
  const rows = repViews.map(({ rep, view }) => {
    const certified = ((view?.timeline ?? []) as Entry[]).filter(within).find((e) => e.type === 'certified');
    return {
      initial: rep.initial,
      rep: '',
      role: rep.role,
      hiredDay: days(rep.hireMs - o.startMs),
      certifiedDay: certified ? days(Date.parse(certified.at) - o.startMs) : null,
      // The learning path the system gave the rep (a --compare variant's onboarding may change it).
      modules: ((view?.modules ?? []) as unknown[]).length,
      leadsAssigned: assignedTo.get(rep.repId!) ?? 0,
      slaMisses: missesOf.get(rep.repId!) ?? 0,
      won: wonBy.get(rep.repId!) ?? 0,
    };
  });
  // Reps hired together are interchangeable: which of them the round-robin picks follows the rep ids the system
  // generates (random), so they are told apart by their load, not by name.
  rows.sort((a, b) => a.role.localeCompare(b.role) || a.hiredDay - b.hiredDay || b.leadsAssigned - a.leadsAssigned || b.won - a.won || b.slaMisses - a.slaMisses || (a.certifiedDay ?? Infinity) - (b.certifiedDay ?? Infinity));
  const counts = new Map<string, number>();
  const load = rows.map(({ initial: _initial, ...row }) => {
    const group = `${row.role.toUpperCase()} hired day ${row.hiredDay}`;
    counts.set(group, (counts.get(group) ?? 0) + 1);
    return { ...row, rep: `${group} #${counts.get(group)}` };
  });
  const hires = rows.filter((r) => !r.initial && r.certifiedDay !== null);

  const toTeam = o.mail.filter((m) => !/^lead-/.test(m.to)).length;
  const figures: Figures = {
    cohort: { leads: agents.length, captured, bySource: cohortBySource },
    funnel: {
      conversion,
      outcomes,
      bySource,
      timeInStageDays: Object.fromEntries(Object.entries(stays).map(([st, v]) => [st, { stays: v.length, ...stat(v) }])),
      captureToWonDays: { won: velocity.length, ...stat(velocity) },
    },
    emails: { total: toLeads + toCustomers, toLeads, perLead: captured ? round(toLeads / captured) : 0, byTemplate: sortKeys(byTemplate), skipped, deferred, toCustomers, toTeam },
    reps: {
      certified: load.filter((l) => l.certifiedDay !== null).length,
      medianDaysToCertification: hires.length ? round(percentile(hires.map((h) => h.certifiedDay! - h.hiredDay), 50)) : null,
      load,
    },
    customers: { customers: customers.length, churned, renewals, npsAnswers: scores.length, nps, health: sortKeys(health), customerYears: round(customerMs / (365 * DAY_MS), 3) },
  };
  return { figures, invariants: invariants(o, read) };
}

const sortKeys = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

function invariants(o: Observed, read: Array<{ agent: LeadAgent; lead: any; customer: any }>): Invariant[] {
  const lost: string[] = [];
  const doubleLedger: string[] = [];
  const doubleInbox: string[] = [];
  const afterUnsubscribe: string[] = [];
  const mailTo = new Map<string, Mail[]>();
  for (const m of o.mail) mailTo.set(m.to, [...(mailTo.get(m.to) ?? []), m]);
  let posted = 0;
  let unsubscribed = 0;
  for (const { agent, lead, customer } of read) {
    if (agent.captureStatus === undefined) continue;
    posted += 1;
    const who = agent.plan.email;
    if (agent.captureStatus >= 300 || !agent.leadId) lost.push(`${who}: POST /leads answered ${agent.captureStatus}`);
    else if (!lead) lost.push(`${who}: GET /leads/${agent.leadId} found nothing`);
    else if (!(lead.timeline as Entry[]).some((e) => e.type === 'workflow_started') && ![...o.executionNames].some((n) => n.startsWith(`${agent.leadId}-r`))) lost.push(`${who}: no funnel run`);
    const sent = [...((lead?.timeline ?? []) as Entry[]), ...((customer?.timeline ?? []) as Entry[])].filter((e) => e.type === 'email_sent');
    const keys = sent.map((e) => String(e.data?.ledgerKey ?? `${e.data?.stepId}@${e.at}`));
    const twice = keys.find((k, i) => keys.indexOf(k) !== i);
    if (twice) doubleLedger.push(`${who}: ledger key ${twice} twice`);
    const inbox = mailTo.get(who) ?? [];
    if (inbox.length > sent.length) doubleInbox.push(`${who}: ${inbox.length} emails in the inbox, ${sent.length} sends in the ledger`);
    const perTemplate = new Map<string, number>();
    // A funnel email goes once per lead; the recycle nurture's repeat per recycle period (their ledger key has the run),
    // and retention's per term or quiet stretch: those are held to the ledger count above.
    for (const m of inbox) if (m.template && !/^(recycle|retention)-/.test(m.template)) perTemplate.set(m.template, (perTemplate.get(m.template) ?? 0) + 1);
    for (const [t, n] of perTemplate) if (n > 1) doubleInbox.push(`${who}: "${t}" received ${n} times`);
    if (agent.unsubscribed) {
      unsubscribed += 1;
      const late = inbox.filter((m) => m.atSec > agent.unsubscribed!.atSec + 1);
      const unsubAt = ((lead?.timeline ?? []) as Entry[]).find((e) => e.type === 'unsubscribed')?.at;
      const lateLedger = unsubAt ? sent.filter((e) => Date.parse(e.at) > Date.parse(unsubAt)) : [];
      if (late.length || lateLedger.length) afterUnsubscribe.push(`${who}: ${late.length} email(s) arrived and ${lateLedger.length} send(s) were recorded after the unsubscribe (${late.map((m) => m.subject).join('; ')})`);
    }
  }
  const inv = (name: string, description: string, checked: number, found: string[]): Invariant => ({ name, description, checked, violations: found.length, examples: found.slice(0, 10) });
  return [
    inv('no-lead-lost', 'every lead posted was answered 2xx, exists (GET /leads/{id}) and has a funnel run', posted, lost),
    inv('no-double-send-ledger', "no ledger key (subject + workflow + step) twice on a lead's or customer's send record", posted, doubleLedger),
    inv('no-double-send-inbox', 'no address got more emails than its sends recorded, nor a stage email (not recycle, not retention) twice', posted, doubleInbox),
    inv('no-mail-after-unsubscribe', 'no email arrived (1 s grace for one in flight) or was recorded as sent after the unsubscribe', unsubscribed, afterUnsubscribe),
  ];
}
