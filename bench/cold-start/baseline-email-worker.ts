/**
 * The baseline of `coldStart`: an e-mail worker written the usual way — Powertools batch
 * processing and logger, middy, zod as most projects import it, and the SES client — doing what
 * Hangar's e-mail worker does for one message, without the framework: parse the envelope, validate
 * the payload, send through SES, report per-record failures.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';

const logger = new Logger();
const ses = new SESClient({});
const processor = new BatchProcessor(EventType.SQS);
const sender = process.env.HANGAR_SENDER_EMAIL ?? 'hangar@example.com';

const emailSchema = z
  .object({
    to: z.array(z.email()).min(1).max(50),
    cc: z.array(z.email()).optional(),
    bcc: z.array(z.email()).optional(),
    subject: z.string().min(1).max(998),
    text: z.string().min(1).optional(),
    html: z.string().min(1).optional(),
    replyTo: z.array(z.email()).min(1).optional(),
  })
  .strict()
  .refine((p) => p.text !== undefined || p.html !== undefined, 'at least one of text or html is required');

const recordHandler = async (record: SQSRecord): Promise<void> => {
  const message = JSON.parse(record.body) as { jobId?: string; payload?: unknown };
  const email = emailSchema.parse(message.payload);
  const out = await ses.send(
    new SendEmailCommand({
      Source: sender,
      Destination: { ToAddresses: email.to, CcAddresses: email.cc, BccAddresses: email.bcc },
      Message: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: {
          ...(email.text === undefined ? {} : { Text: { Data: email.text, Charset: 'UTF-8' } }),
          ...(email.html === undefined ? {} : { Html: { Data: email.html, Charset: 'UTF-8' } }),
        },
      },
      ReplyToAddresses: email.replyTo,
    }),
  );
  logger.info('E-mail sent', { jobId: message.jobId, sesMessageId: out.MessageId });
};

export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (event, context) => processPartialResponse(event, recordHandler, processor, { context }));
