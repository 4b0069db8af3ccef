/**
 * Issue 13, defect 5: a one-time schedule (a job delayed past 15 minutes, or any delayed FIFO job)
 * has the job's dead-letter queue, as recurring schedules do. Without it, a firing that cannot be
 * delivered (role or queue broken, retries spent) vanished, its record stayed `scheduled` and no
 * alarm saw it.
 */
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { clientFromStackOutputs } from '../../../../lib/deploy/index.js';
import { emailSend, registry } from '../../../../lib/jobs/builtin/index.js';
import { stackOutputs } from '../../../helpers/cli.js';

const schedulerMock = mockClient(SchedulerClient);

describe('Defect 5 (issue 13): one-time schedules', () => {
  beforeEach(() => {
    schedulerMock.reset();
    schedulerMock
      .on(CreateScheduleCommand)
      .resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:0:schedule/x' });
  });

  it("are created with a dead-letter queue from the stack's outputs, as recurring schedules are", async () => {
    // Prepare: a client wired from every output the stack declares.
    const client = clientFromStackOutputs(stackOutputs(), {
      registry,
      sqs: new SQSClient({ region: 'eu-west-1' }),
      schedulerClient: new SchedulerClient({ region: 'eu-west-1' }),
      now: () => new Date('2026-11-23T10:00:00.000Z'),
    });

    // Act: a run-at beyond SQS's 15-minute delay.
    await client.enqueue(
      emailSend,
      { to: ['ada@example.com'], subject: 'Later', text: 'Hi' },
      {
        runAt: '2026-11-24T08:00:00Z',
      },
    );

    // Assess
    const input = schedulerMock.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
    expect(input?.Target?.DeadLetterConfig).toEqual({ Arn: expect.stringMatching(/^arn:aws:sqs:/) });
  });
});
