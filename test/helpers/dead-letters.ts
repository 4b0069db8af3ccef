import type { SQSClient } from '@aws-sdk/client-sqs';
import { type JobDefinition, type JobEnvelope, PermanentJobError } from '../../lib/index.js';
import { createWorker, handle } from '../../lib/worker/index.js';
import { fakeContext } from './lambda-context.js';
import { envelopeFor, jobRecord, sqsEvent } from './sqs-records.js';

export interface DeadLetterSpec {
  readonly payload: unknown;
  /** The error code the handler fails with. */
  readonly code: string;
  readonly envelope?: Partial<JobEnvelope>;
  /** FIFO jobs: the record's message group. */
  readonly groupId?: string;
}

/**
 * Dead-letters jobs the way production does: the real worker runs a handler that fails
 * permanently with `code`, and sends each record to `dlqUrl` with its reason attributes.
 * @returns the envelopes, in order, so tests know each dead job's id.
 */
export async function deadLetter(
  sqs: SQSClient,
  job: JobDefinition,
  queue: { readonly url: string; readonly dlqUrl: string },
  specs: readonly DeadLetterSpec[],
): Promise<JobEnvelope[]> {
  const envelopes = specs.map((spec) => envelopeFor(job, spec.payload, spec.envelope));
  const codes = new Map(envelopes.map((envelope, index) => [envelope.jobId, specs[index]?.code ?? 'FAILED']));
  const worker = createWorker({
    jobs: [
      // Only the DLQ matters here: the job runs without its ledger, whatever its declaration says.
      handle({ ...job, useLedger: false }, (_payload, context) => {
        throw new PermanentJobError(`rejected by the test (${codes.get(context.jobId)})`, {
          code: codes.get(context.jobId) ?? 'FAILED',
        });
      }),
    ],
    queue,
    sqs,
  });
  const records = envelopes.map((envelope, index) =>
    jobRecord(job, envelope.payload, {
      envelope,
      ...(specs[index]?.groupId === undefined ? {} : { groupId: specs[index]?.groupId }),
    }),
  );
  const result = await worker(sqsEvent(...records), fakeContext(30_000));
  if (result.batchItemFailures.length > 0)
    throw new Error('the worker kept records instead of dead-lettering them');
  return envelopes;
}
