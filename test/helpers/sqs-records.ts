import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { encodeEnvelope } from '../../lib/deploy/index.js';
import type { JobDefinition, JobEnvelope } from '../../lib/index.js';

let sequence = 0;

export interface RecordOptions {
  readonly messageId?: string;
  readonly receiveCount?: number;
  readonly groupId?: string;
  readonly queueName?: string;
}

/** An SQS record as Lambda's event source delivers it. */
export function sqsRecord(body: string, options: RecordOptions = {}): SQSRecord {
  sequence += 1;
  const messageId = options.messageId ?? `msg-${sequence}`;
  const queueName = options.queueName ?? (options.groupId === undefined ? 'test-note' : 'test-order.fifo');
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '1763892000000',
      SenderId: 'AIDATEST',
      ApproximateFirstReceiveTimestamp: '1763892000001',
      ...(options.groupId === undefined
        ? {}
        : {
            MessageGroupId: options.groupId,
            MessageDeduplicationId: `d-${messageId}`,
            SequenceNumber: String(sequence),
          }),
    },
    messageAttributes: {},
    md5OfBody: 'md5',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
    awsRegion: 'us-east-1',
  };
}

/** An envelope for `job`, with overrides. */
export function envelopeFor(
  job: Pick<JobDefinition, 'name'>,
  payload: unknown,
  overrides: Partial<JobEnvelope> = {},
): JobEnvelope {
  sequence += 1;
  return {
    version: 1,
    jobId: `01JOB${String(sequence).padStart(21, '0')}`,
    name: job.name,
    payload: payload as JobEnvelope['payload'],
    enqueuedAt: '2026-11-23T10:00:00.000Z',
    attempt: 1,
    continuation: 0,
    ...overrides,
  };
}

export function jobRecord(
  job: Pick<JobDefinition, 'name'>,
  payload: unknown,
  options: RecordOptions & { readonly envelope?: Partial<JobEnvelope> } = {},
): SQSRecord {
  return sqsRecord(encodeEnvelope(envelopeFor(job, payload, options.envelope)), options);
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
