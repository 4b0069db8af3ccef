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

/** `awsClientConfig()` for an SQS client, which must also send every call to its configured endpoint. */
export interface SqsClientConfig extends AwsClientConfig {
  /**
   * Off: the SDK otherwise sends a call to its queue URL's host whenever the endpoint does not come
   * from the client's own options, so `AWS_ENDPOINT_URL_SQS` (a VPC interface endpoint, a FIPS
   * endpoint, a proxy) would be bypassed. The regional endpoint serves every queue URL of its region.
   */
  readonly useQueueUrlAsEndpoint: false;
}

/**
 * The configuration of an SQS client.
 * @example
 * const sqs = new SQSClient(sqsClientConfig());
 */
export function sqsClientConfig(): SqsClientConfig {
  return { ...awsClientConfig(), useQueueUrlAsEndpoint: false };
}
