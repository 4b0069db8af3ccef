import type { Context } from 'aws-lambda';
import { createLambdaContext } from '../../local/lambda-context.js';

/**
 * A Lambda context whose remaining time counts down from `timeoutMs` on `Date.now()`, so fake
 * timers drive it the same way they drive the worker's own timers.
 */
export function fakeContext(timeoutMs: number, functionName = 'hangar-test-worker'): Context {
  return createLambdaContext({ functionName, timeoutMs, requestId: `req-${Date.now()}` });
}
