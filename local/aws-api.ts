/**
 * The local runtime's stand-in for the AWS control-plane APIs it has no emulator package for, on
 * one loopback port: EventBridge Scheduler (./scheduler-api.ts) and Lambda's event source
 * mappings (./lambda-api.ts). Every other AWS request reaches it too (the runtime points the SDK's
 * global `AWS_ENDPOINT_URL` here) and gets an error naming the service, so a handler that calls a
 * service without a local emulator fails loudly on loopback instead of reaching AWS with dummy
 * credentials.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsApiError, drain, sendError } from './aws-http.js';
import { listen } from './emulators.js';
import type { LocalEventSourceMappings } from './event-source-mappings.js';
import { handleLambdaRequest } from './lambda-api.js';
import type { LocalScheduler } from './scheduler.js';
import { handleSchedulerRequest } from './scheduler-api.js';

export interface LocalAwsApi {
  readonly url: string;
  stop(): Promise<void>;
}

export interface LocalAwsServices {
  readonly scheduler: LocalScheduler;
  readonly mappings: LocalEventSourceMappings;
}

/** Starts the API on `127.0.0.1:port` (0: a free port). */
export async function startLocalAwsApi(services: LocalAwsServices, port: number): Promise<LocalAwsApi> {
  const server = createServer((req, res) => {
    handle(services, req, res).catch((error: unknown) => {
      if (error instanceof AwsApiError) sendError(res, error.status, error.name, error.message);
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

async function handle(services: LocalAwsServices, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (await handleSchedulerRequest(services.scheduler, req, res)) return;
  if (await handleLambdaRequest(services.mappings, req, res)) return;
  await drain(req);
  refuse(req, res);
}

/** Any request that is not a call served here: which service it was for, from its SigV4 credential scope. */
function refuse(req: IncomingMessage, res: ServerResponse): void {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
  const service = scope?.[1] ?? 'unknown';
  const target = req.headers['x-amz-target'];
  sendError(
    res,
    400,
    'UnsupportedOperation',
    `The Hangar local runtime has no emulator for AWS service "${service}"${target ? ` (${String(target)})` : ''}; ` +
      "only SQS, SES, DynamoDB, EventBridge Scheduler and Lambda's event source mappings run locally.",
  );
}
