import * as z from 'zod/mini';
import { defineJob } from '../define-job.js';

/** SES accepts at most 50 recipients per message, To, Cc and Bcc together. */
export const EMAIL_MAX_RECIPIENTS = 50;

const addresses = z.array(z.email());

/** The e-mail payload of PRODUCT.md; the sender is configuration, never payload. */
export const emailPayloadSchema = z
  .strictObject({
    to: addresses.check(z.minLength(1), z.maxLength(EMAIL_MAX_RECIPIENTS)),
    cc: z.optional(addresses),
    bcc: z.optional(addresses),
    subject: z.string().check(z.minLength(1), z.maxLength(998)),
    text: z.optional(z.string().check(z.minLength(1))),
    html: z.optional(z.string().check(z.minLength(1))),
    replyTo: z.optional(z.array(z.email()).check(z.minLength(1))),
  })
  .check(
    z.refine((p) => p.text !== undefined || p.html !== undefined, {
      message: 'at least one of text or html is required',
      path: ['text'],
    }),
    z.refine((p) => p.to.length + (p.cc?.length ?? 0) + (p.bcc?.length ?? 0) <= EMAIL_MAX_RECIPIENTS, {
      message: `to, cc and bcc together may hold at most ${EMAIL_MAX_RECIPIENTS} addresses`,
      path: ['to'],
    }),
  );

export type EmailPayload = z.output<typeof emailPayloadSchema>;

export const emailSend = defineJob({
  name: 'email.send',
  description: 'Sends one e-mail through SES, effectively once per job id.',
  schema: emailPayloadSchema,
  retry: { maxAttempts: 5, baseDelaySeconds: 5, maxDelaySeconds: 300 },
  timeoutSeconds: 30,
  resources: ['ledger', 'ses'],
});
