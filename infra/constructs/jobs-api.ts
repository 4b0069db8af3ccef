import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_FUNCTION, API_ROUTES, apiEnvironment, serviceName } from '../../lib/deploy/index.js';
import { ConfigError } from '../../lib/index.js';
import { FUNCTION_DEFAULTS, HangarFunction } from './hangar-function.js';
import type { JobQueue } from './job-queue.js';
import type { JobSchedules } from './job-schedules.js';

/** The routes of the API contract (`API_ROUTES` in lib), as API Gateway takes them; every one is IAM-authorized. */
export const HTTP_ROUTES = Object.values(API_ROUTES).map((routeKey) => {
  const [method = '', path = ''] = routeKey.split(' ');
  return { method: HttpMethod[method as keyof typeof HttpMethod], path };
});

/** Defaults of the API; each `@default` below names one of these. */
export const API_DEFAULTS = {
  /** Requests per second across the stage, and the burst above it: a runaway producer cannot flood the queues. */
  throttle: { rateLimit: 100, burstLimit: 200 },
} as const;

export interface JobsApiProps {
  /** `functions/api/handler.ts`, exporting `handler`. */
  readonly entry: string;
  readonly stage: string;
  /** Every job's queue: the API enqueues to any of them. */
  readonly queues: readonly JobQueue[];
  readonly ledger: ITable;
  /** One-time schedules for run-at times beyond 15 minutes and delayed FIFO jobs; deleted on cancel. */
  readonly schedules: JobSchedules;
  /** @default API_DEFAULTS.throttle */
  readonly throttle?: ThrottleSettings;
  /** Of the function's and the access logs. @default FUNCTION_DEFAULTS.logRetention */
  readonly logRetention?: RetentionDays;
  /** @default FUNCTION_DEFAULTS.removalPolicy */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The HTTP API (payload format 2.0): every route on IAM (SigV4) authorization, stage-wide
 * throttling and JSON access logs. Its function may enqueue to job queues, read and write the
 * ledger, and create and delete one-time schedules passing the scheduler role: nothing more.
 */
export class JobsApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly handler: HangarFunction;
  readonly accessLogs: LogGroup;
  /** The stage's base URL (`https://…/`). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: JobsApiProps) {
    super(scope, id);
    if (props.queues.length === 0) throw new ConfigError('The API needs at least one job queue');
    const throttle = props.throttle ?? API_DEFAULTS.throttle;
    const logRetention = props.logRetention ?? FUNCTION_DEFAULTS.logRetention;
    const removalPolicy = props.removalPolicy ?? FUNCTION_DEFAULTS.removalPolicy;

    this.handler = new HangarFunction(this, 'Handler', {
      entry: props.entry,
      description: 'Hangar HTTP API',
      timeoutSeconds: API_FUNCTION.timeoutSeconds,
      memoryMiB: API_FUNCTION.memoryMiB,
      serviceName: serviceName(props.stage, API_FUNCTION.dir),
      environment: apiEnvironment(
        Object.fromEntries(
          props.queues.map((q) => [
            q.settings.jobName,
            { url: q.queue.queueUrl, arn: q.queue.queueArn, dlqArn: q.deadLetterQueue.queueArn },
          ]),
        ),
        {
          stage: props.stage,
          tableName: props.ledger.tableName,
          scheduleGroupName: props.schedules.group.scheduleGroupName,
          schedulerRoleArn: props.schedules.role.roleArn,
          toJson: (value) => Stack.of(this).toJsonString(value),
        },
      ),
      logRetention,
      removalPolicy,
    });
    const fn = this.handler.function;
    for (const q of props.queues) q.queue.grant(fn, 'sqs:SendMessage');
    props.ledger.grantReadWriteData(fn);
    props.schedules.grantOneTimeSchedules(fn, ['create', 'delete']);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: `Hangar job API (${props.stage})`,
      defaultAuthorizer: new HttpIamAuthorizer(),
      // Created below with throttling and access logs, which the default stage cannot take.
      createDefaultStage: false,
    });
    const integration = new HttpLambdaIntegration('Handler', fn);
    for (const route of HTTP_ROUTES) {
      this.httpApi.addRoutes({ path: route.path, methods: [route.method], integration });
    }

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // Who called what and how it ended; never bodies (payloads hold e-mail addresses).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            caller: '$context.identity.userArn',
            sourceIp: '$context.identity.sourceIp',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            error: '$context.error.message',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.url = this.stage.url;
  }
}
