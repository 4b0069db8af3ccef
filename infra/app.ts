/**
 * `cdk synth` / `cdk deploy` entry (cdk.json: `npx tsx infra/app.ts`). Configuration problems
 * end the process with their message alone: a stack trace would bury the key to fix.
 */
import { ConfigError } from '../lib/index.js';
import { createApp } from './create-app.js';

try {
  createApp().app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
