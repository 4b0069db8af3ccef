/** The floor: a bare loop that parses each body and validates its payload, and nothing else. */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { safeParse } from 'zod/mini';
import { noopRun } from '../../jobs.js';

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    try {
      const body = JSON.parse(record.body) as { payload?: unknown };
      if (!safeParse(noopRun.schema, body.payload).success) {
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
