/**
 * The worker runtime's own numbers and log messages, named once so that the docs, the tests and
 * the tools that read the logs point at them instead of copying them.
 */

/** The numbers of the runtime's own behaviour, named so the docs and tests can point at them. */
export const WORKER_RULES = {
  /** A record handed back unstarted becomes receivable again after this long. */
  handBackDelaySeconds: 1,
  /** The worker stops waiting for handlers this long before the hard deadline (at most half the margin). */
  hardStopReserveMs: 1_000,
  /** Dead-letter reasons are cut to this many characters. */
  maxReasonLength: 1_024,
  /**
   * Error codes are cut to this many characters. A code is an identifier that operators filter on
   * (a dead-letter attribute, the ledger's last error, `--error-code`), but for an error outside
   * the `JobError` family it is the error's `name`, which any library may set to anything: the cut
   * keeps every real code whole while bounding what one odd error adds to each message and record.
   */
  maxErrorCodeLength: 256,
  /** A claim's lease exceeds the function timeout by this much, for clock skew. */
  leaseSlackMs: 1_000,
  /**
   * Rounds of a settle call (a ledger write or SQS send that seals a record's fate) before the
   * worker gives up on it for this invocation, on top of the SDK's own attempts. A call that failed
   * through all of those met more than a blip; a few rounds over a second or two ride out most.
   */
  settleRounds: 4,
  /** Backoff between settle rounds: from this, doubling, with equal jitter. */
  settleBaseDelayMs: 200,
  /** A new settle round starts only while at least this long is left before the hard stop. */
  settleMinRemainingMs: 1_000,
} as const;

/**
 * The messages of the worker's own log lines, so that tools reading the logs (the chaos run counts
 * hard stops and dropped duplicates by them) name them instead of copying the text.
 */
export const WORKER_LOG_MESSAGES = {
  hardStop: 'Record still running at the hard stop; left for redelivery',
  unsettled: 'Worker could not settle a record; it stays on the queue',
  claimFailed: 'Could not claim the job; its record is handed back unstarted',
  alreadySettled: 'Job already settled; message dropped',
  retrying: 'Attempt failed; retrying',
  deadLettered: 'Job dead-lettered',
  handBackResendFailed: 'Re-send of a handed-back record failed; changing its visibility instead',
  visibilityChangeFailed: 'ChangeMessageVisibility failed',
  deleteFailed: 'Deleting a settled record failed; the event source deletes it',
  metricsFailed: 'Writing metrics failed',
  settleRetried: 'A settle call failed; trying again',
  retryNotRecorded: 'Could not record a failed attempt in the ledger; retrying it anyway',
  retryResendFailed: 'Re-send of a retry failed; its visibility carries the backoff instead',
  settlementHandedBack: 'Could not record the end of a job; its outcome travels with its message',
  settlementWritten: 'Recorded the end of a job from its message',
  deadAgain: 'Dead job delivered again without a redrive; dead-lettered with its recorded reason',
  deferred: 'Job deferred by its declared limit',
  rateStart: 'Start granted under the rate limit',
  duplicateDropped: 'Duplicate of a unique job dropped',
  duplicateNotRecorded: 'Could not count a dropped duplicate on the job holding its unique key',
  limitStateFailed: 'Could not read or write limit state; the job is deferred',
  slotNotReleased: 'Could not give a concurrency slot back; it frees itself when its lease ends',
} as const;
