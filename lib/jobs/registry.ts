import { JobDefinitionError, UnknownJobError } from '../errors.js';
import type { JobDefinition } from './define-job.js';
import { pascalName, resourceStem } from './names.js';

/** The set of jobs one deployment runs: the stack, the API, the client and the local runtime read it. */
export interface JobRegistry {
  readonly jobs: readonly JobDefinition[];
  /** @throws {UnknownJobError} when no job has that name. */
  get(name: string): JobDefinition;
  find(name: string): JobDefinition | undefined;
  readonly names: readonly string[];
}

/**
 * Builds a registry, rejecting two jobs whose names would map to the same queue or logical id
 * (`a.b` and `a-b` both become queue `a-b`).
 *
 * @example
 * export const registry = createRegistry([emailSend, syncRun, cleanupRun, resizeImage]);
 */
export function createRegistry(jobs: readonly JobDefinition[]): JobRegistry {
  const byName = new Map<string, JobDefinition>();
  const stems = new Map<string, string>();
  for (const job of jobs) {
    for (const key of [resourceStem(job.name), pascalName(job.name)]) {
      const other = stems.get(key);
      if (other !== undefined) {
        throw new JobDefinitionError(
          other === job.name
            ? `Job "${job.name}" is registered twice`
            : `Jobs "${other}" and "${job.name}" would share the resource name "${key}"; rename one`,
        );
      }
      stems.set(key, job.name);
    }
    byName.set(job.name, job);
  }
  const names = Object.freeze([...byName.keys()]);
  return Object.freeze({
    jobs: Object.freeze([...jobs]),
    names,
    find: (name: string) => byName.get(name),
    get(name: string) {
      const job = byName.get(name);
      if (!job) throw new UnknownJobError(name, names);
      return job;
    },
  });
}
