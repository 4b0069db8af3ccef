import { describe, expect, it } from 'vitest';
import {
  DeclinedError,
  EXIT_CODES,
  exitCodeOf,
  InterruptedError,
  NotFoundError,
  OperationFailedError,
  UnreachableError,
  UsageError,
} from '../../cli/errors.js';
import { RequestError, STATUS_BY_CODE } from '../../functions/api/errors.js';
import {
  ConfigError,
  EnqueueError,
  EnvelopeError,
  ERROR_CODES,
  HangarError,
  JobDefinitionError,
  JobError,
  JobValidationError,
  PayloadTooLargeError,
  PermanentJobError,
  RetryableJobError,
  UnknownJobError,
} from '../../lib/index.js';
import {
  ClaimLostError,
  IdempotencyKeyConflictError,
  IdempotencyKeyInUseError,
  JobAlreadyStartedError,
  JobNotFoundError,
} from '../../lib/ledger/index.js';
import { LocalRuntimeError, PortInUseError } from '../../local/errors.js';

const codes: readonly string[] = Object.values(ERROR_CODES);

/** One instance of every error class of the framework, with the code it must carry. */
const FAMILY: readonly [HangarError, string][] = [
  [new JobError('x'), ERROR_CODES.job],
  [new PermanentJobError('x'), ERROR_CODES.permanent],
  [new RetryableJobError('x'), ERROR_CODES.retryable],
  [new JobValidationError('x', []), ERROR_CODES.validation],
  [new UnknownJobError('a.b', []), ERROR_CODES.unknownJob],
  [new EnvelopeError('x'), ERROR_CODES.invalidEnvelope],
  [new PayloadTooLargeError('a.b', 2, 1), ERROR_CODES.payloadTooLarge],
  [new EnqueueError('x'), ERROR_CODES.enqueue],
  [new JobDefinitionError('x'), ERROR_CODES.jobDefinition],
  [new ConfigError('x'), ERROR_CODES.config],
  [new JobNotFoundError('j'), ERROR_CODES.jobNotFound],
  [new JobAlreadyStartedError('j', 'running'), ERROR_CODES.jobAlreadyStarted],
  [new IdempotencyKeyConflictError(), ERROR_CODES.idempotencyKeyConflict],
  [new IdempotencyKeyInUseError(), ERROR_CODES.idempotencyKeyInUse],
  [new ClaimLostError('j', 'succeed'), ERROR_CODES.claimLost],
  [new RequestError(ERROR_CODES.invalidJson, 'x'), ERROR_CODES.invalidJson],
  [new UsageError('x'), ERROR_CODES.usage],
  [new UnreachableError('x'), ERROR_CODES.unreachable],
  [new NotFoundError('x'), ERROR_CODES.notFound],
  [new OperationFailedError('x'), ERROR_CODES.operationFailed],
  [new DeclinedError(), ERROR_CODES.declined],
  [new InterruptedError(), ERROR_CODES.interrupted],
  [new PortInUseError('api', 3000, undefined), ERROR_CODES.portInUse],
  [new LocalRuntimeError('x'), ERROR_CODES.localRuntime],
];

describe('Registry: ERROR_CODES', () => {
  it('holds each code once', () => {
    expect(new Set(codes).size).toBe(codes.length);
  });

  it.each(FAMILY)('gives %o its code from the registry', (error, code) => {
    expect(error).toBeInstanceOf(HangarError);
    expect(error.code).toBe(code);
    expect(codes).toContain(error.code);
  });

  it('keeps codes chosen by handlers open', () => {
    expect(new PermanentJobError('rejected', { code: 'MESSAGE_REJECTED' }).code).toBe('MESSAGE_REJECTED');
  });
});

describe('Mapping: codes to HTTP statuses and exit codes', () => {
  it('maps only registered codes to statuses', () => {
    for (const code of Object.keys(STATUS_BY_CODE)) expect(codes).toContain(code);
  });

  it.each([
    [new UsageError('x'), EXIT_CODES.usage],
    [new UnknownJobError('a.b', []), EXIT_CODES.usage],
    [new ConfigError('x'), EXIT_CODES.usage],
    [new JobDefinitionError('x'), EXIT_CODES.usage],
    [new UnreachableError('x'), EXIT_CODES.unreachable],
    [new NotFoundError('x'), EXIT_CODES.notFound],
    [new JobNotFoundError('j'), EXIT_CODES.notFound],
    [new DeclinedError(), EXIT_CODES.declined],
    [new InterruptedError(), EXIT_CODES.interrupted],
    [new PortInUseError('api', 3000, undefined), EXIT_CODES.failed],
    [new PermanentJobError('x', { code: 'SOMETHING_ELSE' }), EXIT_CODES.failed],
  ])('exits %o with its code', (error, exitCode) => {
    expect(exitCodeOf(error)).toBe(exitCode);
  });
});
