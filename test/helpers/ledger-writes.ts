/**
 * Records the items the ledger really writes — each write's item before and after it, read back
 * from dynalite — and prices them with `writeUnits` (dynalite does not account index writes).
 * The integration test pins the figures; the bench's `cost` section reports them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { EnqueueRequest, JobSender } from '../../lib/jobs/enqueue.js';
import { DynamoJobLedger, JobService } from '../../lib/ledger/index.js';
import { LEDGER_TABLE } from '../../lib/ledger/table.js';
import { type Item, itemSize, type WriteUnits, writeUnits } from '../../lib/ledger/write-units.js';
import type { AttemptRef } from '../../lib/worker/index.js';
import { createLedgerTable, dynamoClient } from './dynamodb.js';

/** One write the ledger sent: which transition, the item around it, and what it cost. */
export interface RecordedWrite {
  readonly transition: string;
  readonly operation: string;
  readonly succeeded: boolean;
  readonly before?: Item;
  readonly after?: Item;
  /** Bytes of the item after the write (before it, for a delete). */
  readonly itemBytes: number;
  readonly units: WriteUnits;
}

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/**
 * Adds a middleware to `client` that reads each written item before and after the write through
 * `reader` (consistent reads, one write at a time) and labels it with the current transition.
 */
class WriteRecorder {
  readonly writes: RecordedWrite[] = [];
  transition = '';

  constructor(client: DynamoDBClient, reader: DynamoDBDocumentClient, tableName: string) {
    const read = async (Key: Record<string, unknown>) =>
      (await reader.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName);
        if (!WRITES.has(operation)) return next(args);
        // The request as sent (marshalled): the table's keys are strings (`{ S: … }`).
        type Marshalled = Record<string, { readonly S?: string } | undefined>;
        const input = args.input as { readonly Key?: Marshalled; readonly Item?: Marshalled };
        const marshalled = input.Key ?? input.Item ?? {};
        const key = Object.fromEntries(
          [LEDGER_TABLE.partitionKey.name, LEDGER_TABLE.sortKey.name].map((name) => [
            name,
            marshalled[name]?.S,
          ]),
        );
        const before = await read(key);
        let succeeded = true;
        try {
          return await next(args);
        } catch (error) {
          succeeded = false;
          throw error;
        } finally {
          const after = await read(key);
          const itemBytes = itemSize(after ?? before ?? {});
          this.writes.push({
            transition: this.transition,
            operation,
            succeeded,
            ...(before ? { before } : {}),
            ...(after ? { after } : {}),
            itemBytes,
            // A failed condition still costs the table its item's units, and no index anything.
            units: succeeded
              ? writeUnits(LEDGER_TABLE, before, after)
              : writeUnits(LEDGER_TABLE, before, before),
          });
        }
      },
      { step: 'build', name: 'recordLedgerWrites' },
    );
  }
}

/** A producer that accepts every job (the path through SQS is not what is priced here). */
const acceptingSender: JobSender = {
  validate: () => undefined,
  enqueueEach: async (requests: readonly EnqueueRequest[]) =>
    requests.map((request, index) => ({ index, ok: true, jobId: request.jobId ?? '', status: 'queued' })),
  cancel: async () => false,
};

/** The ledger's writes of one job, by transition, and their sum. */
export interface JobPath {
  readonly writes: readonly RecordedWrite[];
  readonly writeUnits: number;
  /** The largest item any of its writes left. */
  readonly maxItemBytes: number;
}

export interface LedgerWriteRecording {
  /** A generic job (no result) sent straight to SQS: claim creates its record, succeed ends it. */
  readonly direct: JobPath;
  /** The same job through the API (`JobService`): the record is created as `queued` first. */
  readonly api: JobPath;
  /** …with an idempotency key: its record is one more write. */
  readonly apiWithKey: JobPath;
  /** Every other transition, once each, in the order a job can take them. */
  readonly transitions: readonly RecordedWrite[];
}

const JOB = 'generic.run';

/**
 * Runs each path on a fresh ledger table of `endpoint` (dynalite) and records every write. The
 * clock is driven one second on before every write, so a write that refreshes a time (the expiry
 * above all) changes it and pays for it.
 */
export async function recordLedgerWrites(endpoint: string): Promise<LedgerWriteRecording> {
  const client = dynamoClient(endpoint);
  const reader = DynamoDBDocumentClient.from(dynamoClient(endpoint));
  const table = await createLedgerTable(client);
  const recorder = new WriteRecorder(client, reader, table.tableName);
  let now = new Date('2026-11-29T10:00:00.000Z');
  let ids = 0;
  const newId = () => `01KCOST${String(++ids).padStart(19, '0')}`;
  const ledger = new DynamoJobLedger({ tableName: table.tableName, client, now: () => now });
  const service = new JobService({ client: acceptingSender, store: ledger, now: () => now, newJobId: newId });
  const ref = (jobId: string, overrides: Partial<AttemptRef> = {}): AttemptRef => ({
    jobId,
    jobName: JOB,
    attempt: 1,
    continuation: 0,
    enqueuedAt: now.toISOString(),
    messageId: `m-${jobId}`,
    leaseMs: 60_000,
    ...overrides,
  });
  const step = async <T>(transition: string, write: () => Promise<T>): Promise<T> => {
    now = new Date(now.getTime() + 1_000);
    recorder.transition = transition;
    return write();
  };
  const claimed = async (transition: string, attempt: AttemptRef): Promise<string> => {
    const claim = await step(transition, () => ledger.claim(attempt));
    if (claim.outcome !== 'claimed') throw new Error(`${transition}: expected a claim, got ${claim.outcome}`);
    return claim.token;
  };
  const path = async (name: string, run: () => Promise<void>): Promise<JobPath> => {
    const from = recorder.writes.length;
    await run();
    const writes = recorder.writes.slice(from).map((w) => ({ ...w, transition: `${name}: ${w.transition}` }));
    return {
      writes,
      writeUnits: writes.reduce((sum, w) => sum + w.units.total, 0),
      maxItemBytes: Math.max(...writes.map((w) => w.itemBytes)),
    };
  };
  const viaApi = (idempotencyKey?: string) => async () => {
    const accepted = await step('enqueue', () =>
      service.enqueue({ job: JOB, payload: {}, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) }),
    );
    const token = await claimed('claim', ref(accepted.jobId));
    await step('succeed', () => ledger.succeed(ref(accepted.jobId), token));
  };

  try {
    const direct = await path('direct', async () => {
      const jobId = newId();
      const token = await claimed('claim (creates the record)', ref(jobId));
      await step('succeed', () => ledger.succeed(ref(jobId), token));
    });
    const api = await path('api', viaApi());
    const apiWithKey = await path('api with key', viaApi('order-42'));

    const from = recorder.writes.length;
    const jobId = newId();
    await step('create (queued)', () => ledger.createJob({ jobId, name: JOB, status: 'queued' }));
    let token = await claimed('claim (queued → running)', ref(jobId));
    await step('progress', () => ledger.progress(ref(jobId), token, { pages: 1, items: 100 }));
    await step('continued (running → queued)', () => ledger.continued(ref(jobId), token, 1));
    token = await claimed('claim (continuation)', ref(jobId, { continuation: 1 }));
    const retryAt = new Date(now.getTime() + 30_000).toISOString();
    const failure = { errorCode: 'SOURCE_UNAVAILABLE', errorMessage: 'The source answered 503' };
    await step('fail (running → retrying)', () =>
      ledger.fail(ref(jobId, { continuation: 1 }), token, { status: 'retrying', ...failure, retryAt }),
    );
    token = await claimed('claim (retrying → running)', ref(jobId, { attempt: 2, continuation: 1 }));
    await step('fail (running → dead)', () =>
      ledger.fail(ref(jobId, { attempt: 2, continuation: 1 }), token, { status: 'dead', ...failure }),
    );
    await step('redrive (dead → queued)', () => ledger.recordRedrive({ jobId }));
    token = await claimed('claim (redriven)', ref(jobId, { attempt: 3, continuation: 1, redriven: true }));
    await step('succeed (after a redrive)', () => ledger.succeed(ref(jobId, { continuation: 1 }), token));
    const scheduled = newId();
    const runAt = new Date(now.getTime() + 86_400_000).toISOString();
    await step('create (scheduled)', () =>
      ledger.createJob({ jobId: scheduled, name: JOB, status: 'scheduled', runAt }),
    );
    await step('cancel (scheduled → cancelled)', () => ledger.cancelJob(scheduled));
    await step('dead on arrival', () => ledger.deadOnArrival(ref(newId()), failure));
    const transitions = recorder.writes.slice(from);

    return { direct, api, apiWithKey, transitions };
  } finally {
    await table.drop();
    client.destroy();
    reader.destroy();
  }
}
