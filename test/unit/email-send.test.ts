import { Logger } from '@aws-lambda-powertools/logger';
import { MessageRejected, SESClient, SESServiceException, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  classify,
  createEmailSender,
  EMAIL_ERROR_CODES,
  redactAddresses,
  senderAddressSchema,
} from '../../functions/email/send-email.js';
import { PermanentJobError, RetryableJobError } from '../../lib/index.js';
import { emailSend } from '../../lib/jobs/builtin/index.js';
import { fakeJobContext } from '../helpers/job-context.js';
import { captureLogs } from '../helpers/logs.js';

const sesMock = mockClient(SESClient);
const SENDER = 'Hangar <noreply@hangar.example>';

const payload = {
  to: ['ada@example.com', 'alan@example.com'],
  cc: ['grace@example.com'],
  subject: 'Welcome ✓',
  text: 'Hello!',
  html: '<p>Hello!</p>',
  replyTo: ['support@hangar.example'],
};

/** An SES error as the SDK deserializes it. */
function sesError(name: string, message: string, status: number, fault: 'client' | 'server' = 'client') {
  return new SESServiceException({ name, message, $fault: fault, $metadata: { httpStatusCode: status } });
}

function sender() {
  return createEmailSender({ ses: new SESClient({ region: 'us-east-1' }), sender: SENDER });
}

describe('Function: createEmailSender', () => {
  beforeEach(() => {
    sesMock.reset();
  });
  afterEach(() => {
    sesMock.reset();
  });

  it('sends one message from the configured sender and returns the SES message id', async () => {
    // Prepare
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-0001' });

    // Act
    const result = await sender()(payload, fakeJobContext(emailSend));

    // Assess
    expect(result).toEqual({ sesMessageId: 'ses-0001' });
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual({
      Source: SENDER,
      Destination: {
        ToAddresses: ['ada@example.com', 'alan@example.com'],
        CcAddresses: ['grace@example.com'],
      },
      Message: {
        Subject: { Data: 'Welcome ✓', Charset: 'UTF-8' },
        Body: {
          Text: { Data: 'Hello!', Charset: 'UTF-8' },
          Html: { Data: '<p>Hello!</p>', Charset: 'UTF-8' },
        },
      },
      ReplyToAddresses: ['support@hangar.example'],
      Tags: [{ Name: 'hangar-job-id', Value: '01KAJOB0000000000000000001' }],
    });
  });

  it('logs the SES message id and a recipient count, never an address or the body', async () => {
    // Prepare
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-0001' });
    const logs = captureLogs();
    const logger = new Logger({ serviceName: 'hangar-test', logLevel: 'DEBUG' });

    // Act
    try {
      await sender()(payload, fakeJobContext(emailSend, { logger }));
    } finally {
      logs.restore();
    }

    // Assess
    expect(logs.entries()).toEqual([
      expect.objectContaining({ message: 'E-mail sent', sesMessageId: 'ses-0001', recipients: 3 }),
    ]);
    expect(logs.text()).not.toMatch(/@|Hello|Welcome/);
  });

  it('treats a 200 without a message id as transient', async () => {
    sesMock.on(SendEmailCommand).resolves({});
    await expect(sender()(payload, fakeJobContext(emailSend))).rejects.toThrow(
      new RetryableJobError('SES accepted the request but returned no message id', {
        code: EMAIL_ERROR_CODES.unavailable,
      }),
    );
  });

  describe.each([
    {
      case: 'throttled',
      error: sesError('Throttling', 'Maximum sending rate exceeded.', 400),
      expected: new RetryableJobError('SES throttled the send: Maximum sending rate exceeded.', {
        code: 'SES_THROTTLED',
      }),
    },
    {
      case: 'over its daily quota',
      error: sesError('Throttling', 'Daily message quota exceeded.', 400),
      expected: new RetryableJobError('SES daily quota exceeded: Daily message quota exceeded.', {
        code: 'SES_DAILY_QUOTA_EXCEEDED',
        retryAfterSeconds: 3_600,
      }),
    },
    {
      case: 'paused',
      error: sesError('AccountSendingPausedException', 'Account sending paused.', 400),
      expected: new RetryableJobError('SES sending is paused: Account sending paused.', {
        code: 'SES_SENDING_PAUSED',
        retryAfterSeconds: 900,
      }),
    },
    {
      case: 'failing (5xx)',
      error: sesError('InternalFailure', 'We encountered an internal error.', 500, 'server'),
      expected: new RetryableJobError(
        'SES is unavailable (InternalFailure): We encountered an internal error.',
        { code: 'SES_UNAVAILABLE' },
      ),
    },
    {
      case: 'unreachable',
      error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      expected: new RetryableJobError('SES is unavailable (Error): connect ECONNREFUSED 127.0.0.1:1', {
        code: 'SES_UNAVAILABLE',
      }),
    },
  ])('when SES is $case', ({ error, expected }) => {
    it('throws a RetryableJobError, so the worker retries with backoff', async () => {
      sesMock.on(SendEmailCommand).rejects(error);

      const act = sender()(payload, fakeJobContext(emailSend));

      await expect(act).rejects.toThrow(expected);
      await expect(sender()(payload, fakeJobContext(emailSend))).rejects.toBeInstanceOf(RetryableJobError);
    });
  });

  describe.each([
    {
      case: 'rejects the message',
      error: new MessageRejected({
        message: 'Email address is not verified. The following identities failed the check: ada@example.com',
        $metadata: { httpStatusCode: 400 },
      }),
      expected: new PermanentJobError(
        'SES rejected the message: Email address is not verified. The following identities failed the check: <address>',
        { code: 'MESSAGE_REJECTED' },
      ),
    },
    {
      case: 'refuses an address',
      error: sesError('InvalidParameterValue', 'Missing final @domain in "ada@"', 400),
      expected: new PermanentJobError('SES refused an address: Missing final @domain in "<address>"', {
        code: 'INVALID_ADDRESS',
      }),
    },
    {
      case: 'does not know the sender',
      error: sesError('MailFromDomainNotVerifiedException', 'MAIL FROM domain not verified', 400),
      expected: new PermanentJobError('The sender is not verified in SES: MAIL FROM domain not verified', {
        code: 'SENDER_NOT_VERIFIED',
      }),
    },
    {
      case: 'refuses the request for another reason',
      error: sesError('AccessDenied', 'User is not authorized to perform ses:SendEmail', 403),
      expected: new PermanentJobError(
        'SES refused the request (AccessDenied): User is not authorized to perform ses:SendEmail',
        { code: 'INVALID_EMAIL_REQUEST' },
      ),
    },
  ])('when SES $case', ({ error, expected }) => {
    it('throws a PermanentJobError with a stable code, so the worker dead-letters at once', async () => {
      sesMock.on(SendEmailCommand).rejects(error);

      const act = sender()(payload, fakeJobContext(emailSend));

      await expect(act).rejects.toThrow(expected);
      await expect(sender()(payload, fakeJobContext(emailSend))).rejects.toBeInstanceOf(PermanentJobError);
    });
  });
});

describe('Function: classify', () => {
  it('keeps the SES error as the cause', () => {
    const error = sesError('Throttling', 'slow down', 400);
    expect(classify(error).cause).toBe(error);
  });
});

describe('Function: redactAddresses', () => {
  it.each([
    ['Illegal address: a.b+c@example.co.uk.', 'Illegal address: <address>.'],
    ['failed: <x@y.z>, "q@r.s"; t@u', 'failed: <<address>>, "<address>"; <address>'],
    ['no address here', 'no address here'],
  ])('%s', (input, output) => {
    expect(redactAddresses(input)).toBe(output);
  });
});

describe('Schema: senderAddressSchema', () => {
  it.each([
    ['noreply@hangar.example', true],
    ['Hangar <noreply@hangar.example>', true],
    ['Hangar', false],
    ['Hangar <not an address>', false],
    ['', false],
  ])('%s → %s', (value, ok) => {
    expect(senderAddressSchema.safeParse(value).success).toBe(ok);
  });
});
