/**
 * The local HTTP API: the API function in worker threads behind a loopback server that turns
 * requests into API Gateway payload 2.0 events, as the stack's HTTP API does.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { LocalRuntimeError, PortInUseError } from './errors.js';
import { type HttpApi, startHttpApi } from './http-api.js';
import { describeThreadError, LocalFunction } from './local-function.js';
import { LOCAL_API } from './local-options.js';
import type { LocalLog } from './log.js';

/**
 * Starts the API function behind the server. A function error or timeout is what API Gateway answers for a
 * failed integration (500); every request is logged as method, path, status and duration.
 */
export async function startApi(options: {
  readonly bundle: string | undefined;
  readonly threadScript: string;
  readonly environment: Record<string, string>;
  readonly port: number;
  readonly region: string;
  readonly log: LocalLog;
  readonly functions: Map<string, LocalFunction>;
}): Promise<HttpApi> {
  const { log } = options;
  if (options.bundle === undefined) throw new LocalRuntimeError('The API function was not bundled');
  const fn = new LocalFunction({
    name: LOCAL_API.functionName,
    bundle: options.bundle,
    threadScript: options.threadScript,
    environment: options.environment,
    timeoutSeconds: LOCAL_API.timeoutSeconds,
    memoryMiB: LOCAL_API.memoryMiB,
    maxInstances: LOCAL_API.maxInstances,
    region: options.region,
    onOutput: (line, stream) => log.output(LOCAL_API.functionName, line, stream),
  });
  options.functions.set(fn.name, fn);
  const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
    const invocation = await fn.invoke(event);
    const request = `${event.requestContext.http.method} ${event.rawPath}`;
    if (invocation.outcome === 'ok') {
      const response = invocation.response as APIGatewayProxyResultV2;
      const status = typeof response === 'object' && response !== null ? (response.statusCode ?? 200) : 200;
      // The API logs each request itself; the runtime adds its view (duration, cold start) at debug.
      log.event('api', status >= 500 ? 'error' : 'debug', `${request} → ${status}`, {
        ms: invocation.durationMs,
        cold: invocation.cold || undefined,
      });
      return response;
    }
    log.event('api', 'error', `${request} → 500 (function ${invocation.outcome})`, {
      ms: invocation.durationMs,
      error: invocation.outcome === 'error' ? describeThreadError(invocation.error) : undefined,
    });
    throw new LocalRuntimeError(`The API function ended with ${invocation.outcome}`);
  };
  try {
    return await startHttpApi({
      handler,
      port: options.port,
      functionName: LOCAL_API.functionName,
      timeoutMs: LOCAL_API.timeoutSeconds * 1000,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError('api', options.port, error);
    throw error;
  }
}
