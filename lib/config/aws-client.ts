/**
 * The configuration every AWS SDK client of Hangar's functions is built with: the explicit
 * timeouts and retries of `AWS_CLIENT_TIMEOUTS`. The SDK builds its `NodeHttpHandler` from these
 * options itself, so no HTTP handler package is imported here.
 */
import { AWS_CLIENT_TIMEOUTS } from '../constants.js';

/** What `awsClientConfig()` returns: spread it into any `@aws-sdk/client-*` constructor. */
export interface AwsClientConfig {
  readonly requestHandler: {
    readonly connectionTimeout: number;
    readonly requestTimeout: number;
    /** Without it the SDK only logs a warning when `requestTimeout` passes, and keeps waiting. */
    readonly throwOnRequestTimeout: true;
  };
  readonly maxAttempts: number;
  readonly retryMode: 'standard';
}

/**
 * A fresh client configuration (each client gets its own handler and connection pool).
 *
 * @example
 * const ses = new SESClient(awsClientConfig());
 */
export function awsClientConfig(): AwsClientConfig {
  return {
    requestHandler: {
      connectionTimeout: AWS_CLIENT_TIMEOUTS.connectionTimeoutMs,
      requestTimeout: AWS_CLIENT_TIMEOUTS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
    maxAttempts: AWS_CLIENT_TIMEOUTS.maxAttempts,
    retryMode: 'standard',
  };
}
