/**
 * Workflow task of an A/B split step: picks the arm for a subject, deterministically from the subject
 * id and the split id (the same lead always lands in the same arm, across runs and retries), and
 * records the arm on the subject's timeline so reports can compare the arms.
 * Event = `{leadId, run, workflow, splitId, version, arms: [{name, percent}]}` → `{arm}`.
 * No schema library: the payload is written by the engine, and four checks keep the bundle small.
 */
import { createHash } from 'node:crypto';
import { SupersededError } from '../core/errors.js';
import { randomIds } from '../core/ids.js';
import { timelineEntry } from '../core/timeline.js';
import { loadConfig } from '../shared/config.js';
import { leadStore } from '../shared/lead-store.js';
import { logger, taskHandler } from '../shared/logger.js';

const config = loadConfig('table');
const leads = leadStore(config);

export interface Arm {
  name: string;
  percent: number;
}

/** A bucket 0–99 from the subject and split: uniform, stable, and independent between splits. */
export function bucketOf(subjectId: string, splitId: string): number {
  return createHash('sha256').update(`${splitId}\u0000${subjectId}`).digest().readUInt32BE(0) % 100;
}

/** The arm whose cumulative percentage range holds the subject's bucket. */
export function chooseArm(subjectId: string, splitId: string, arms: readonly Arm[]): string {
  const bucket = bucketOf(subjectId, splitId);
  let upTo = 0;
  for (const arm of arms) {
    upTo += arm.percent;
    if (bucket < upTo) return arm.name;
  }
  return arms.at(-1)!.name;
}

function parse(event: unknown) {
  const e = (event ?? {}) as Record<string, unknown>;
  const arms = e.arms as Arm[] | undefined;
  const ok =
    typeof e.leadId === 'string' && e.leadId.length > 0 &&
    Number.isInteger(e.run) && typeof e.splitId === 'string' &&
    Array.isArray(arms) && arms.length > 0 && arms.every((a) => typeof a?.name === 'string' && typeof a?.percent === 'number');
  if (!ok) throw new TypeError('ChooseArm needs {leadId, run, splitId, arms: [{name, percent}]}');
  return { leadId: e.leadId as string, run: e.run as number, splitId: e.splitId as string, arms: arms!, workflow: String(e.workflow ?? ''), version: e.version };
}

export const handler = taskHandler(async (event) => {
  const req = parse(event);
  const lead = await leads.get(req.leadId);
  if (lead && lead.run !== req.run) throw new SupersededError(`lead ${req.leadId} is on run ${lead.run}, not ${req.run}`);
  const arm = chooseArm(req.leadId, req.splitId, req.arms);
  await leads.appendTimeline([
    timelineEntry(randomIds, req.leadId, config.clock.now(), 'split_arm', `Split ${req.splitId}: arm ${arm}`, {
      workflow: req.workflow, splitId: req.splitId, arm, run: req.run, version: req.version,
    }),
  ]);
  logger.info('split arm chosen', { ...req, arm });
  return { arm };
});
