/**
 * Records the current programmes as a new published version in workflows/programmes.lock.json.
 *   npm run programmes:publish                 # publish (refuses an unsafe change, naming the step)
 *   npm run programmes:publish -- --check      # exit 1 when the programmes have unpublished changes
 *   npm run programmes:publish -- --retire 3   # version 3 has no run in flight any more
 * Commit the lock file with the programme change.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { WORKFLOW_PROGRAMMES } from '../workflows/registry.js';
import { leadTemplates } from '../workflows/templates/index.js';
import { LOCK_PATH, lockedSteps, lockProblems, readLock, versionOf, type ProgrammeLock } from '../workflows/versions.js';

/** The lock with the current programmes published, or unchanged when nothing changed. */
export function publish(
  lock: ProgrammeLock,
  programmes: Record<string, unknown>,
  today: string,
  templates: Readonly<Record<string, unknown>> = leadTemplates,
): { lock: ProgrammeLock; published?: number } {
  const problems = Object.entries(programmes).flatMap(([wf, p]) => lockProblems(lock, wf, p, templates));
  if (problems.length) throw new Error(`cannot publish — ${problems.join('; ')}`);
  const unpublished = Object.entries(programmes).some(([wf, p]) => !versionOf(lock, wf, p, templates).published);
  if (!unpublished) return { lock };
  const version = Math.max(0, ...lock.versions.map((v) => v.version)) + 1;
  const workflows = Object.fromEntries(Object.entries(programmes).map(([wf, p]) => [wf, lockedSteps(p, templates)]));
  return { lock: { versions: [...lock.versions, { version, publishedAt: today, inFlight: true, workflows }] }, published: version };
}

export const unpublishedWorkflows = (lock: ProgrammeLock, programmes: Record<string, unknown>) =>
  Object.entries(programmes).filter(([wf, p]) => !versionOf(lock, wf, p).published).map(([wf]) => wf);

function main() {
  const lock = readLock();
  const write = (next: ProgrammeLock) => writeFileSync(LOCK_PATH, `${JSON.stringify(next, null, 2)}\n`);
  const retire = process.argv.indexOf('--retire');
  if (retire > 0) {
    const n = Number(process.argv[retire + 1]);
    const found = lock.versions.find((v) => v.version === n);
    if (!found) throw new Error(`no published version ${process.argv[retire + 1]}`);
    found.inFlight = false;
    write(lock);
    console.log(`version ${n} retired: its templates may now be dropped`);
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
  const { lock: next, published } = publish(lock, WORKFLOW_PROGRAMMES, new Date().toISOString().slice(0, 10));
  if (published === undefined) return console.log('nothing to publish: the programmes match the latest published version');
  write(next);
  console.log(`published version ${published}; commit workflows/programmes.lock.json`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
