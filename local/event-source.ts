/**
 * A local stand-in for Lambda's SQS event source mapping: long-polls a queue, gathers a batch
 * (batch size, batching window), invokes the function with a Lambda-like event and context, and
 * deletes exactly the records the function did not report as failed. An invocation that throws or
 * outlives the function timeout deletes nothing, as in Lambda; a malformed partial batch response
 * fails the whole batch, as in Lambda. Invocations run at most `maxConcurrency` at once (one per
 * poller), the event source mapping's maximum concurrency.
 *
 * The function is either a handler called in this thread (tests of the worker runtime) or a
 * `LocalFunction` whose instances are worker threads terminated at the timeout (the local runtime).
 *
 * Like a mapping, it can be disabled and enabled (`pause`, `resume`): a disabled source receives
 * nothing, so messages wait on the queue. A pause takes effect when each poller's current long
 * poll and invocation end — a long poll is never cut short, because fauxqs keeps the waiter of an
 * abandoned poll and would hand it the next message, hiding that message for a visibility timeout.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AWS_CLIENT_TIMEOUTS, SQS_LIMITS } from '../lib/constants.js';
import { type Clock, SYSTEM_CLOCK } from '../lib/worker/deadline.js';
import { LocalRuntimeError } from './errors.js';
import { createLambdaContext } from './lambda-context.js';
import type { LocalFunction } from './local-function.js';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

/** The function behind the event source: in this thread, or a local function's worker threads. */
export type EventSourceTarget =
  | { readonly handler: SqsHandler; readonly function?: never }
  | { readonly function: Pick<LocalFunction, 'invoke' | 'name'>; readonly handler?: never };

export type EventSourceOptions = EventSourceTarget & EventSourceSettingsOptions;

export interface EventSourceSettingsOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Records per invocation (the settings' `eventSource.batchSize`). */
  readonly batchSize: number;
  /** Seconds to wait for a fuller batch (the settings' `eventSource.maxBatchingWindowSeconds`). */
  readonly maxBatchingWindowSeconds: number;
  /** The function timeout: the context counts down from it and an invocation is abandoned at it. */
  readonly functionTimeoutSeconds: number;
  readonly functionName?: string;
  /** Pollers, i.e. concurrent invocations. @default 1 */
  readonly maxConcurrency?: number;
  /** Long-poll wait per receive. @default 20, as Lambda does */
  readonly pollWaitSeconds?: number;
  /** Called after each invocation, for logs and tests. */
  readonly onInvocation?: (report: InvocationReport) => void;
  /** Start disabled (a mapping paused before a restart): nothing is received until `resume()`. @default true */
  readonly enabled?: boolean;
  /**
   * The clock of the batching window, of an in-thread handler's context and of its timeout: a test
   * passes a virtual one and moves it, so what fits in a batch or an invocation never depends on
   * how fast the machine is. @default the system clock
   */
  readonly clock?: Clock;
}

export interface InvocationReport {
  readonly records: number;
  readonly deleted: number;
  readonly failed: number;
  /**
   * `error`: the function threw (or its response was not a valid partial batch response);
   * `timeout`: it outlived the function timeout. Nothing is deleted then.
   */
  readonly outcome: 'ok' | 'error' | 'timeout';
  /** Epoch milliseconds the invocation began. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly error?: unknown;
  /** A new function instance served it (worker-thread functions only). */
  readonly cold?: boolean;
  /** The message ids of the batch, in order. */
  readonly messageIds?: readonly string[];
}

export interface EventSource {
  /** Stops polling, waits for in-flight invocations, and resolves. */
  stop(): Promise<void>;
  /**
   * Disables the source: no poller starts another receive. Resolves when every poller is idle
   * (its current long poll and invocation done), i.e. when nothing more will be invoked — or when
   * a `resume()` overtakes it.
   */
  pause(): Promise<void>;
  /** Enables the source again: the pollers receive at once. */
  resume(): void;
  /** False between `pause()` and `resume()`. */
  readonly enabled: () => boolean;
  /** Invocations so far. */
  readonly invocations: () => number;
  /** The values this event source runs with, as an event source mapping reports them. */
  readonly mapping: EventSourceMapping;
}

/** An event source mapping's values, named as the settings module names them. */
export interface EventSourceMapping {
  readonly queueArn: string;
  readonly functionName: string;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly maxConcurrency: number;
  /** Always on: a function reports failed records, and the rest are deleted. */
  readonly reportBatchItemFailures: true;
}

const TIMED_OUT = Symbol('timed out');

type Called =
  | { readonly outcome: 'ok'; readonly response: unknown; readonly cold?: boolean }
  | { readonly outcome: 'error'; readonly error: unknown; readonly cold?: boolean }
  | { readonly outcome: 'timeout'; readonly cold?: boolean };

/**
 * Reads a function's response as Lambda reads a partial batch response: no response, no list or an
 * empty list is complete success; an item without a usable `itemIdentifier`, or one naming a message
 * not in the batch, makes the whole batch a failure.
 */
export function parseBatchResponse(
  response: unknown,
  event: SQSEvent,
): { readonly ok: true; readonly failedIds: Set<string> } | { readonly ok: false; readonly reason: string } {
  if (response === null || response === undefined) return { ok: true, failedIds: new Set() };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { ok: false, reason: 'the response is not an object' };
  }
  const failures: unknown = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === null || failures === undefined) return { ok: true, failedIds: new Set() };
  if (!Array.isArray(failures)) return { ok: false, reason: 'batchItemFailures is not a list' };
  const inBatch = new Set(event.Records.map((r) => r.messageId));
  const failedIds = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id =
      typeof failure === 'object' && failure !== null
        ? (failure as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof id !== 'string' || id === '')
      return { ok: false, reason: 'an itemIdentifier is missing or empty' };
    if (!inBatch.has(id)) return { ok: false, reason: `itemIdentifier "${id}" is not in the batch` };
    failedIds.add(id);
  }
  return { ok: true, failedIds };
}

export async function startEventSource(options: EventSourceOptions): Promise<EventSource> {
  const { sqs, queueUrl } = options;
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = attributes.Attributes?.QueueArn ?? queueUrl;
  const region = queueArn.split(':')[3] ?? 'us-east-1';
  const functionName =
    options.function?.name ?? options.functionName ?? `${queueArn.split(':').pop() ?? 'queue'}-worker`;
  const timeoutMs = options.functionTimeoutSeconds * 1000;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const stopping = new AbortController();
  let invocations = 0;

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    try {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(max, SQS_LIMITS.batchEntries),
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
          AttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        // A long poll may take its whole wait: its attempt gets the wait on top of the usual time.
        {
          abortSignal: stopping.signal,
          requestTimeout: waitSeconds * 1000 + AWS_CLIENT_TIMEOUTS.requestTimeoutMs,
        },
      );
      return out.Messages ?? [];
    } catch (error) {
      if (stopping.signal.aborted) return [];
      throw error;
    }
  };

  const gather = async (): Promise<Message[]> => {
    const batch = await receive(options.batchSize, options.pollWaitSeconds ?? 20);
    if (batch.length === 0) return batch;
    const windowEnds = clock.now() + options.maxBatchingWindowSeconds * 1000;
    while (batch.length < options.batchSize && clock.now() < windowEnds && !stopping.signal.aborted) {
      const waitSeconds = Math.min(20, Math.floor((windowEnds - clock.now()) / 1000));
      const more = await receive(options.batchSize - batch.length, waitSeconds);
      if (more.length === 0 && waitSeconds === 0) break;
      batch.push(...more);
    }
    return batch;
  };

  const call = async (event: SQSEvent): Promise<Called> => {
    if (options.function) {
      const invocation = await options.function.invoke(event);
      if (invocation.outcome === 'ok')
        return { outcome: 'ok', response: invocation.response, cold: invocation.cold };
      if (invocation.outcome === 'timeout') return { outcome: 'timeout', cold: invocation.cold };
      return { outcome: 'error', error: invocation.error, cold: invocation.cold };
    }
    const context = createLambdaContext({ functionName, timeoutMs, clock: options.clock });
    let timer: unknown;
    const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = clock.setTimeout(resolve, timeoutMs, TIMED_OUT);
    });
    try {
      const result = await Promise.race([options.handler(event, context), timedOut]);
      return result === TIMED_OUT ? { outcome: 'timeout' } : { outcome: 'ok', response: result };
    } catch (error) {
      return { outcome: 'error', error };
    } finally {
      clock.clearTimeout(timer);
    }
  };

  const invoke = async (messages: Message[]) => {
    invocations += 1;
    const started = Date.now();
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, queueArn, region)) };
    const called = await call(event);
    let outcome: InvocationReport['outcome'] = called.outcome;
    let error: unknown = called.outcome === 'error' ? called.error : undefined;
    let failedIds = new Set<string>();
    if (called.outcome === 'ok') {
      const parsed = parseBatchResponse(called.response, event);
      if (parsed.ok) failedIds = parsed.failedIds;
      else {
        outcome = 'error';
        error = new LocalRuntimeError(
          `Invalid partial batch response: ${parsed.reason}; the whole batch failed`,
        );
      }
    }
    const toDelete =
      outcome === 'ok'
        ? messages.filter((m) => m.MessageId !== undefined && !failedIds.has(m.MessageId))
        : [];
    for (let i = 0; i < toDelete.length; i += SQS_LIMITS.batchEntries) {
      const chunk = toDelete.slice(i, i + SQS_LIMITS.batchEntries);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    options.onInvocation?.({
      records: messages.length,
      deleted: toDelete.length,
      failed: messages.length - toDelete.length,
      outcome,
      startedAt: started,
      durationMs: Date.now() - started,
      ...(error === undefined ? {} : { error }),
      ...(called.cold === undefined ? {} : { cold: called.cold }),
      messageIds: messages.map((m) => m.MessageId ?? ''),
    });
  };

  const maxConcurrency = Math.max(1, options.maxConcurrency ?? 1);
  const stopped = new Promise<void>((resolve) =>
    stopping.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  // Closed while disabled: pollers wait here, counted, instead of receiving.
  let gate: PromiseWithResolvers<void> | undefined =
    options.enabled === false ? Promise.withResolvers<void>() : undefined;
  let idle = 0;
  let idleWaiters: (() => void)[] = [];
  const settleIdle = () => {
    if (idle < maxConcurrency && !stopping.signal.aborted) return;
    for (const resolve of idleWaiters) resolve();
    idleWaiters = [];
  };

  const poller = async () => {
    while (!stopping.signal.aborted) {
      if (gate) {
        idle += 1;
        settleIdle();
        await Promise.race([gate.promise, stopped]);
        idle -= 1;
        continue;
      }
      try {
        const messages = await gather();
        if (messages.length > 0) await invoke(messages);
      } catch (error) {
        if (stopping.signal.aborted) break;
        // A failed receive or delete (emulator restarting, say): back off briefly and poll again.
        options.onInvocation?.({
          records: 0,
          deleted: 0,
          failed: 0,
          outcome: 'error',
          startedAt: Date.now(),
          durationMs: 0,
          error,
        });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };

  const pollers = Array.from({ length: maxConcurrency }, poller);
  return {
    invocations: () => invocations,
    mapping: {
      queueArn,
      functionName,
      batchSize: options.batchSize,
      maxBatchingWindowSeconds: options.maxBatchingWindowSeconds,
      maxConcurrency,
      reportBatchItemFailures: true,
    },
    enabled: () => gate === undefined,
    pause() {
      gate ??= Promise.withResolvers<void>();
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
    },
    resume() {
      gate?.resolve();
      gate = undefined;
      // A pause still waiting for its pollers is over: it answers, and `enabled()` tells it lost.
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    },
    async stop() {
      stopping.abort();
      settleIdle();
      await Promise.all(pollers);
    },
  };
}

/** An SQS message as Lambda's event source hands it to a function. */
export function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const system = message.Attributes ?? {};
  const attributes: SQSRecord['attributes'] = {
    ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
    SentTimestamp: system.SentTimestamp ?? String(Date.now()),
    SenderId: system.SenderId ?? 'local',
    ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  if (system.MessageGroupId !== undefined) attributes.MessageGroupId = system.MessageGroupId;
  if (system.MessageDeduplicationId !== undefined)
    attributes.MessageDeduplicationId = system.MessageDeduplicationId;
  if (system.SequenceNumber !== undefined) attributes.SequenceNumber = system.SequenceNumber;
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined
        ? {}
        : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
