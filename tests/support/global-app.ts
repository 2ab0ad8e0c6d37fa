/**
 * Vitest globalSetup for the projects that boot the whole local system: the real app is synthesized
 * ONCE per run (not once per test file) and its template handed to the workers as a file path.
 * Tests that check the synth path itself (local-real-app) still synthesize on their own.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT } from '../../local/stack.js';
import { synthesizeTemplate, type SynthesizedApp } from '../../local/synth.js';

declare module 'vitest' {
  export interface ProvidedContext {
    appTemplatePath: string;
  }
}

const slot = globalThis as unknown as { __salesFlowApp?: Promise<string> };

async function synthesizeOnce(): Promise<string> {
  const synthesized: SynthesizedApp = await synthesizeTemplate(REPO_ROOT);
  const dir = path.join(REPO_ROOT, '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `test-app-template-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(synthesized));
  return file;
}

export default async function setup(project: TestProject) {
  slot.__salesFlowApp ??= synthesizeOnce();
  project.provide('appTemplatePath', await slot.__salesFlowApp);
}
