/**
 * Records the current programmes as a new published version in workflows/programmes.lock.json.
 *   npm run programmes:publish                 # publish (refuses an unsafe change, naming the step)
 *   npm run programmes:publish -- --check      # exit 1 when the programmes have unpublished changes
 *   npm run programmes:publish -- --retire 3   # version 3 (of every workflow) has no run in flight any more
 *   npm run programmes:publish -- --retire 3 LeadFunnel   # version 3 of the LeadFunnel only
 * Versions are numbered per workflow; every workflow of workflows/registry.ts is published.
 * Commit the lock file with the programme change.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { WORKFLOW_PROGRAMMES } from '../workflows/registry.js';
import { leadTemplates } from '../workflows/templates/index.js';
import { LOCK_PATH, lockedSteps, lockProblems, nextVersion, readLock, versionOf, type LockedVersion, type ProgrammeLock } from '../workflows/versions.js';

/**
 * The lock with each changed programme published as that workflow's next version (an entry per
 * workflow), or unchanged when nothing changed. `published` is the highest number given;
 * `versions` says which workflow got which.
 */
export function publish(
  lock: ProgrammeLock,
  programmes: Record<string, unknown>,
  today: string,
  templates: Readonly<Record<string, unknown>> = leadTemplates,
): { lock: ProgrammeLock; published?: number; versions?: Record<string, number> } {
  const problems = Object.entries(programmes).flatMap(([wf, p]) => lockProblems(lock, wf, p, templates));
  if (problems.length) throw new Error(`cannot publish — ${problems.join('; ')}`);
  const changed = Object.entries(programmes).filter(([wf, p]) => !versionOf(lock, wf, p, templates).published);
  if (!changed.length) return { lock };
  const added: LockedVersion[] = changed.map(([wf, p]) => ({ version: nextVersion(lock, wf), publishedAt: today, inFlight: true, workflows: { [wf]: lockedSteps(p, templates) } }));
  const versions = Object.fromEntries(added.map((v) => [Object.keys(v.workflows)[0]!, v.version]));
  return { lock: { versions: [...lock.versions, ...added] }, published: Math.max(...added.map((v) => v.version)), versions };
}

export const unpublishedWorkflows = (lock: ProgrammeLock, programmes: Record<string, unknown>) =>
  Object.entries(programmes).filter(([wf, p]) => !versionOf(lock, wf, p).published).map(([wf]) => wf);

function main() {
  const lock = readLock();
  const write = (next: ProgrammeLock) => writeFileSync(LOCK_PATH, `${JSON.stringify(next, null, 2)}\n`);
  const retire = process.argv.indexOf('--retire');
  if (retire > 0) {
    const n = Number(process.argv[retire + 1]);
    const only = process.argv[retire + 2];
    const found = lock.versions.filter((v) => v.version === n && (!only || only in v.workflows));
    if (!found.length) throw new Error(`no published version ${process.argv[retire + 1]}${only ? ` of ${only}` : ''}`);
    for (const v of found) v.inFlight = false;
    write(lock);
    console.log(`version ${n} of ${found.flatMap((v) => Object.keys(v.workflows)).join(', ')} retired: its templates may now be dropped`);
    return;
  }
  if (process.argv.includes('--check')) {
    const stale = unpublishedWorkflows(lock, WORKFLOW_PROGRAMMES);
    if (stale.length) {
      console.error(`unpublished programme changes in ${stale.join(', ')}: run \`npm run programmes:publish\``);
      process.exit(1);
    }
    console.log('programmes.lock.json is current');
    return;
  }
  const { lock: next, versions } = publish(lock, WORKFLOW_PROGRAMMES, new Date().toISOString().slice(0, 10));
  if (!versions) return console.log('nothing to publish: the programmes match their latest published versions');
  write(next);
  const list = Object.entries(versions).map(([wf, v]) => `${wf} version ${v}`).join(', ');
  console.log(`published ${list}; commit workflows/programmes.lock.json`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
