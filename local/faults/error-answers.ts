/**
 * The error answers the fault layer gives in place of a service: the codes each service uses for
 * an internal failure, an outage and throttling, encoded in the request's wire protocol exactly as
 * the service would, so that the SDK classifies them as it classifies the real ones (retryable
 * 5xx; throttling, retried with the throttling backoff) and a handler sees the real error name.
 */
import { randomUUID } from 'node:crypto';
import type { FaultKind, FaultService } from './fault-plan.js';
import type { WireProtocol } from './operation.js';

export type ErrorKind = Extract<FaultKind, 'error500' | 'error503' | 'throttling'>;

interface ServiceError {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

/** Each service's errors, from its API model (the status an SDK model gives the code). */
const SERVICE_ERRORS: Readonly<
  Record<FaultService, { readonly namespace: string } & Readonly<Record<ErrorKind, ServiceError>>>
> = {
  sqs: {
    namespace: 'com.amazonaws.sqs',
    error500: {
      code: 'InternalFailure',
      status: 500,
      message: 'We encountered an internal error. Please try again.',
    },
    error503: { code: 'ServiceUnavailable', status: 503, message: 'Service is unable to handle request.' },
    // The SQS model's own throttling error (awsQueryError "RequestThrottled", HTTP 403).
    throttling: { code: 'RequestThrottled', status: 403, message: 'Request is throttled.' },
  },
  dynamodb: {
    namespace: 'com.amazonaws.dynamodb.v20120810',
    error500: { code: 'InternalServerError', status: 500, message: 'Internal server error' },
    error503: { code: 'ServiceUnavailable', status: 503, message: 'Service unavailable' },
    // What a table (provisioned or on-demand) answers when its throughput is exceeded.
    throttling: {
      code: 'ProvisionedThroughputExceededException',
      status: 400,
      message:
        'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    },
  },
  ses: {
    namespace: 'com.amazonaws.ses',
    error500: { code: 'InternalFailure', status: 500, message: 'An internal failure occurred.' },
    error503: { code: 'ServiceUnavailable', status: 503, message: 'Service unavailable.' },
    // SES v1's answer to a send above the account's maximum sending rate.
    throttling: { code: 'Throttling', status: 400, message: 'Maximum sending rate exceeded.' },
  },
};

/** SES v2 (REST JSON) throttles with its own code and status. */
const REST_THROTTLING: ServiceError = {
  code: 'TooManyRequestsException',
  status: 429,
  message: 'Maximum sending rate exceeded.',
};

export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export function errorAnswer(service: FaultService, protocol: WireProtocol, kind: ErrorKind): ErrorAnswer {
  const { namespace, [kind]: base } = SERVICE_ERRORS[service];
  const error = protocol === 'rest-json' && kind === 'throttling' ? REST_THROTTLING : base;
  const requestId = randomUUID();
  const fault = error.status >= 500 ? 'Receiver' : 'Sender';
  switch (protocol) {
    case 'json':
      return {
        status: error.status,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': requestId,
          // Query-compatible services (SQS) name the error's query code here; the SDK reads it first.
          'x-amzn-query-error': `${error.code};${fault}`,
        },
        body: JSON.stringify({ __type: `${namespace}#${error.code}`, message: error.message }),
      };
    case 'query':
      return {
        status: error.status,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body:
          `<ErrorResponse xmlns="http://${service}.amazonaws.com/doc/2010-12-01/"><Error><Type>${fault}</Type>` +
          `<Code>${error.code}</Code><Message>${error.message}</Message></Error>` +
          `<RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    case 'rest-json':
      return {
        status: error.status,
        headers: {
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amzn-errortype': error.code,
        },
        body: JSON.stringify({ message: error.message }),
      };
  }
}
