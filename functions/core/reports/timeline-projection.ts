/**
 * A lead timeline entry's stream record → template and A/B split counters. Entries are written once and
 * never changed, so each is applied once under a marker of its own (the marker and the counters are one
 * transaction: a redelivered record finds the marker and adds nothing). The one entry taken back is a
 * claim's "sent" entry when the mail service did not take the email (core/send.ts gives the claim back):
 * its marker keeps what it added, and the removal subtracts it.
 */
import { stageIndex, STAGES, type Stage } from '../model.js';
import { dayOf, dimValue, Increments, type Increment } from './aggregates.js';
import type { SplitArmState } from './lead-projection.js';

/** A lead timeline entry as stored (the fields the projection reads). */
export interface TimelineFact {
  leadId: string;
  entryId: string;
  at: string;
  type: string;
  data?: Record<string, unknown>;
}

export interface TimelineProjection {
  increments: Increment[];
  /** A split arm to remember for the lead (its sends and outcome count for the arm). */
  arm?: SplitArmState;
}

const SEND_COUNTER: Record<string, 'sent' | 'skipped' | 'deferred'> = { email_sent: 'sent', email_skipped: 'skipped', email_deferred: 'deferred' };
const ENGAGEMENT_COUNTER: Record<string, 'opened' | 'clicked'> = { email_opened: 'opened', email_clicked: 'clicked' };

/** The timeline entry types that can count (the stream filter lets only these through). */
export const COUNTED_ENTRY_TYPES = ['email_sent', 'email_skipped', 'email_deferred', 'event', 'split_arm'] as const;

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/**
 * `arms`: the lead's arms so far; `stage`: the lead's stage as last projected (where a new arm was chosen).
 */
export function projectTimelineEntry(entry: TimelineFact, arms: SplitArmState[], stage: Stage | undefined): TimelineProjection {
  const inc = new Increments();
  const day = { kind: 'activity-day' as const, day: dayOf(entry.at) };
  const data = entry.data ?? {};
  const send = SEND_COUNTER[entry.type];
  const template = str(data.template);
  if (send && template) {
    inc.add(day, `tpl:${dimValue(template)}:${send}`);
    const sentIn = str(data.stage);
    if (send === 'sent' && sentIn && (STAGES as readonly string[]).includes(sentIn)) {
      for (const arm of arms) if (arm.stage === sentIn && arm.at <= entry.at && !arm.outcomeAt) inc.add(day, `split:${arm.splitId}:${arm.arm}:sent`);
    }
  }
  if (entry.type === 'event') {
    const counter = ENGAGEMENT_COUNTER[String(data.eventType)];
    const properties = (data.properties ?? {}) as Record<string, unknown>;
    const opened = str(properties.template);
    if (counter && opened) inc.add(day, `tpl:${dimValue(opened)}:${counter}`);
  }
  if (entry.type === 'split_arm') {
    const splitId = str(data.splitId);
    const arm = str(data.arm);
    if (splitId && arm && !arms.some((a) => a.splitId === splitId)) {
      inc.add(day, `split:${splitId}:${arm}:leads`);
      if (stage && stageIndex(stage) >= 0) return { increments: inc.list(), arm: { leadId: entry.leadId, splitId, arm, stage, at: entry.at } };
    }
  }
  return { increments: inc.list() };
}

/** What taking an entry back subtracts: what it added, negated. */
export const negate = (increments: Increment[]): Increment[] =>
  increments.map((i) => ({ at: i.at, counts: Object.fromEntries(Object.entries(i.counts).map(([k, n]) => [k, -n])) }));
