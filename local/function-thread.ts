/**
 * The inside of one local function instance: a worker thread that loads a bundled handler once
 * (the cold start) and then runs one invocation at a time, keeping module scope between them like a
 * warm Lambda execution environment. The runtime (./local-function.ts) terminates the thread at the
 * function timeout; nothing here races the deadline, exactly as nothing inside Lambda does.
 *
 * This file is bundled by esbuild and started with `new Worker(...)`; it must not be imported.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLambdaContext } from './lambda-context.js';

export interface ThreadData {
  /** `file:` URL of the bundled entry. */
  readonly entryUrl: string;
  /** The export to call. */
  readonly handlerName: string;
  readonly functionName: string;
  readonly memoryMiB: number;
  readonly timeoutMs: number;
  readonly region: string;
}

export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  readonly event: unknown;
  readonly requestId: string;
  readonly deadlineMs: number;
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
}

export type ThreadMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly id: number; readonly response: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError };

type Handler = (event: unknown, context: unknown) => unknown;

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return {
    name: 'Error',
    message: typeof error === 'string' ? error : JSON.stringify(error),
    stack: undefined,
  };
}

async function main(port: NonNullable<typeof parentPort>, data: ThreadData): Promise<void> {
  process.setSourceMapsEnabled(true);
  let handler: Handler;
  try {
    const module = (await import(data.entryUrl)) as Record<string, unknown>;
    const exported = module[data.handlerName];
    if (typeof exported !== 'function') {
      throw Object.assign(new Error(`${data.entryUrl} does not export a function "${data.handlerName}"`), {
        name: 'Runtime.HandlerNotFound',
      });
    }
    handler = exported as Handler;
  } catch (error) {
    port.postMessage({ type: 'init-error', error: serializeError(error) } satisfies ThreadMessage);
    return;
  }
  port.on('message', (message: InvokeMessage) => {
    const context = createLambdaContext({
      functionName: data.functionName,
      timeoutMs: data.timeoutMs,
      deadlineMs: message.deadlineMs,
      memoryMiB: data.memoryMiB,
      requestId: message.requestId,
      region: data.region,
    });
    Promise.resolve()
      .then(() => handler(message.event, context))
      // Lambda returns the response as JSON: what cannot be serialized does not arrive.
      .then((response) => (response === undefined ? null : (JSON.parse(JSON.stringify(response)) as unknown)))
      .then(
        (response) => port.postMessage({ type: 'result', id: message.id, response } satisfies ThreadMessage),
        (error: unknown) =>
          port.postMessage({
            type: 'error',
            id: message.id,
            error: serializeError(error),
          } satisfies ThreadMessage),
      );
  });
  port.postMessage({ type: 'ready' } satisfies ThreadMessage);
}

if (parentPort) await main(parentPort, workerData as ThreadData);
