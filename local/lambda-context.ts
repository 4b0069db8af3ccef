import type { Context } from 'aws-lambda';
import type { Clock, DeadlineContext } from '../lib/worker/deadline.js';

export interface LambdaContextOptions {
  readonly functionName: string;
  /** The function timeout; `getRemainingTimeInMillis` counts down from it on the clock. */
  readonly timeoutMs: number;
  /**
   * The invocation's deadline (epoch ms), when the caller started the clock: a function running in
   * a worker thread counts down from the moment the runtime invoked it, not from when the thread
   * got the message. @default now + timeoutMs
   */
  readonly deadlineMs?: number;
  /**
   * The clock the remaining time counts on, handed on to the worker's deadline: a test passes a
   * virtual one and moves it instead of waiting. @default the system clock
   */
  readonly clock?: Clock;
  readonly memoryMiB?: number;
  readonly requestId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
}

/** A Lambda `Context` as the runtime builds it for one invocation (with the clock it counts on, if given). */
export function createLambdaContext(options: LambdaContextOptions): Context & DeadlineContext {
  const { clock } = options;
  const now = clock ? () => clock.now() : () => Date.now();
  const deadline = options.deadlineMs ?? now() + options.timeoutMs;
  const requestId = options.requestId ?? crypto.randomUUID();
  const region = options.region ?? 'us-east-1';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryMiB ?? 512),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...(clock ? { clock } : {}),
  };
}
