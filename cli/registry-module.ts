/**
 * Which registry the `hangar` binary reads: the application's (`jobs/index.ts`) unless
 * `HANGAR_JOBS` names another module exporting `registry` — a project whose registration point
 * lives elsewhere, or a test that brings a fixture registry of its own.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobRegistry } from '../lib/index.js';
import { UsageError } from './errors.js';

/** The variable naming the module whose `registry` export the CLI reads. */
export const REGISTRY_MODULE_VARIABLE = 'HANGAR_JOBS';

/**
 * @returns the `registry` of the module `HANGAR_JOBS` names (relative to `cwd`), or undefined when it is unset.
 * @throws {UsageError} when that module cannot be loaded or exports no registry.
 */
export async function loadRegistryModule(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<JobRegistry | undefined> {
  const path = env[REGISTRY_MODULE_VARIABLE];
  if (path === undefined || path === '') return undefined;
  let module: { readonly registry?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(cwd, path)).href)) as { readonly registry?: unknown };
  } catch (cause) {
    throw new UsageError(`${REGISTRY_MODULE_VARIABLE}=${path} cannot be loaded: ${String(cause)}`, { cause });
  }
  if (!isRegistry(module.registry)) {
    throw new UsageError(
      `${REGISTRY_MODULE_VARIABLE}=${path} exports no "registry" (export const registry = createRegistry([...]))`,
    );
  }
  return module.registry;
}

function isRegistry(value: unknown): value is JobRegistry {
  return (
    typeof value === 'object' &&
    value !== null &&
    'jobs' in value &&
    Array.isArray(value.jobs) &&
    'get' in value &&
    typeof value.get === 'function'
  );
}
