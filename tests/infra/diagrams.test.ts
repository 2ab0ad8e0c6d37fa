/**
 * README.md has a diagram for every state machine of the app, drawn from the synthesized definition
 * and kept current (`npm run diagram`); a workflow added to the app fails here until it has its block.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { REPO_ROOT } from '../../infra/constructs/sales-function.js';
import { markersOf, stateMachineIds, templateDiagrams, withDiagrams } from '../../scripts/funnel-diagram.js';
import { assemblyDir } from './support.js';

const { app, stack } = buildApp({ bundling: false, nag: false, outdir: assemblyDir('diagrams') });
const template = app.synth().getStackByName(stack.stackName).template;
const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

describe('the state machine diagrams in README.md', () => {
  it('has a block for every state machine of the app', () => {
    const ids = stateMachineIds(template);
    expect(ids).toContain('LeadFunnel');
    for (const id of ids) expect(readme, id).toContain(markersOf(id).start);
  });

  it('are the ones the synthesized definitions draw (run `npm run diagram` when this fails)', () => {
    expect(withDiagrams(readme, templateDiagrams(template))).toBe(readme);
  });

  it('adds a block for a new state machine after the one before it, leaving the rest alone', () => {
    const text = `intro\n${markersOf('LeadFunnel').start}\nold\n${markersOf('LeadFunnel').end}\n\nrest\n`;
    const updated = withDiagrams(text, { LeadFunnel: 'flowchart TD\n  a --> b', RepOnboarding: 'flowchart TD\n  c --> d' });
    expect(updated.indexOf('a --> b')).toBeLessThan(updated.indexOf('#### RepOnboarding'));
    expect(updated.indexOf(markersOf('RepOnboarding').end)).toBeLessThan(updated.indexOf('rest'));
    expect(updated).toContain('c --> d');
    expect(withDiagrams(updated, { LeadFunnel: 'flowchart TD\n  a --> b', RepOnboarding: 'flowchart TD\n  c --> d' })).toBe(updated);
  });

  it('draws a send’s cap wait from the send itself, and the shared failure path once from any task', () => {
    const diagram = templateDiagrams(template).LeadFunnel!;
    expect(diagram).toMatch(/s(\d+)\["Awareness: send 1 \(welcome\)"\][\s\S]*s\1 -\.->\|SendDeferred\| s\d+/);
    expect(diagram.match(/anyTask -\.->/g)).toHaveLength(2);
  });
});
