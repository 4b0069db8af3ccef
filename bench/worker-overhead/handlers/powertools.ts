/**
 * The usual SQS worker: Powertools `BatchProcessor` + `processPartialResponse`, in the minimal
 * form of the Powertools docs, its record handler doing the same work as the others.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSHandler, SQSRecord } from 'aws-lambda';
import { safeParse } from 'zod/mini';
import { noopRun } from '../../jobs.js';

const processor = new BatchProcessor(EventType.SQS);

const recordHandler = async (record: SQSRecord): Promise<void> => {
  const body = JSON.parse(record.body) as { payload?: unknown };
  const parsed = safeParse(noopRun.schema, body.payload);
  if (!parsed.success) throw new Error('Invalid payload');
};

export const handler: SQSHandler = async (event, context) =>
  processPartialResponse(event, recordHandler, processor, { context });
