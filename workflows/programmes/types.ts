/**
 * The shape of nurture programmes. The data lives beside this file (funnel.ts) as plain data; it is
 * validated once, at synth, by funnel-schema.ts, and the LeadFunnel is generated from it by the engine.
 */
import type { Stage } from '../../functions/core/model.js';

import type { SendCategory } from '../../functions/core/templates.js';
import type { Step } from '../../functions/core/programme.js';

export type { SendCategory };

/** Any engine step: a stage may send, wait, wait until, wait for an event, branch, split or call a task. */
export type ProgrammeStep = Step;

export interface FunnelProgramme {
  /** Steps per stage, run in order from entering the stage. */
  stages: Record<Stage, ProgrammeStep[]>;
  /** Slow long-term nurture after a stage's programme runs out; then the lead closes as dormant. */
  recycle: ProgrammeStep[];
  handoff: {
    /** Time a rep has to log `rep_contacted` before the lead is reassigned. */
    slaHours: number;
    /** How often a lead waiting in the unassigned queue retries assignment. */
    queueRetryHours: number;
    /** Misses after which the manager notification is an escalation. */
    escalateAfterMisses: number;
  };
}
