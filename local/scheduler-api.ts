/**
 * EventBridge Scheduler's REST-JSON API, as much of it as Hangar uses (`CreateSchedule`,
 * `UpdateSchedule`, `DeleteSchedule`, `GetSchedule`, `ListSchedules`), in front of the local
 * scheduler; served by ./aws-api.ts. Functions reach it through `AWS_ENDPOINT_URL_SCHEDULER`, so
 * the real `AwsScheduler` adapter and the SDK's own serializers run unchanged — nothing in a
 * handler knows it is local.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { epochSeconds, isRecord, readJson, sendError, sendJson } from './aws-http.js';
import { type LocalScheduler, type ScheduleDefinition, SchedulerApiError, scheduleArn } from './scheduler.js';

/**
 * Answers the request when it is a Scheduler call (a `/schedules` path).
 * @returns false, having read nothing, for any other request.
 */
export async function handleSchedulerRequest(
  scheduler: LocalScheduler,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const match = /^\/schedules(?:\/([^/]+))?$/.exec(url.pathname);
  if (!match || req.headers['x-amz-target'] !== undefined) return false;
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
    sendJson(res, 200, { Schedules: schedules.map(summary) });
    return true;
  }
  if (name === undefined) {
    sendError(res, 405, 'ValidationException', 'Method not allowed');
    return true;
  }

  switch (req.method) {
    case 'POST':
      sendJson(res, 200, await scheduler.create(parseDefinition(name, await readJson(req))));
      break;
    case 'PUT':
      sendJson(res, 200, await scheduler.update(parseDefinition(name, await readJson(req))));
      break;
    case 'GET':
      sendJson(res, 200, describe(scheduler.get(groupName, name)));
      break;
    case 'DELETE':
      await scheduler.delete(groupName, name);
      sendJson(res, 200, {});
      break;
    default:
      sendError(res, 405, 'ValidationException', `Method ${req.method} not allowed`);
  }
  return true;
}

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
    LastModificationDate: epochSeconds(d.LastModificationDate ?? d.CreationDate),
  };
}

function summary(d: ScheduleDefinition) {
  return {
    Arn: scheduleArn(d.GroupName, d.Name),
    Name: d.Name,
    GroupName: d.GroupName,
    State: d.State,
    CreationDate: epochSeconds(d.CreationDate),
    LastModificationDate: epochSeconds(d.LastModificationDate ?? d.CreationDate),
    Target: { Arn: d.Target.Arn },
  };
}

/** The body of `CreateSchedule` and of `UpdateSchedule`, which replaces the whole schedule. */
function parseDefinition(name: string, body: unknown): Omit<ScheduleDefinition, 'CreationDate'> {
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
    },
    ...(typeof Description === 'string' ? { Description } : {}),
    ...(typeof ClientToken === 'string' ? { ClientToken } : {}),
  };
}
