/**
 * The simulated people, acting on the running system over its HTTP API and answering the emails its local
 * SES receives: leads (captured, then opening, clicking, asking for demos, buying, unsubscribing), reps
 * (hired, working through their learning path, contacting the leads assigned to them), the manager (signing
 * reps off) and customers (using the product, answering the survey, renewing or cancelling). What each does
 * and when comes from the behaviour model (behaviour.ts); this file only carries it out.
 *
 * Time moves in ticks (scenario `simulation.tickHours`, default 1 virtual hour): at each tick the clock is
 * let run to the tick, whatever is due is done, the system is let settle, and the inbox is read; reactions
 * are timed from that look. So a reaction lands within a tick of when the model says it should.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS, HOUR_MS } from '../../functions/core/clock.js';
import { currentOnboardingProgramme } from '../../functions/shared/programmes.js';
import { Agenda, runDue } from './agenda.js';
import {
  answerCustomerEmail,
  answerLeadEmail,
  customerPlan,
  LEAD_EMAIL,
  leadIndexOf,
  moduleAttempts,
  nextUsage,
  repContactAt,
  signoffAt,
  SIM_DOMAIN,
  stageOfTemplate,
  type Action,
  type CustomerPlan,
  type LeadPlan,
  type Reaction,
} from './behaviour.js';
import type { SimHttp } from './http.js';
import type { InboxReader, Mail } from './inbox.js';
import type { Scenario } from './scenario.js';
import type { SimClock } from './sim-stack.js';

export interface LeadAgent {
  plan: LeadPlan;
  leadId?: string;
  captureStatus?: number;
  state: 'active' | 'won' | 'lost' | 'unsubscribed';
  /** Emails had per template (the nth of a template is its own decision). */
  seen: Map<string, number>;
  /** The rep of the latest assignment email about this lead. */
  assignedTo?: string;
  assignments: number;
  /** When the unsubscribe was answered: wall-clock seconds (the inbox's clock) and virtual ms. */
  unsubscribed?: { atSec: number; atMs: number };
  customer?: { plan: CustomerPlan; boughtMs: number; uses: number; cancelled: boolean };
}

export interface RepAgent {
  n: number;
  name: string;
  email: string;
  role: 'sdr' | 'ae' | 'csm';
  initial: boolean;
  hireMs: number;
  repId?: string;
  signoffAsked: boolean;
}

export interface WorldCounters {
  events: number;
  captures: number;
}

export class World {
  readonly agenda = new Agenda();
  readonly leads = new Map<number, LeadAgent>();
  readonly reps: RepAgent[] = [];
  readonly counters: WorldCounters = { events: 0, captures: 0 };

  constructor(
    private readonly scenario: Scenario,
    private readonly seed: number,
    private readonly http: SimHttp,
    private readonly clock: SimClock,
    private readonly horizonMs: number,
    cohort: LeadPlan[],
  ) {
    for (const plan of cohort) {
      this.leads.set(plan.index, { plan, state: 'active', seen: new Map(), assignments: 0 });
      this.agenda.add({ atMs: plan.arrivalMs, subject: `lead-${plan.index}`, run: () => this.capture(plan.index) });
    }
    const start = cohort.length ? Math.min(...cohort.map((l) => l.arrivalMs), Date.parse(`${scenario.startDate}T00:00:00Z`)) : Date.parse(`${scenario.startDate}T00:00:00Z`);
    const hire = (role: RepAgent['role'], hireMs: number, initial: boolean) => {
      const n = this.reps.length + 1;
      const rep: RepAgent = { n, name: `Rep${n} Sim`, email: `rep-${n}@${SIM_DOMAIN}`, role, initial, hireMs, signoffAsked: false };
      this.reps.push(rep);
      this.agenda.add({ atMs: hireMs, subject: `rep-${n}`, run: () => this.hire(rep) });
    };
    for (const group of scenario.reps.initial) for (let i = 0; i < group.count; i++) hire(group.role, start, true);
    for (const group of scenario.reps.hires) for (let i = 0; i < group.count; i++) hire(group.role, start + group.day * DAY_MS, false);
  }

  /** Does what is due by `ms`; answers how many actions that was. */
  async runDue(ms: number, concurrency: number): Promise<number> {
    const due = this.agenda.takeDue(ms);
    await runDue(due, concurrency, () => this.clock.settle());
    return due.length;
  }

  /** Reads the new mail and schedules the answers (timed from `nowMs`). */
  async answerMail(inbox: InboxReader, nowMs: number): Promise<Mail[]> {
    const fresh = await inbox.read();
    for (const mail of fresh) this.answer(mail, nowMs);
    return fresh;
  }

  /** `stage`: of the email answered; answers late in the funnel may hand the lead to a rep, so they go one at a time. */
  private schedule(subject: string, reactions: Reaction[], act: (action: Action) => Promise<void>, stage?: string): void {
    for (const r of reactions) {
      if (r.atMs > this.horizonMs) continue;
      const serial = stage === 'consideration' || stage === 'decision' || (r.action.kind === 'event' && SERIAL_EVENTS.has(r.action.type));
      this.agenda.add({ atMs: r.atMs, subject, serial, run: () => act(r.action) });
    }
  }

  private answer(mail: Mail, nowMs: number): void {
    if (LEAD_EMAIL.test(mail.to)) {
      const lead = this.leads.get(leadIndexOf(mail.to));
      if (!lead || !mail.template) return;
      const nth = lead.seen.get(mail.template) ?? 0;
      lead.seen.set(mail.template, nth + 1);
      if (mail.template.startsWith('retention-')) {
        if (!lead.customer || lead.customer.cancelled) return;
        const reactions = answerCustomerEmail(this.scenario, this.seed, lead.plan.index, mail.template, nowMs, lead.customer.plan, nth);
        this.schedule(`lead-${lead.plan.index}`, reactions, (a) => this.customerAct(lead, a));
        return;
      }
      if (lead.state !== 'active') return;
      const reactions = answerLeadEmail(this.scenario, this.seed, lead.plan, mail.template, nowMs, nth);
      const url = mail.unsubscribeUrl;
      this.schedule(`lead-${lead.plan.index}`, reactions, (a) => this.leadAct(lead, a, url), stageOfTemplate(mail.template));
      return;
    }
    const rep = this.reps.find((r) => r.email === mail.to);
    if (rep?.repId && mail.subject.startsWith('New lead assigned to you') && mail.text) {
      const found = LEAD_EMAIL.exec(mail.text)?.[0];
      const lead = found ? this.leads.get(leadIndexOf(found)) : undefined;
      if (!lead) return;
      lead.assignedTo = rep.repId;
      const at = repContactAt(this.scenario, this.seed, lead.plan.index, nowMs, lead.assignments++);
      const repId = rep.repId;
      if (at <= this.horizonMs) this.agenda.add({ atMs: at, subject: `lead-${lead.plan.index}`, run: () => this.contact(lead, repId) });
      return;
    }
    if (mail.to === this.scenario.reps.managerEmail.toLowerCase() && mail.subject.startsWith('Sign-off needed: ')) {
      const asked = this.reps.find((r) => mail.subject.startsWith(`Sign-off needed: ${r.name} `));
      if (!asked?.repId || asked.signoffAsked) return;
      asked.signoffAsked = true;
      const at = signoffAt(this.scenario, this.seed, asked.n, nowMs, asked.initial);
      if (at <= this.horizonMs) this.agenda.add({ atMs: at, subject: `rep-${asked.n}`, serial: true, run: () => this.signoff(asked) });
    }
  }

  private async capture(index: number): Promise<void> {
    const lead = this.leads.get(index)!;
    const { plan } = lead;
    const res = await this.http.post('/leads', {
      email: plan.email,
      firstName: plan.firstName,
      company: plan.company,
      source: plan.source.name,
      utm_source: plan.source.name,
      ...(plan.source.utm_campaign ? { utm_campaign: plan.source.utm_campaign } : {}),
      consent: plan.consent,
    });
    this.counters.captures += 1;
    lead.captureStatus = res.status;
    if (res.status < 300 && typeof res.body?.leadId === 'string') lead.leadId = res.body.leadId;
  }

  private async event(body: Record<string, unknown>): Promise<number> {
    this.counters.events += 1;
    return (await this.http.post('/events', { eventId: randomUUID(), ...body }, body.customerId ? 'POST /events (customer)' : 'POST /events (lead)')).status;
  }

  private async leadAct(lead: LeadAgent, action: Action, unsubscribeUrl: string | undefined): Promise<void> {
    if (lead.state !== 'active' || !lead.leadId) return;
    if (action.kind === 'unsubscribe') {
      if (!unsubscribeUrl) return;
      const res = await this.http.unsubscribe(unsubscribeUrl);
      if (res.status < 300) {
        lead.state = 'unsubscribed';
        lead.unsubscribed = { atSec: Math.ceil(Date.now() / 1000), atMs: this.clock.now() };
      }
      return;
    }
    const status = await this.event({ type: action.type, leadId: lead.leadId, ...(action.properties ? { properties: action.properties } : {}) });
    if (status >= 300) return;
    if (action.type === 'lost') lead.state = 'lost';
    if (action.type === 'purchased') this.becomeCustomer(lead);
  }

  private becomeCustomer(lead: LeadAgent): void {
    lead.state = 'won';
    const boughtMs = this.clock.now();
    const plan = customerPlan(this.scenario, this.seed, lead.plan.index, boughtMs);
    lead.customer = { plan, boughtMs, uses: 0, cancelled: false };
    this.scheduleUsage(lead, boughtMs);
    if (plan.cancelsAtMs !== undefined && plan.cancelsAtMs <= this.horizonMs) {
      this.agenda.add({ atMs: plan.cancelsAtMs, subject: `lead-${lead.plan.index}`, run: () => this.customerAct(lead, { kind: 'event', type: 'subscription_cancelled', properties: { reason: 'not using it' } }) });
    }
  }

  private scheduleUsage(lead: LeadAgent, fromMs: number): void {
    const c = lead.customer!;
    const at = nextUsage(this.scenario, this.seed, lead.plan.index, c.uses, fromMs, c.plan);
    if (at === undefined || at > this.horizonMs) return;
    this.agenda.add({
      atMs: at,
      subject: `lead-${lead.plan.index}`,
      run: async () => {
        await this.customerAct(lead, { kind: 'event', type: 'product_used' });
        c.uses += 1;
        this.scheduleUsage(lead, at);
      },
    });
  }

  private async customerAct(lead: LeadAgent, action: Action): Promise<void> {
    const c = lead.customer;
    if (!c || c.cancelled || !lead.leadId || action.kind !== 'event') return;
    const status = await this.event({ type: action.type, customerId: `cus-${lead.leadId}`, ...(action.properties ? { properties: action.properties } : {}) });
    if (action.type === 'subscription_cancelled' && status < 300) c.cancelled = true;
  }

  private async contact(lead: LeadAgent, repId: string): Promise<void> {
    // A rep who lost the lead to the SLA no longer calls it.
    if (lead.state !== 'active' || !lead.leadId || lead.assignedTo !== repId) return;
    await this.event({ type: 'rep_contacted', leadId: lead.leadId, properties: { repId } });
  }

  private async hire(rep: RepAgent): Promise<void> {
    const res = await this.http.post('/reps', { email: rep.email, firstName: `Rep${rep.n}`, lastName: 'Sim', role: rep.role, managerEmail: this.scenario.reps.managerEmail, timeZone: 'UTC' });
    if (res.status >= 300 || typeof res.body?.repId !== 'string') return;
    const repId: string = res.body.repId;
    rep.repId = repId;
    // The learning path in order (prerequisites come first): each module's attempts after the last one's.
    let from = this.clock.now();
    // The learning path the system runs (a --compare variant's, when the simulation installed one).
    for (const module of currentOnboardingProgramme().paths[rep.role].modules) {
      const quiz = module.kind === 'quiz' ? { passMark: module.passMark ?? 80, maxAttempts: module.maxAttempts ?? 3 } : undefined;
      const attempts = moduleAttempts(this.scenario, this.seed, rep.n, module.id, from, quiz, rep.initial);
      attempts.forEach((a, k) => {
        if (a.atMs > this.horizonMs) return;
        this.agenda.add({
          atMs: a.atMs,
          subject: `rep-${rep.n}`,
          run: async () => void (await this.http.post(`/reps/${repId}/modules/${module.id}/completions`, { attemptId: `${module.id}-${k + 1}`, ...(a.score !== undefined ? { score: a.score } : {}) }, 'POST /reps/{id}/modules/{id}/completions')),
        });
      });
      from = attempts.at(-1)!.atMs;
    }
  }

  private async signoff(rep: RepAgent): Promise<void> {
    await this.http.post(`/reps/${rep.repId}/signoff`, { decision: 'approve', by: 'Sales Manager (simulated)' }, 'POST /reps/{id}/signoff');
  }
}

/** Events that hand a lead to a rep (a demo request qualifies for decision) or a customer to an owner. */
const SERIAL_EVENTS = new Set(['demo_requested', 'meeting_booked', 'purchased']);

export const TICK_HOURS = 1;
export const tickMsOf = (scenario: Scenario) => (scenario.simulation?.tickHours ?? TICK_HOURS) * HOUR_MS;
