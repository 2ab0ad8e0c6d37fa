/**
 * A customer's health, 0–100 (higher is healthier), from four kinds of signal: product usage, open
 * support tickets, the last NPS answer and engagement with check-in emails, pulled down when the
 * customer goes quiet. Pure: the signals are a small summary kept on the customer record
 * (`recordSignal` folds each event into it), the numbers come from a `HealthModel`
 * (workflows/programmes/health.ts), and `computeHealth` says why in sentences a CSM can read.
 */
import { DAY_MS } from './clock.js';

export type HealthBand = 'healthy' | 'watch' | 'at-risk';

export const TICKET_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type TicketSeverity = (typeof TICKET_SEVERITIES)[number];

export interface OpenTicket {
  ticketId: string;
  severity: TicketSeverity;
  /** The first open signal seen for it. */
  openedAt: string;
  /** The signal that set its current state: an older one arriving late changes nothing. */
  updatedAt: string;
}

export interface CheckIn {
  sentAt: string;
  /** The check-in's own id (message or send id) when the caller has one: engagement is then matched exactly. */
  checkInId?: string;
  /** First open or click; an open then a click of one check-in counts once. */
  engagedAt?: string;
}

/**
 * The summary kept on the customer record. Every list is bounded by the model's `history` limits, and
 * every time is a UTC ISO instant (normalised on the way in, so times compare as strings).
 */
export interface HealthSignals {
  /** Distinct UTC days (YYYY-MM-DD) with product usage, ascending, spanning at most `history.usageDays`. */
  usageDays: string[];
  /** The first and last product usage ever seen: tenure and inactivity outlive the trimmed `usageDays`. */
  firstUsedAt?: string;
  lastUsedAt?: string;
  /** Support tickets open now, one per ticketId, at most `history.openTickets` (the least severe go first). */
  openTickets: OpenTicket[];
  /** Recently closed tickets, newest `history.closedTickets`: a late "open" of a closed ticket does not reopen it. */
  closedTickets: { ticketId: string; closedAt: string }[];
  /** The latest NPS answer (0–10). */
  lastNps?: { score: number; at: string };
  /** The last `history.checkIns` check-ins sent, oldest first, each with whether the customer engaged. */
  checkIns: CheckIn[];
  /** The last open or click of a check-in email (counts as activity, like usage). */
  lastEngagedAt?: string;
}

export type HealthSignal =
  | { kind: 'usage'; at: string }
  | { kind: 'ticket'; ticketId: string; severity: TicketSeverity; status: 'open' | 'closed'; at: string }
  | { kind: 'nps'; score: number; at: string }
  | { kind: 'check-in-sent'; at: string; checkInId?: string }
  /** The customer opened or clicked a check-in; without an id, the latest one sent before it. */
  | { kind: 'engaged'; at: string; checkInId?: string };

/** The score's weights and thresholds, as data. Each component scores 0–100 before weighting. */
export interface HealthModel {
  /** Share of each component in the score; they sum to 1 (divided by their sum regardless). */
  weights: { usage: number; support: number; nps: number; engagement: number };
  /** What a component without data counts as (no NPS yet, no check-in due): a new customer lands here, not at risk. */
  neutral: number;
  /** Usage scores 100 at `targetDays` used in the last `windowDays` (pro-rated for a customer younger than the window). */
  usage: { windowDays: number; targetDays: number };
  /** Points off the support component's 100 per open ticket, by severity. */
  support: { penalties: Record<TicketSeverity, number> };
  /** Component score per NPS class (0–6 detractor, 7–8 passive, 9–10 promoter); older answers than `maxAgeDays` are ignored. */
  nps: { detractor: number; passive: number; promoter: number; maxAgeDays: number };
  /** Share of check-ins in the last `windowDays` engaged with; one sent under `responseDays` ago and not engaged with yet is not counted. */
  engagement: { windowDays: number; responseDays: number };
  /** After `graceDays` without usage or engagement, the score is multiplied by (1 − decayPerWeek) per further week. */
  inactivity: { graceDays: number; decayPerWeek: number };
  /** Below `atRiskBelow` is at risk, below `watchBelow` is watch, the rest healthy. */
  bands: { atRiskBelow: number; watchBelow: number };
  /** The smallest score move worth a timeline entry when the band stays the same. */
  minChange: number;
  /** Retention's "no product usage for N days" trigger. */
  noUsageAlertDays: number;
  /** How much the record keeps (bounds its size). */
  history: { usageDays: number; openTickets: number; closedTickets: number; checkIns: number };
}

export interface Health {
  score: number;
  band: HealthBand;
  reasons: string[];
  /** Each component's 0–100 before weighting, and the inactivity multiplier (1: none): the detail behind the reasons. */
  components: { usage: number; support: number; nps: number; engagement: number; decay: number };
}

export type HealthChange = { changed: boolean; crossedIntoAtRisk: boolean; recovered: boolean };

export const emptyHealthSignals = (): HealthSignals => ({ usageDays: [], openTickets: [], closedTickets: [], checkIns: [] });

function iso(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new RangeError(`not a date: ${at}`);
  return new Date(ms).toISOString();
}
const later = (a: string | undefined, b: string) => (a === undefined || b > a ? b : a);
const earlier = (a: string | undefined, b: string) => (a === undefined || b < a ? b : a);
const dayNumber = (isoOrDay: string) => Math.floor(Date.parse(isoOrDay.slice(0, 10)) / DAY_MS);
const wholeDays = (from: string, now: Date) => Math.max(0, Math.floor((now.getTime() - Date.parse(from)) / DAY_MS));
const severityRank = (s: TicketSeverity) => TICKET_SEVERITIES.indexOf(s);

/** Folds one signal into the summary; returns a new object. Repeating a signal changes nothing. */
export function recordSignal(signals: HealthSignals | undefined, signal: HealthSignal, model: Pick<HealthModel, 'history'>): HealthSignals {
  const s = signals ?? emptyHealthSignals();
  const at = iso(signal.at);
  const limits = model.history;
  switch (signal.kind) {
    case 'usage': {
      const day = at.slice(0, 10);
      const newest = Math.max(dayNumber(day), ...s.usageDays.map(dayNumber));
      const usageDays = [...new Set([...s.usageDays, day])].filter((d) => newest - dayNumber(d) < limits.usageDays).sort();
      return { ...s, usageDays, firstUsedAt: earlier(s.firstUsedAt, at), lastUsedAt: later(s.lastUsedAt, at) };
    }
    case 'ticket':
      return recordTicket(s, signal, at, limits);
    case 'nps': {
      if (!Number.isInteger(signal.score) || signal.score < 0 || signal.score > 10) throw new RangeError(`NPS must be an integer 0–10, got ${signal.score}`);
      if (s.lastNps && s.lastNps.at > at) return s;
      return { ...s, lastNps: { score: signal.score, at } };
    }
    case 'check-in-sent': {
      const same = (c: CheckIn) => (signal.checkInId !== undefined ? c.checkInId === signal.checkInId : c.checkInId === undefined && c.sentAt === at);
      if (s.checkIns.some(same)) return s;
      const sent: CheckIn = signal.checkInId !== undefined ? { sentAt: at, checkInId: signal.checkInId } : { sentAt: at };
      const checkIns = [...s.checkIns, sent].sort((a, b) => a.sentAt.localeCompare(b.sentAt)).slice(-limits.checkIns);
      return { ...s, checkIns };
    }
    case 'engaged': {
      const index =
        signal.checkInId !== undefined
          ? s.checkIns.findIndex((c) => c.checkInId === signal.checkInId)
          : s.checkIns.findLastIndex((c) => c.sentAt <= at);
      const checkIns = s.checkIns.map((c, i) => (i === index ? { ...c, engagedAt: earlier(c.engagedAt, at) } : c));
      return { ...s, checkIns, lastEngagedAt: later(s.lastEngagedAt, at) };
    }
  }
}

/** A ticket is in the state of its latest signal; an older one arriving late only corrects when it was opened. */
function recordTicket(s: HealthSignals, t: Extract<HealthSignal, { kind: 'ticket' }>, at: string, limits: HealthModel['history']): HealthSignals {
  const open = s.openTickets.find((o) => o.ticketId === t.ticketId);
  const closed = s.closedTickets.find((c) => c.ticketId === t.ticketId);
  const otherOpen = s.openTickets.filter((o) => o.ticketId !== t.ticketId);
  const otherClosed = s.closedTickets.filter((c) => c.ticketId !== t.ticketId);
  if ((open && open.updatedAt > at) || (closed && closed.closedAt > at)) {
    if (open && t.status === 'open' && at < open.openedAt) return { ...s, openTickets: byOpenedAt([...otherOpen, { ...open, openedAt: at }]) };
    return s;
  }
  if (t.status === 'closed') {
    const closedTickets = [...otherClosed, { ticketId: t.ticketId, closedAt: at }].sort((a, b) => a.closedAt.localeCompare(b.closedAt)).slice(-limits.closedTickets);
    return { ...s, openTickets: otherOpen, closedTickets };
  }
  const ticket: OpenTicket = { ticketId: t.ticketId, severity: t.severity, openedAt: open?.openedAt ?? at, updatedAt: at };
  // Over the limit, the least severe (then the oldest) go: a critical ticket must never drop off the record.
  const openTickets = [...otherOpen, ticket]
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.openedAt.localeCompare(a.openedAt))
    .slice(0, limits.openTickets);
  return { ...s, openTickets: byOpenedAt(openTickets), closedTickets: otherClosed };
}
const byOpenedAt = (tickets: OpenTicket[]) => [...tickets].sort((a, b) => a.openedAt.localeCompare(b.openedAt));

/** A high or critical ticket is open: retention holds its check-ins until it closes. */
export const hasHighSeverityOpen = (signals: HealthSignals | undefined): boolean =>
  (signals?.openTickets ?? []).some((t) => t.severity === 'high' || t.severity === 'critical');

/** Whole days since the last product usage, or since the customer started (`since`) if there was none. */
export const daysWithoutUsage = (signals: HealthSignals | undefined, since: string, now: Date): number =>
  wholeDays(signals?.lastUsedAt ?? since, now);

export function bandFor(score: number, model: Pick<HealthModel, 'bands'>): HealthBand {
  return score < model.bands.atRiskBelow ? 'at-risk' : score < model.bands.watchBelow ? 'watch' : 'healthy';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The score now, with its reasons. `since` (when the customer started) lets a customer who never
 * used the product decay from that day; without it such a customer is treated as new.
 */
export function computeHealth(signals: HealthSignals | undefined, model: HealthModel, now: Date, context: { since?: string } = {}): Health {
  const s = signals ?? emptyHealthSignals();
  const today = dayNumber(now.toISOString());
  const since = context.since === undefined ? undefined : iso(context.since);
  const reasons: string[] = [];

  // Usage: days used in the window against the target, the target pro-rated for a young customer.
  const startedAt = since ?? s.firstUsedAt;
  const tenureDays = startedAt === undefined ? undefined : wholeDays(startedAt, now);
  const usedInWindow = s.usageDays.filter((d) => today - dayNumber(d) >= 0 && today - dayNumber(d) < model.usage.windowDays).length;
  let usage: number;
  if (s.lastUsedAt === undefined) {
    const isNew = tenureDays === undefined || tenureDays <= model.inactivity.graceDays;
    usage = isNew ? model.neutral : 0;
    reasons.push(isNew ? 'No product usage yet' : `No product usage in ${plural(tenureDays, 'day')} as a customer`);
  } else {
    const shareOfWindow = Math.min(1, ((tenureDays ?? model.usage.windowDays) + 1) / model.usage.windowDays);
    const target = Math.max(1, model.usage.targetDays * shareOfWindow);
    usage = Math.min(1, usedInWindow / target) * 100;
    const idle = wholeDays(s.lastUsedAt, now);
    if (idle > model.inactivity.graceDays) reasons.push(`No product usage for ${plural(idle, 'day')}`);
    if (usedInWindow > 0) reasons.push(`Used the product on ${usedInWindow} of the last ${model.usage.windowDays} days`);
  }

  // Inactivity: neither usage nor engagement for longer than the grace period.
  const lastActive = [s.lastUsedAt, s.lastEngagedAt].reduce<string | undefined>((a, b) => (b === undefined ? a : later(a, b)), undefined) ?? since;
  const inactiveDays = lastActive === undefined ? 0 : wholeDays(lastActive, now);
  const weeksOver = Math.max(0, inactiveDays - model.inactivity.graceDays) / 7;
  const decay = (1 - model.inactivity.decayPerWeek) ** weeksOver;
  const decayPercent = Math.round((1 - decay) * 100);
  if (decayPercent > 0) reasons.push(`Score reduced ${decayPercent}% for ${plural(inactiveDays, 'day')} without usage or check-in engagement`);

  // Support: points off per open ticket.
  const bySeverity = [...TICKET_SEVERITIES].reverse().map((sev) => [sev, s.openTickets.filter((t) => t.severity === sev).length] as const);
  const support = Math.max(0, 100 - s.openTickets.reduce((sum, t) => sum + model.support.penalties[t.severity], 0));
  const open = bySeverity.filter(([, n]) => n > 0);
  reasons.push(open.length === 0 ? 'No open support tickets' : open.map(([sev, n]) => `${plural(n, `open ${sev}-severity ticket`)}`).join(', '));

  // NPS: the latest answer's class, if recent enough.
  let nps = model.neutral;
  if (s.lastNps && wholeDays(s.lastNps.at, now) <= model.nps.maxAgeDays) {
    const cls = s.lastNps.score >= 9 ? 'promoter' : s.lastNps.score >= 7 ? 'passive' : 'detractor';
    nps = model.nps[cls];
    reasons.push(`NPS ${s.lastNps.score} (${cls})`);
  }

  // Engagement: the share of recent check-ins engaged with, leaving out those still waiting for an answer.
  const due = s.checkIns.filter((c) => {
    const age = wholeDays(c.sentAt, now);
    return age < model.engagement.windowDays && (c.engagedAt !== undefined || age >= model.engagement.responseDays);
  });
  const engagedWith = due.filter((c) => c.engagedAt !== undefined).length;
  const engagement = due.length === 0 ? model.neutral : (engagedWith / due.length) * 100;
  if (due.length > 0) reasons.push(`Engaged with ${engagedWith} of the last ${plural(due.length, 'check-in')}`);

  const w = model.weights;
  const total = w.usage + w.support + w.nps + w.engagement;
  const weighted = total > 0 ? (w.usage * usage + w.support * support + w.nps * nps + w.engagement * engagement) / total : model.neutral;
  const score = Math.min(100, Math.max(0, Math.round(weighted * decay)));
  const components = { usage: Math.round(usage), support, nps, engagement: Math.round(engagement), decay: Math.round(decay * 1000) / 1000 };
  return { score, band: bandFor(score, model), reasons, components };
}

/**
 * Whether a new score is worth a timeline entry (the band changed, or the score moved by at least
 * `minChange`), and whether it crossed into at risk (the risk playbook runs) or out of it. A first
 * score is always a change; a first score already at risk runs the playbook too.
 */
export function healthChange(
  previous: { score: number; band: HealthBand } | undefined,
  next: { score: number; band: HealthBand },
  model: Pick<HealthModel, 'minChange'>,
): HealthChange {
  if (previous === undefined) return { changed: true, crossedIntoAtRisk: next.band === 'at-risk', recovered: false };
  const bandChanged = previous.band !== next.band;
  return {
    changed: bandChanged || Math.abs(next.score - previous.score) >= model.minChange,
    crossedIntoAtRisk: bandChanged && next.band === 'at-risk',
    recovered: bandChanged && previous.band === 'at-risk',
  };
}
