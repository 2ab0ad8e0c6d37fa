/**
 * The shape of nurture programmes. The data lives beside this file (funnel.ts) and is validated
 * with zod when the app synthesizes; the LeadFunnel state machine is generated from it.
 */
import type { Stage } from '../../functions/core/model.js';

export type SendCategory = 'marketing' | 'transactional' | 'recycle';

export type ProgrammeStep =
  /** Send a template. `id` is unique within its stage (the exactly-once ledger key uses it). */
  | { kind: 'send'; id: string; template: string; category: SendCategory }
  | { kind: 'wait'; days?: number; hours?: number };

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
  /** How long a send deferred by the frequency cap waits before it is tried again. */
  capRetryHours: number;
}
