/** `cdk synth` / `cdk deploy` entry (cdk.json). Settings come from context: see infra/config.ts. */
import { buildApp } from './build-app.js';

buildApp().app.synth();
