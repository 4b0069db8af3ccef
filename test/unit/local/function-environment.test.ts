import { describe, expect, it } from 'vitest';
import { deriveSettings, ENV_VARS } from '../../../lib/deploy/index.js';
import { cleanupRun, emailSend, registry, syncRun } from '../../../lib/jobs/builtin/index.js';
import { apiEnvironment, type LocalStage, workerEnvironment } from '../../../local/function-environment.js';

const settings = deriveSettings(registry);
const queue = (name: string) => ({
  name,
  url: `http://127.0.0.1:4566/000000000000/${name}`,
  arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
});
const STAGE: LocalStage = {
  stage: 'local',
  region: 'us-east-1',
  endpoints: {
    sqs: 'http://127.0.0.1:4566',
    ses: 'http://127.0.0.1:8005',
    dynamodb: 'http://127.0.0.1:8000',
    scheduler: 'http://127.0.0.1:4567',
    lambda: 'http://127.0.0.1:4567',
    fallback: 'http://127.0.0.1:4567',
  },
  tableName: 'hangar-ledger',
  scheduleGroupName: 'hangar-local',
  schedulerRoleArn: 'arn:aws:iam::000000000000:role/hangar-local-scheduler',
  senderEmail: 'hangar@example.com',
  queues: Object.fromEntries(
    settings.jobs.map((job) => [
      job.jobName,
      { jobName: job.jobName, queue: queue(job.queue.name), dlq: queue(job.dlq.name) },
    ]),
  ),
  awsConfigFile: '/nonexistent/aws-config',
};

const hangarVariables = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('HANGAR_')));

describe('Function: workerEnvironment', () => {
  it('gives the e-mail worker its queues, the ledger and the sender, as the stack does', () => {
    const env = workerEnvironment(settings.job(emailSend.name), STAGE);

    expect(hangarVariables(env)).toEqual({
      [ENV_VARS.jobName]: 'email.send',
      [ENV_VARS.queueUrl]: 'http://127.0.0.1:4566/000000000000/email-send',
      [ENV_VARS.dlqUrl]: 'http://127.0.0.1:4566/000000000000/email-send-dlq',
      [ENV_VARS.stage]: 'local',
      [ENV_VARS.tableName]: 'hangar-ledger',
      [ENV_VARS.senderEmail]: 'hangar@example.com',
    });
  });

  it('gives a FIFO worker the schedule group, the role and its own queue, for delayed continuations', () => {
    const env = workerEnvironment(settings.job(syncRun.name), STAGE, { [ENV_VARS.syncSources]: '[]' });

    expect(hangarVariables(env)).toMatchObject({
      [ENV_VARS.scheduleGroupName]: 'hangar-local',
      [ENV_VARS.schedulerRoleArn]: STAGE.schedulerRoleArn,
      [ENV_VARS.queues]: JSON.stringify({
        'sync.run': {
          url: 'http://127.0.0.1:4566/000000000000/sync-run.fifo',
          arn: 'arn:aws:sqs:us-east-1:000000000000:sync-run.fifo',
        },
      }),
      [ENV_VARS.syncSources]: '[]',
    });
    expect(env[ENV_VARS.senderEmail]).toBeUndefined();
  });

  it('points the AWS SDK at the emulators only, with dummy credentials and no shared config', () => {
    const env = workerEnvironment(settings.job(cleanupRun.name), STAGE);

    expect(env).toMatchObject({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL_SES: 'http://127.0.0.1:8005',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_SCHEDULER: 'http://127.0.0.1:4567',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4567',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-config',
      AWS_LAMBDA_FUNCTION_NAME: 'cleanup-run-worker',
      POWERTOOLS_SERVICE_NAME: 'hangar-local-cleanup-run',
    });
    expect(Object.values(env).filter((value) => /^https?:\/\//.test(value))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^http:\/\/127\.0\.0\.1:/)]),
    );
    for (const value of Object.values(env).filter((v) => /^https?:\/\//.test(v))) {
      expect(value).toMatch(/^http:\/\/127\.0\.0\.1:/);
    }
  });

  it('refuses extra variables that would replace derived ones', () => {
    expect(() =>
      workerEnvironment(settings.job(emailSend.name), STAGE, { [ENV_VARS.queueUrl]: 'x' }),
    ).toThrow('Function environment may not replace HANGAR_QUEUE_URL; they are derived');
  });
});

describe('Function: apiEnvironment', () => {
  it('gives the API every queue, the ledger and the one-time schedule group', () => {
    const env = apiEnvironment(STAGE, 512);

    expect(Object.keys(hangarVariables(env)).sort()).toEqual(
      [
        ENV_VARS.queues,
        ENV_VARS.tableName,
        ENV_VARS.scheduleGroupName,
        ENV_VARS.schedulerRoleArn,
        ENV_VARS.stage,
      ].sort(),
    );
    expect(Object.keys(JSON.parse(env[ENV_VARS.queues] ?? '{}'))).toEqual([
      'email.send',
      'sync.run',
      'cleanup.run',
    ]);
  });
});
