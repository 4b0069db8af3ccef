/**
 * The job context: what a handler gets besides its payload (`JobContext`) — the attempt's
 * identity, the invocation's signal and remaining time, a logger that names the job, and the two
 * things a handler may ask of the worker: a continuation and a progress record.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { JobError } from '../errors.js';
import type { Attempt } from './attempt.js';
import type { InvocationScope } from './runtime.js';
import { sendContinuation } from './sqs-actions.js';
import type { JobContext } from './types.js';

/**
 * The `JobContext` a handler gets. A class, not an object literal: its accessors and methods live
 * on the prototype, so a record costs one small object instead of a literal with a getter and
 * three closures; everything else is read from the attempt, not copied.
 * (Call its methods on the context: `context.continueWith(…)`.)
 */
export class AttemptContext implements JobContext {
  readonly #rt: InvocationScope;
  readonly #attempt: Attempt;
  // Built on first use: a child logger costs tens of microseconds, more than a no-op job itself.
  #logger: Logger | undefined;

  constructor(rt: InvocationScope, attempt: Attempt) {
    this.#rt = rt;
    this.#attempt = attempt;
    this.#logger = undefined;
  }

  get jobId(): string {
    return this.#attempt.envelope.jobId;
  }

  get jobName(): string {
    return this.#attempt.binding.job.name;
  }

  get attempt(): number {
    return this.#attempt.attempt;
  }

  get continuation(): number {
    return this.#attempt.envelope.continuation;
  }

  get enqueuedAt(): string {
    return this.#attempt.envelope.enqueuedAt;
  }

  get scheduledAt(): string | undefined {
    return this.#attempt.envelope.runAt;
  }

  get correlationId(): string | undefined {
    return this.#attempt.envelope.correlationId;
  }

  get idempotencyKey(): string | undefined {
    return this.#attempt.envelope.idempotencyKey;
  }

  // The invocation's signal, made when a handler first asks for it (see deadline.ts).
  get signal(): AbortSignal {
    return this.#rt.deadline.signal;
  }

  get logger(): Logger {
    this.#logger ??= this.#rt.worker.logger.createChild({
      persistentKeys: { jobId: this.jobId, jobName: this.jobName, attempt: this.attempt },
    });
    return this.#logger;
  }

  remainingTimeMs(): number {
    return this.#rt.deadline.remainingMs();
  }

  async continueWith(payload: unknown, options?: { readonly delaySeconds?: number }): Promise<void> {
    const attempt = this.#attempt;
    if (attempt.continuedAs !== undefined) {
      throw new JobError(`Job "${this.jobName}" called continueWith twice in one attempt`, {
        retryable: false,
      });
    }
    const next = this.continuation + 1;
    await sendContinuation(
      this.#rt,
      attempt.job,
      attempt.envelope,
      payload,
      next,
      options?.delaySeconds ?? 0,
    );
    attempt.continuedAs = next;
  }

  async progress(progress: Readonly<Record<string, string | number>>): Promise<void> {
    const { ledger, token } = this.#attempt;
    if (ledger !== undefined && token !== undefined)
      await ledger.progress(this.#attempt.ref, token, progress);
  }
}
