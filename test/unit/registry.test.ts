import { describe, expect, it } from 'vitest';
import { createRegistry, JobDefinitionError, UnknownJobError } from '../../lib/index.js';
import { builtinJobs, registry } from '../../lib/jobs/builtin/index.js';
import { noteJob } from '../helpers/jobs.js';

describe('Function: createRegistry', () => {
  it('lists the built-in jobs in order', () => {
    expect(registry.names).toEqual(['email.send', 'sync.run', 'cleanup.run']);
    expect(registry.jobs).toEqual(builtinJobs);
  });

  it('finds a job by name, and names the known jobs when it cannot', () => {
    expect(registry.get('email.send').name).toBe('email.send');
    expect(registry.find('nope')).toBeUndefined();
    expect(() => registry.get('emial.send')).toThrow(
      new UnknownJobError('emial.send', ['email.send', 'sync.run', 'cleanup.run']),
    );
    expect(() => registry.get('emial.send')).toThrow(
      'Unknown job "emial.send"; registered jobs: email.send, sync.run, cleanup.run',
    );
  });

  it('rejects a job registered twice', () => {
    expect(() => createRegistry([noteJob(), noteJob()])).toThrow(
      new JobDefinitionError('Job "test.note" is registered twice'),
    );
  });

  it('rejects two names that map to the same queue', () => {
    expect(() => createRegistry([noteJob(), noteJob({ name: 'test-note' })])).toThrow(
      new JobDefinitionError(
        'Jobs "test.note" and "test-note" would share the resource name "test-note"; rename one',
      ),
    );
  });
});
