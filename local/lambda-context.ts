import type { Context } from 'aws-lambda';

export interface LambdaContextOptions {
  readonly functionName: string;
  /** The function timeout; `getRemainingTimeInMillis` counts down from it on `Date.now()`. */
  readonly timeoutMs: number;
  readonly memoryMiB?: number;
  readonly requestId?: string;
}

/** A Lambda `Context` as the runtime builds it for one invocation. */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const deadline = Date.now() + options.timeoutMs;
  const requestId = options.requestId ?? crypto.randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryMiB ?? 512),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
