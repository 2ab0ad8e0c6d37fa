/**
 * The dependency direction, checked on the source: the domain core imports nothing outside itself,
 * workflow data (programmes, templates, scoring) imports only core types, and the layers form no
 * cycle. Imports are read as text (static `import … from` / `export … from` and dynamic `import()`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return files(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Each import of a file: a repo-relative path for relative imports, else the package name. */
function importsOf(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const out: { target: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    const typeOnly = /^\s*(?:import|export)\s+type\s/.test(m[0].trimStart());
    const target = spec.startsWith('.') ? path.normalize(path.join(path.dirname(file), spec)).replace(/\.js$/, '.ts') : spec;
    out.push({ target, typeOnly });
  }
  return out;
}

/** The layer a repository file belongs to. */
function layer(file: string): string {
  if (file.startsWith('functions/core/')) return 'core';
  if (file.startsWith('functions/adapters/')) return 'adapters';
  if (file.startsWith('functions/table/')) return 'table';
  // A leaf every layer may log through; it imports nothing of ours.
  if (file === 'functions/shared/logger.ts') return 'logging';
  if (file.startsWith('functions/shared/')) return 'shared';
  if (file.startsWith('functions/http/') || file.startsWith('functions/tasks/')) return 'handlers';
  // Programme data, templates and scoring: what the Lambdas import, in the core's vocabulary.
  if ((/^workflows\/(programmes|templates)\//.test(file) && !/schema/.test(file)) || file === 'workflows/scoring.ts') return 'workflow-data';
  // The state machines, the engine that builds them, and the schemas checked at synth.
  if (file.startsWith('workflows/')) return 'workflows';
  return file.split('/')[0]!;
}

const SOURCE = [...files('functions'), ...files('workflows'), ...files('infra'), ...files('local')];

describe('the dependency direction', () => {
  it('keeps the core free of everything outside it but Node built-ins', () => {
    const offending = files('functions/core').flatMap((file) =>
      importsOf(file)
        .filter(({ target }) => !target.startsWith('functions/core/') && !target.startsWith('node:'))
        .map(({ target }) => `${file} → ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('lets workflow data (programmes, templates, scoring) import only core types and each other', () => {
    const data = SOURCE.filter((f) => layer(f) === 'workflow-data');
    expect(data.length).toBeGreaterThan(3);
    const offending = data.flatMap((file) =>
      importsOf(file)
        .filter(({ target, typeOnly }) => {
          if (layer(target) === 'workflow-data') return false;
          return !(target.startsWith('functions/core/') && typeOnly);
        })
        .map(({ target }) => `${file} → ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('has no import cycle between layers', () => {
    const edges = new Map<string, Set<string>>();
    for (const file of SOURCE) {
      for (const { target } of importsOf(file)) {
        if (!/^(functions|workflows|infra|local)\//.test(target)) continue;
        const [from, to] = [layer(file), layer(target)];
        if (from !== to) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
      }
    }
    const cycles: string[] = [];
    const visit = (node: string, trail: string[]) => {
      if (trail.includes(node)) return void cycles.push([...trail.slice(trail.indexOf(node)), node].join(' → '));
      for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
    };
    for (const node of edges.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });
});
