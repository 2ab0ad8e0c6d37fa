import { describe, expect, it } from 'vitest';
import { publish } from '../../scripts/publish-programmes.js';
import { funnelProgramme } from '../../workflows/programmes/funnel.js';
import { WORKFLOW_PROGRAMMES } from '../../workflows/registry.js';
import { lockProblems, programmeVersion, readLock, versionOf, type ProgrammeLock } from '../../workflows/versions.js';

const templates = { 'hello-v1': { subject: 'Hello' }, 'hello-v2': { subject: 'Hello again' }, 'tips': { subject: 'Tips' } };
const programme = (steps: unknown[]) => ({ stages: { awareness: steps } });
const send = (id: string, template: string) => ({ kind: 'send', id, template, category: 'marketing' });
const v1 = programme([send('hello', 'hello-v1'), { kind: 'wait', days: 2 }, send('tips', 'tips')]);
/** Version 1 published from v1; `inFlight: false` once its runs have all ended. */
const locked = (inFlight = true): ProgrammeLock => {
  const { lock } = publish({ versions: [] }, { Demo: v1 }, '2026-01-01', templates);
  return { versions: lock.versions.map((v) => ({ ...v, inFlight })) };
};
const problems = (lock: ProgrammeLock, p: unknown, t: Record<string, unknown> = templates) => lockProblems(lock, 'Demo', p, t);

describe('versioned programmes', () => {
  it('records a version with each send step’s template, category and a content hash of the template', () => {
    const { lock, published } = publish({ versions: [] }, { Demo: v1 }, '2026-01-01', templates);
    expect(published).toBe(1);
    expect(lock.versions[0]).toMatchObject({ version: 1, publishedAt: '2026-01-01', inFlight: true });
    expect(lock.versions[0]!.workflows.Demo!['stages.awareness/hello']).toMatchObject({ template: 'hello-v1', category: 'marketing', hash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(publish(lock, { Demo: v1 }, '2026-02-01', templates)).toEqual({ lock });
  });

  it('refuses a step id reused for different content, naming the step', () => {
    const reused = programme([send('hello', 'hello-v2'), send('tips', 'tips')]);
    expect(problems(locked(), reused)).toEqual([expect.stringMatching(/^Demo stages\.awareness\/hello: step id reused for different content \(version 1 sends marketing "hello-v1", now marketing "hello-v2"\)/)]);
    // The same change under a new step id is fine: nobody has had "hello-2" yet.
    expect(problems(locked(), programme([send('hello-2', 'hello-v2'), send('tips', 'tips')]))).toEqual([]);
  });

  it('refuses to drop a template a version in flight still sends, and allows it once that version is retired', () => {
    const { 'hello-v1': _, ...without } = templates;
    const next = programme([send('hello-2', 'hello-v2'), send('tips', 'tips')]);
    expect(problems(locked(), next, without)).toEqual([expect.stringMatching(/^Demo stages\.awareness\/hello: template "hello-v1" is dropped, but version 1, still in flight, sends it/)]);
    expect(problems(locked(false), next, without)).toEqual([]);
  });

  it('numbers a changed programme as the next version until it is published', () => {
    const next = programme([send('hello', 'hello-v1'), send('tips', 'tips'), send('more', 'hello-v2')]);
    expect(versionOf(locked(), 'Demo', v1, templates)).toEqual({ version: 1, published: true });
    expect(versionOf(locked(), 'Demo', next, templates)).toEqual({ version: 2, published: false });
    const { lock, published } = publish(locked(), { Demo: next }, '2026-03-01', templates);
    expect(published).toBe(2);
    expect(versionOf(lock, 'Demo', next, templates)).toEqual({ version: 2, published: true });
  });

  it('fails synth naming the step when a change is unsafe', () => {
    const lock = readLock();
    const reused = { ...funnelProgramme, stages: { ...funnelProgramme.stages, purchase: [{ kind: 'send', id: 'thank-you', template: 'awareness-welcome', category: 'transactional' }] } };
    expect(() => programmeVersion('LeadFunnel', reused, lock)).toThrow(/LeadFunnel stages\.purchase\/thank-you: step id reused for different content/);
  });

  it('holds every published version of the shipped programmes, each safe against the lock', () => {
    const lock = readLock();
    expect(lock.versions.length).toBeGreaterThan(0);
    for (const [workflow, p] of Object.entries(WORKFLOW_PROGRAMMES)) expect(lockProblems(lock, workflow, p), workflow).toEqual([]);
  });
});
