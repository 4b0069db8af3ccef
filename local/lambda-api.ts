/**
 * Lambda's REST-JSON API for event source mappings (`ListEventSourceMappings`,
 * `GetEventSourceMapping`, and `UpdateEventSourceMapping` with `Enabled`), in front of the local
 * runtime's mappings; served by ./aws-api.ts. The CLI and the dashboard reach it through
 * `AWS_ENDPOINT_URL_LAMBDA` and make exactly the calls they make on a stage.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { epochSeconds, isRecord, readJson, sendError, sendJson } from './aws-http.js';
import {
  LambdaApiError,
  type LocalEventSourceMappings,
  type MappingDescription,
} from './event-source-mappings.js';

const PATH = /^\/2015-03-31\/event-source-mappings\/?(?:([^/]+))?$/;

/**
 * Answers the request when it is an event-source-mapping call.
 * @returns false, having read nothing, for any other request.
 */
export async function handleLambdaRequest(
  mappings: LocalEventSourceMappings,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const match = PATH.exec(url.pathname);
  if (!match) return false;
  const uuid = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
  if (uuid === undefined && req.method === 'GET') {
    const functionName = url.searchParams.get('FunctionName') ?? undefined;
    const eventSourceArn = url.searchParams.get('EventSourceArn') ?? undefined;
    const found = mappings.list({
      ...(functionName === undefined ? {} : { functionName }),
      ...(eventSourceArn === undefined ? {} : { eventSourceArn }),
    });
    sendJson(res, 200, { EventSourceMappings: found.map(wire) });
    return true;
  }
  if (uuid !== undefined && req.method === 'GET') {
    sendJson(res, 200, wire(mappings.get(uuid)));
    return true;
  }
  if (uuid !== undefined && req.method === 'PUT') {
    sendJson(res, 202, wire(await mappings.update(uuid, parseUpdate(await readJson(req)))));
    return true;
  }
  sendError(
    res,
    405,
    'InvalidParameterValueException',
    `Method ${req.method} not allowed on ${url.pathname}`,
  );
  return true;
}

/** The local mappings change only whether they poll; their other values come from the settings. */
function parseUpdate(body: unknown): boolean {
  const invalid = (message: string) => new LambdaApiError('InvalidParameterValueException', message);
  if (!isRecord(body)) throw invalid('The request body must be a JSON object.');
  const { Enabled, ...rest } = body;
  const others = Object.keys(rest);
  if (others.length > 0) {
    throw invalid(`The local runtime updates only Enabled; the job's settings decide ${others.join(', ')}.`);
  }
  if (typeof Enabled !== 'boolean') throw invalid('Enabled (true or false) is required.');
  return Enabled;
}

function wire(mapping: MappingDescription) {
  return { ...mapping, LastModified: epochSeconds(mapping.LastModified) };
}
