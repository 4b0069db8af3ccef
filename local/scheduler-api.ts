/**
 * EventBridge Scheduler's REST-JSON API, as much of it as Hangar uses (`CreateSchedule`,
 * `DeleteSchedule`, `GetSchedule`, `ListSchedules`), on loopback in front of the local scheduler.
 * Functions reach it through `AWS_ENDPOINT_URL_SCHEDULER`, so the real `AwsScheduler` adapter and
 * the SDK's own serializers run unchanged — nothing in a handler knows it is local.
 *
 * The same server answers every other AWS request (the runtime points the SDK's global
 * `AWS_ENDPOINT_URL` here) with an error naming the service, so a handler that calls a service
 * without a local emulator fails loudly on loopback instead of reaching AWS with dummy credentials.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from './emulators.js';
import { type LocalScheduler, type ScheduleDefinition, SchedulerApiError, scheduleArn } from './scheduler.js';

export interface SchedulerApi {
  readonly url: string;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1_048_576;

/** Starts the API on `127.0.0.1:port` (0: a free port). */
export async function startSchedulerApi(scheduler: LocalScheduler, port: number): Promise<SchedulerApi> {
  const server = createServer((req, res) => {
    handle(scheduler, req, res).catch((error: unknown) => {
      if (error instanceof SchedulerApiError) sendError(res, error.status, error.name, error.message);
      else sendError(res, 500, 'InternalServerException', error instanceof Error ? error.message : 'error');
    });
  });
  await listen(server, port, 'scheduler');
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function handle(scheduler: LocalScheduler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const match = /^\/schedules(?:\/([^/]+))?$/.exec(url.pathname);
  if (!match || req.headers['x-amz-target'] !== undefined) {
    await drain(req);
    return refuse(req, res);
  }
  const name = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
  const groupName = url.searchParams.get('groupName') ?? 'default';

  if (name === undefined && req.method === 'GET') {
    const group = url.searchParams.get('ScheduleGroup') ?? undefined;
    const prefix = url.searchParams.get('NamePrefix') ?? undefined;
    const state = url.searchParams.get('State') ?? undefined;
    const schedules = scheduler
      .list({
        ...(group === undefined ? {} : { groupName: group }),
        ...(prefix === undefined ? {} : { namePrefix: prefix }),
      })
      .filter((d) => state === undefined || d.State === state);
    return sendJson(res, 200, { Schedules: schedules.map(summary) });
  }
  if (name === undefined) return sendError(res, 405, 'ValidationException', 'Method not allowed');

  switch (req.method) {
    case 'POST': {
      const body = parseCreate(name, await readJson(req));
      return sendJson(res, 200, await scheduler.create(body));
    }
    case 'GET':
      return sendJson(res, 200, describe(scheduler.get(groupName, name)));
    case 'DELETE':
      await scheduler.delete(groupName, name);
      return sendJson(res, 200, {});
    default:
      return sendError(res, 405, 'ValidationException', `Method ${req.method} not allowed`);
  }
}

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function describe(d: ScheduleDefinition) {
  return {
    Arn: scheduleArn(d.GroupName, d.Name),
    Name: d.Name,
    GroupName: d.GroupName,
    ScheduleExpression: d.ScheduleExpression,
    ScheduleExpressionTimezone: d.ScheduleExpressionTimezone,
    State: d.State,
    ActionAfterCompletion: d.ActionAfterCompletion,
    FlexibleTimeWindow: d.FlexibleTimeWindow,
    Target: d.Target,
    ...(d.Description === undefined ? {} : { Description: d.Description }),
    CreationDate: epochSeconds(d.CreationDate),
    LastModificationDate: epochSeconds(d.CreationDate),
  };
}

function summary(d: ScheduleDefinition) {
  return {
    Arn: scheduleArn(d.GroupName, d.Name),
    Name: d.Name,
    GroupName: d.GroupName,
    State: d.State,
    CreationDate: epochSeconds(d.CreationDate),
    LastModificationDate: epochSeconds(d.CreationDate),
    Target: { Arn: d.Target.Arn },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseCreate(name: string, body: unknown): Omit<ScheduleDefinition, 'CreationDate'> {
  const invalid = (message: string) => new SchedulerApiError('ValidationException', message);
  if (!isRecord(body)) throw invalid('The request body must be a JSON object.');
  const { ScheduleExpression, ScheduleExpressionTimezone, GroupName, State, ActionAfterCompletion } = body;
  const { FlexibleTimeWindow, Target, Description, ClientToken } = body;
  if (!/^[0-9a-zA-Z\-_.]{1,64}$/.test(name)) throw invalid(`Invalid schedule name "${name}".`);
  if (typeof ScheduleExpression !== 'string') throw invalid('ScheduleExpression is required.');
  if (
    !isRecord(FlexibleTimeWindow) ||
    (FlexibleTimeWindow.Mode !== 'OFF' && FlexibleTimeWindow.Mode !== 'FLEXIBLE')
  )
    throw invalid('FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.');
  if (!isRecord(Target) || typeof Target.Arn !== 'string' || typeof Target.RoleArn !== 'string')
    throw invalid('Target.Arn and Target.RoleArn are required.');
  if (Target.Input !== undefined && typeof Target.Input !== 'string')
    throw invalid('Target.Input must be a string.');
  const sqsParameters = Target.SqsParameters;
  if (sqsParameters !== undefined && !isRecord(sqsParameters))
    throw invalid('Target.SqsParameters must be an object.');
  const group = GroupName ?? 'default';
  if (typeof group !== 'string') throw invalid('GroupName must be a string.');
  const zone = ScheduleExpressionTimezone ?? 'UTC';
  if (typeof zone !== 'string') throw invalid('ScheduleExpressionTimezone must be a string.');
  const state = State ?? 'ENABLED';
  if (state !== 'ENABLED' && state !== 'DISABLED') throw invalid('State must be ENABLED or DISABLED.');
  const after = ActionAfterCompletion ?? 'NONE';
  if (after !== 'NONE' && after !== 'DELETE') throw invalid('ActionAfterCompletion must be NONE or DELETE.');
  const groupId = sqsParameters?.MessageGroupId;
  return {
    Name: name,
    GroupName: group,
    ScheduleExpression,
    ScheduleExpressionTimezone: zone,
    State: state,
    ActionAfterCompletion: after,
    FlexibleTimeWindow: {
      Mode: FlexibleTimeWindow.Mode,
      ...(typeof FlexibleTimeWindow.MaximumWindowInMinutes === 'number'
        ? { MaximumWindowInMinutes: FlexibleTimeWindow.MaximumWindowInMinutes }
        : {}),
    },
    Target: {
      Arn: Target.Arn,
      RoleArn: Target.RoleArn,
      ...(typeof Target.Input === 'string' ? { Input: Target.Input } : {}),
      ...(typeof groupId === 'string' ? { SqsParameters: { MessageGroupId: groupId } } : {}),
      ...(isRecord(Target.RetryPolicy) ? { RetryPolicy: Target.RetryPolicy } : {}),
      ...(isRecord(Target.DeadLetterConfig) && typeof Target.DeadLetterConfig.Arn === 'string'
        ? { DeadLetterConfig: { Arn: Target.DeadLetterConfig.Arn } }
        : {}),
    },
    ...(typeof Description === 'string' ? { Description } : {}),
    ...(typeof ClientToken === 'string' ? { ClientToken } : {}),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await drain(req);
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new SchedulerApiError('ValidationException', 'The request body is not JSON.');
  }
}

async function drain(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    if (bytes > MAX_BODY_BYTES)
      throw new SchedulerApiError('ValidationException', 'The request body is too large.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Any request that is not a Scheduler call: which service it was for, from its SigV4 credential scope. */
function refuse(req: IncomingMessage, res: ServerResponse): void {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
  const service = scope?.[1] ?? 'unknown';
  const target = req.headers['x-amz-target'];
  sendError(
    res,
    400,
    'UnsupportedOperation',
    `The Hangar local runtime has no emulator for AWS service "${service}"${target ? ` (${String(target)})` : ''}; ` +
      'only SQS, SES, DynamoDB and EventBridge Scheduler run locally.',
  );
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  const text = JSON.stringify({ __type: type, Message: message, message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': type,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
