import { Logger } from '@aws-lambda-powertools/logger';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeEnvelope } from '../../lib/deploy/index.js';
import { ConfigError, EnqueueError, JobClient } from '../../lib/index.js';
import { registry } from '../../lib/jobs/builtin/index.js';
import {
  IdempotencyKeyConflictError,
  type JobRecord,
  JobService,
  type JobStore,
  type KeyReservation,
  type KeyReservationResult,
  type NewJobRecord,
} from '../../lib/ledger/index.js';

const sqsMock = mockClient(SQSClient);
const NOW = new Date('2026-11-23T10:00:00.000Z');
const email = { to: ['ada@example.com'], subject: 'Hi', text: 'Hello' };

/** A JobStore in memory: keys and records in maps, every method a spy. */
function memoryStore() {
  const keys = new Map<string, { jobId: string; requestHash: string; createdAt: string }>();
  const records = new Map<string, NewJobRecord>();
  return {
    keys,
    records,
    createJob: vi.fn(async (job: NewJobRecord) => {
      if (records.has(job.jobId)) return false;
      records.set(job.jobId, job);
      return true;
    }),
    getJob: vi.fn(async (jobId: string): Promise<JobRecord | undefined> => {
      const job = records.get(jobId);
      return job && ({ jobId, name: job.name, status: job.status } as JobRecord);
    }),
    listJobs: vi.fn(async () => ({ jobs: [] })),
    cancelJob: vi.fn(async () => {
      throw new Error('not used');
    }),
    reserveIdempotencyKey: vi.fn(async (r: KeyReservation): Promise<KeyReservationResult> => {
      const held = keys.get(r.key);
      if (held) return { reserved: false, ...held };
      keys.set(r.key, { jobId: r.jobId, requestHash: r.requestHash, createdAt: NOW.toISOString() });
      return { reserved: true };
    }),
    releaseIdempotencyKey: vi.fn(async (key: string, jobId: string) => {
      if (keys.get(key)?.jobId === jobId) keys.delete(key);
    }),
  } satisfies JobStore & Record<string, unknown>;
}

function makeService(store: JobStore, logger = new Logger({ logLevel: 'SILENT' })) {
  let n = 0;
  const client = new JobClient({
    registry,
    queues: { 'email.send': { url: 'https://sqs.local/0/email-send' } },
    sqs: new SQSClient({ region: 'us-east-1' }),
    now: () => NOW,
  });
  return new JobService({ client, store, logger, now: () => NOW, newJobId: () => `job${++n}` });
}

const acceptAll = (input: { Entries: { Id: string }[] }) => ({
  Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: 'x' })),
  Failed: [],
});

const sent = () =>
  sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .map((e) => decodeEnvelope(e.MessageBody ?? ''));

describe('Class: JobService', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).callsFake(acceptAll);
  });
  afterEach(() => {
    sqsMock.reset();
  });

  describe('Method: enqueueEach', () => {
    it('sends one job for entries of one batch that share a key and a body, and refuses another body', async () => {
      // Prepare
      const store = memoryStore();

      // Act
      const results = await makeService(store).enqueueEach([
        { job: 'email.send', payload: email, idempotencyKey: 'k' },
        {
          job: 'email.send',
          payload: { subject: 'Hi', text: 'Hello', to: ['ada@example.com'] },
          idempotencyKey: 'k',
        },
        { job: 'email.send', payload: { ...email, subject: 'Other' }, idempotencyKey: 'k' },
      ]);

      // Assess
      expect(results).toEqual([
        { index: 0, ok: true, jobId: 'job1', status: 'queued', replayed: false },
        { index: 1, ok: true, jobId: 'job1', status: 'queued', replayed: true },
        { index: 2, ok: false, error: new IdempotencyKeyConflictError() },
      ]);
      expect(sent().map((e) => e.jobId)).toEqual(['job1']);
      expect(store.reserveIdempotencyKey).toHaveBeenCalledTimes(1);
    });

    it('reports a ledger outage for the keyed entry alone, and sends the rest', async () => {
      // Prepare
      const store = memoryStore();
      store.reserveIdempotencyKey.mockRejectedValueOnce(new Error('ProvisionedThroughputExceeded'));

      // Act
      const results = await makeService(store).enqueueEach([
        { job: 'email.send', payload: email, idempotencyKey: 'k' },
        { job: 'email.send', payload: email },
      ]);

      // Assess
      expect(results[0]).toEqual({
        index: 0,
        ok: false,
        error: new EnqueueError('The job ledger is unavailable: ProvisionedThroughputExceeded', {
          retryable: true,
        }),
      });
      expect(results[1]).toMatchObject({ index: 1, ok: true, replayed: false });
      expect(sent()).toHaveLength(1);
    });

    it('accepts a job whose record could not be written: the worker creates it on claim', async () => {
      // Prepare
      const store = memoryStore();
      store.createJob.mockRejectedValueOnce(new Error('socket hang up'));

      // Act
      const results = await makeService(store).enqueueEach([{ job: 'email.send', payload: email }]);

      // Assess
      expect(results).toEqual([{ index: 0, ok: true, jobId: 'job1', status: 'queued', replayed: false }]);
      expect(sent()).toHaveLength(1);
    });

    it('frees the key of a job SQS refused, so a retry with the key sends it', async () => {
      // Prepare
      const store = memoryStore();
      sqsMock.on(SendMessageBatchCommand).rejectsOnce(new Error('unavailable')).callsFake(acceptAll);
      const service = makeService(store);

      // Act
      const first = await service.enqueueEach([{ job: 'email.send', payload: email, idempotencyKey: 'k' }]);
      const retry = await service.enqueueEach([{ job: 'email.send', payload: email, idempotencyKey: 'k' }]);

      // Assess
      expect(first[0]).toMatchObject({ ok: false, error: { code: 'ENQUEUE_FAILED' } });
      expect(retry[0]).toMatchObject({ ok: true, jobId: 'job2', replayed: false });
      expect(store.records.has('job1')).toBe(false);
    });

    it('never reserves a key for an invalid request', async () => {
      const store = memoryStore();
      const results = await makeService(store).enqueueEach([
        { job: 'email.send', payload: { to: [] }, idempotencyKey: 'k' },
      ]);
      expect(results[0]).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      expect(store.reserveIdempotencyKey).not.toHaveBeenCalled();
    });
  });

  describe('Constructor', () => {
    it('rejects unknown options', () => {
      expect(
        () => new JobService({ store: memoryStore(), client: {} as JobClient, ledger: 1 } as never),
      ).toThrow(
        new ConfigError('Invalid JobService options: ledger: is not a known key; did you mean "logger"?'),
      );
    });
  });
});
