/**
 * The application's jobs: the one place a job is registered. The stack (`infra/`), the local
 * runtime (`npm run dev`), the HTTP API (`functions/api/`), the CLI (`npx hangar`) and the typed
 * client read this registry and nothing else. `npx hangar new job <name>` adds a job's line here.
 *
 * The built-in jobs are registered the same way as a team's own: leave out the ones this
 * application does not use (without `email.send`, the stack needs no sender address).
 */
import { createRegistry } from '../lib/index.js';
import { cleanupRun, emailSend, syncRun } from '../lib/jobs/builtin/index.js';

export const registry = createRegistry([emailSend, syncRun, cleanupRun]);
