/**
 * Versioned programmes, numbered per workflow (1, 2, … for each). Every published version's send steps (step id → template, category and a
 * content hash of the template) are kept in workflows/programmes.lock.json, committed. Synth checks
 * the programmes against it, naming the step, so a change can neither
 * - reuse a step id for different content (the exactly-once ledger would take the new email for the
 *   old one, already sent, and skip it), nor
 * - drop a template that a version still in flight sends (its runs would fail at that step).
 * A run records the version it started on: the starter adds it to the execution input (and the
 * `workflow_started` entry records it), the definition carries it (every send's payload, the state
 * machine's comment), and Step Functions runs an execution to its end on the definition it started with.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { leadTemplates } from './templates/index.js';
import { sendSteps, type Step } from './engine/steps.js';

export const LOCK_PATH = fileURLToPath(new URL('./programmes.lock.json', import.meta.url));

export interface LockedStep {
  template: string;
  category: string;
  /** Content hash of the template when the version was published. */
  hash: string;
}
export interface LockedVersion {
  version: number;
  publishedAt: string;
  /** True until every run started on this version has ended (`npm run programmes:publish -- --retire <n>`). */
  inFlight: boolean;
  /** Workflow → `<list>/<step id>` → what the step sends: the workflows published at this number. */
  workflows: Record<string, Record<string, LockedStep>>;
}
export interface ProgrammeLock {
  versions: LockedVersion[];
}

export const readLock = (path = LOCK_PATH): ProgrammeLock =>
  existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ProgrammeLock) : { versions: [] };

export const templateHash = (template: unknown) => createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 16);

/** Every list of steps in a programme, by its path (`stages.awareness`, `recycle`). */
function stepLists(programme: unknown, path = ''): Array<[string, Step[]]> {
  if (Array.isArray(programme)) return programme.every((s) => typeof s === 'object' && s && 'kind' in s) ? [[path, programme as Step[]]] : [];
  if (typeof programme !== 'object' || programme === null) return [];
  return Object.entries(programme).flatMap(([k, v]) => stepLists(v, path ? `${path}.${k}` : k));
}

/** A programme's send steps as the lock records them. */
export function lockedSteps(programme: unknown, templates: Readonly<Record<string, unknown>> = leadTemplates): Record<string, LockedStep> {
  const steps: Record<string, LockedStep> = {};
  for (const [list, listSteps] of stepLists(programme)) {
    for (const { step } of sendSteps(listSteps, list)) {
      steps[`${list}/${step.id}`] = { template: step.template, category: step.category, hash: templateHash(templates[step.template] ?? null) };
    }
  }
  return steps;
}

/** What stops a programme change, one line per step; empty when it is safe. */
export function lockProblems(lock: ProgrammeLock, workflow: string, programme: unknown, templates: Readonly<Record<string, unknown>> = leadTemplates): string[] {
  const current = lockedSteps(programme, templates);
  const problems: string[] = [];
  for (const published of lock.versions) {
    for (const [key, was] of Object.entries(published.workflows[workflow] ?? {})) {
      const now = current[key];
      if (now && (now.template !== was.template || now.category !== was.category)) {
        problems.push(`${workflow} ${key}: step id reused for different content (version ${published.version} sends ${was.category} "${was.template}", now ${now.category} "${now.template}"); give the new content a new step id`);
      }
      if (published.inFlight && !(was.template in templates)) {
        problems.push(`${workflow} ${key}: template "${was.template}" is dropped, but version ${published.version}, still in flight, sends it; keep the template until that version is retired`);
      }
    }
  }
  return [...new Set(problems)];
}

const same = (a: Record<string, LockedStep>, b: Record<string, LockedStep>) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
const sortKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));

/** The published versions of one workflow, oldest first. */
export const versionsOf = (lock: ProgrammeLock, workflow: string) => lock.versions.filter((v) => v.workflows[workflow]);

/** The number a workflow's next published version takes. */
export const nextVersion = (lock: ProgrammeLock, workflow: string) => Math.max(0, ...versionsOf(lock, workflow).map((v) => v.version)) + 1;

/** The workflow's published version matching the programme, or its next number when it has unpublished changes. */
export function versionOf(lock: ProgrammeLock, workflow: string, programme: unknown, templates: Readonly<Record<string, unknown>> = leadTemplates): { version: number; published: boolean } {
  const current = lockedSteps(programme, templates);
  const match = [...versionsOf(lock, workflow)].reverse().find((v) => same(v.workflows[workflow]!, current));
  if (match) return { version: match.version, published: true };
  return { version: nextVersion(lock, workflow), published: false };
}

/** At synth: fails naming the step when the change is unsafe; otherwise the version runs record. */
export function programmeVersion(workflow: string, programme: unknown, lock: ProgrammeLock = readLock()): number {
  const problems = lockProblems(lock, workflow, programme);
  if (problems.length) throw new Error(`programme change refused by workflows/programmes.lock.json — ${problems.join('; ')}`);
  return versionOf(lock, workflow, programme).version;
}
