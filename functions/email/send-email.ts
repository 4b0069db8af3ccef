/**
 * The `email.send` handler: one SES `SendEmail` per job. It is run at most once per job id by
 * the worker's ledger claim (a job whose record says `succeeded` is never handed to it again);
 * this module decides only what an SES answer means for the job.
 */
import { type SESClient, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-ses';
import * as z from 'zod/mini';
import { PermanentJobError, RetryableJobError } from '../../lib/index.js';
import type { emailSend } from '../../lib/jobs/builtin/index.js';
import type { JobHandler, JobResult } from '../../lib/worker/index.js';

/** Stable codes of e-mail failures, as they appear in the ledger and in dead-letter attributes. */
export const EMAIL_ERROR_CODES = {
  rejected: 'MESSAGE_REJECTED',
  invalidAddress: 'INVALID_ADDRESS',
  invalidRequest: 'INVALID_EMAIL_REQUEST',
  senderNotVerified: 'SENDER_NOT_VERIFIED',
  throttled: 'SES_THROTTLED',
  dailyQuota: 'SES_DAILY_QUOTA_EXCEEDED',
  sendingPaused: 'SES_SENDING_PAUSED',
  unavailable: 'SES_UNAVAILABLE',
} as const;

export const EMAIL_RULES = {
  /** SES counts its daily quota over a rolling 24 hours: retrying sooner than this is pointless. */
  dailyQuotaRetryAfterSeconds: 3_600,
  /** Paused sending (account or configuration set) needs a person; retry slowly until then. */
  sendingPausedRetryAfterSeconds: 900,
  /** SES message tag that carries the job id into SES events (bounces, complaints). */
  jobIdTag: 'hangar-job-id',
} as const;

/**
 * The handler's own log lines, named so that tools reading the logs (the chaos run matches each
 * SES message id that reached the handler) refer to them instead of copying the text.
 */
export const EMAIL_LOG_MESSAGES = {
  /** Carries `sesMessageId`: SES's answer reached the handler. */
  sent: 'E-mail sent',
} as const;

/** `ada@example.com` or `Hangar <ada@example.com>`: what SES accepts as a `Source`. */
export const senderAddressSchema = z.string().check(
  z.refine((value) => {
    const address = /^[^<>]*<([^<>]+)>$/.exec(value.trim())?.[1] ?? value.trim();
    return z.email().safeParse(address).success;
  }, 'must be an e-mail address, optionally as "Name <address>"'),
);

export interface EmailSenderOptions {
  readonly ses: SESClient;
  /** The verified SES identity every message is sent from (`ENV_VARS.senderEmail`). */
  readonly sender: string;
}

/**
 * Creates the handler. The result it returns (`{ sesMessageId }`) is what the ledger records.
 *
 * @example
 * export const handler = createWorker({ jobs: [handle(emailSend, createEmailSender({ ses, sender }))], ledger });
 */
export function createEmailSender(options: EmailSenderOptions): JobHandler<typeof emailSend> {
  return async (payload, context): Promise<JobResult> => {
    const input: SendEmailCommandInput = {
      Source: options.sender,
      Destination: {
        ToAddresses: payload.to,
        ...(payload.cc === undefined ? {} : { CcAddresses: payload.cc }),
        ...(payload.bcc === undefined ? {} : { BccAddresses: payload.bcc }),
      },
      Message: {
        Subject: { Data: payload.subject, Charset: 'UTF-8' },
        Body: {
          ...(payload.text === undefined ? {} : { Text: { Data: payload.text, Charset: 'UTF-8' } }),
          ...(payload.html === undefined ? {} : { Html: { Data: payload.html, Charset: 'UTF-8' } }),
        },
      },
      ...(payload.replyTo === undefined ? {} : { ReplyToAddresses: payload.replyTo }),
      Tags: [{ Name: EMAIL_RULES.jobIdTag, Value: context.jobId }],
    };
    let messageId: string | undefined;
    try {
      // No abort signal on purpose: a send cut off mid-flight may have been accepted by SES, and
      // its retry would be a second e-mail. The worker starts no record past its deadline margin.
      const out = await options.ses.send(new SendEmailCommand(input));
      messageId = out.MessageId;
    } catch (error) {
      throw classify(error);
    }
    if (!messageId) {
      throw new RetryableJobError('SES accepted the request but returned no message id', {
        code: EMAIL_ERROR_CODES.unavailable,
      });
    }
    const recipients = payload.to.length + (payload.cc?.length ?? 0) + (payload.bcc?.length ?? 0);
    context.logger.info(EMAIL_LOG_MESSAGES.sent, { sesMessageId: messageId, recipients });
    return { sesMessageId: messageId };
  };
}

interface AwsErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/**
 * What an SES error means for the job. Messages are rewritten without addresses: they reach
 * logs, the ledger and dead-letter attributes, none of which may hold recipients.
 */
export function classify(error: unknown): PermanentJobError | RetryableJobError {
  const shape: AwsErrorShape = typeof error === 'object' && error !== null ? error : {};
  const name = typeof shape.name === 'string' ? shape.name : '';
  const detail = redactAddresses(typeof shape.message === 'string' ? shape.message : String(error));
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : 0;
  const options = { cause: error };
  switch (name) {
    case 'MessageRejected':
      return new PermanentJobError(`SES rejected the message: ${detail}`, {
        ...options,
        code: EMAIL_ERROR_CODES.rejected,
      });
    case 'InvalidParameterValue':
      return /address|domain|@/i.test(detail)
        ? new PermanentJobError(`SES refused an address: ${detail}`, {
            ...options,
            code: EMAIL_ERROR_CODES.invalidAddress,
          })
        : new PermanentJobError(`SES refused the request: ${detail}`, {
            ...options,
            code: EMAIL_ERROR_CODES.invalidRequest,
          });
    case 'MailFromDomainNotVerifiedException':
    case 'FromEmailAddressNotVerifiedException':
      return new PermanentJobError(`The sender is not verified in SES: ${detail}`, {
        ...options,
        code: EMAIL_ERROR_CODES.senderNotVerified,
      });
    case 'Throttling':
    case 'ThrottlingException':
    case 'TooManyRequestsException':
      return /daily message quota/i.test(detail)
        ? new RetryableJobError(`SES daily quota exceeded: ${detail}`, {
            ...options,
            code: EMAIL_ERROR_CODES.dailyQuota,
            retryAfterSeconds: EMAIL_RULES.dailyQuotaRetryAfterSeconds,
          })
        : new RetryableJobError(`SES throttled the send: ${detail}`, {
            ...options,
            code: EMAIL_ERROR_CODES.throttled,
          });
    case 'AccountSendingPausedException':
    case 'ConfigurationSetSendingPausedException':
      return new RetryableJobError(`SES sending is paused: ${detail}`, {
        ...options,
        code: EMAIL_ERROR_CODES.sendingPaused,
        retryAfterSeconds: EMAIL_RULES.sendingPausedRetryAfterSeconds,
      });
  }
  // Any other refusal of the request itself (4xx, `$fault: client`) will not change on a retry.
  if (shape.$fault === 'client' || (status >= 400 && status < 500)) {
    return new PermanentJobError(`SES refused the request (${name || status}): ${detail}`, {
      ...options,
      code: EMAIL_ERROR_CODES.invalidRequest,
    });
  }
  // 5xx, timeouts, connection resets, anything unknown: transient until proven otherwise.
  return new RetryableJobError(`SES is unavailable (${name || 'error'}): ${detail}`, {
    ...options,
    code: EMAIL_ERROR_CODES.unavailable,
  });
}

// A local part, `@`, and a domain that does not end in a dot (sentence punctuation); a bare
// `local@` counts too: half an address is still a person's.
const ADDRESS = /[^\s<>()[\]"',;:@]+@(?:[^\s<>()[\]"',;:@]*[^\s<>()[\]"',;:@.])?/g;

/** Replaces every e-mail address in a service message with `<address>`. */
export function redactAddresses(message: string): string {
  return message.replace(ADDRESS, '<address>');
}
