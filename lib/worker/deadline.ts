/**
 * The deadline of one invocation: the signal handlers get `deadlineMarginMs` before Lambda's
 * deadline, and the hard stop at which the worker stops waiting for them.
 */
import type { Context } from 'aws-lambda';

/**
 * Where a deadline reads the time and sets its timers. Lambda has one clock, the system's; the
 * local runtime lets a test bring a virtual one on the context, so it moves time instead of
 * waiting for it.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `callback(arg)` after `delayMs`; the handle is for `clearTimeout`. */
  setTimeout<A>(callback: (arg: A) => void, delayMs: number, arg: A): unknown;
  clearTimeout(handle: unknown): void;
}

/** The system clock, looked up at each call so that vitest's fake timers drive it too. */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs, arg) => setTimeout(callback, delayMs, arg),
  clearTimeout(handle: ReturnType<typeof setTimeout> | undefined) {
    clearTimeout(handle);
  },
};

/**
 * What a deadline reads from the Lambda context: its remaining time, and the clock that time counts
 * on when the context names one (a test's, through `createLambdaContext`); otherwise the system's.
 */
export interface DeadlineContext extends Pick<Context, 'getRemainingTimeInMillis'> {
  readonly clock?: Clock;
}

/** Why a job's signal fired. */
export class DeadlineReachedError extends Error {
  constructor(marginMs: number) {
    super(`The invocation is ${marginMs} ms from its deadline`);
    this.name = 'DeadlineReachedError';
  }
}

export interface Deadline {
  /** Fires `marginMs` before the Lambda deadline. */
  readonly signal: AbortSignal;
  /** Whether the margin has been reached (the signal has fired, or fires as soon as it is read). */
  readonly reached: boolean;
  /** Milliseconds until the signal fires (0 once it has). */
  remainingMs(): number;
  /** Milliseconds until the hard stop (0 once it has come): how long the worker may still settle. */
  untilHardStopMs(): number;
  /**
   * Resolves shortly before the hard deadline: the worker stops waiting for handlers that ignore
   * their signal and reports what is unfinished, so the invocation itself never times out.
   */
  readonly hardStop: Promise<void>;
  dispose(): void;
}

/**
 * Creates the deadline of one invocation. It is made per invocation, never at module scope: a warm
 * Lambda environment reuses module state, and a signal aborted in one invocation must not leak
 * into the next.
 *
 * @param marginMs how long before the deadline the signal fires
 * @param reserveMs how long before the deadline the worker stops waiting (≤ marginMs)
 * @example
 * const deadline = createDeadline(context, 3_000, 1_000);
 * try { await Promise.race([work(deadline.signal), deadline.hardStop]); } finally { deadline.dispose(); }
 */
export function createDeadline(context: DeadlineContext, marginMs: number, reserveMs: number): Deadline {
  return new InvocationDeadline(context, marginMs, reserveMs);
}

/**
 * One timer per invocation, and nothing else unless asked for. Most invocations end long before
 * their margin and most handlers never read their signal, so the `AbortController` and the
 * hard-stop promise are made on first use; the timer fires at the margin (aborting the signal, if
 * one was made) and re-arms itself for the hard stop.
 */
class InvocationDeadline implements Deadline {
  readonly #marginMs: number;
  readonly #clock: Clock;
  /** Epoch milliseconds of the margin and of the hard stop. */
  readonly #abortAt: number;
  readonly #stopAt: number;
  #reached: boolean;
  #stopped = false;
  #timer: unknown;
  #controller: AbortController | undefined;
  #hardStop: Promise<void> | undefined;
  #resolveStop: (() => void) | undefined;

  constructor(context: DeadlineContext, marginMs: number, reserveMs: number) {
    const clock = context.clock ?? SYSTEM_CLOCK;
    const now = clock.now();
    const remaining = context.getRemainingTimeInMillis();
    const abortIn = Math.max(0, remaining - marginMs);
    this.#marginMs = marginMs;
    this.#clock = clock;
    this.#abortAt = now + abortIn;
    this.#stopAt = now + Math.max(0, remaining - Math.min(reserveMs, marginMs));
    this.#reached = abortIn === 0;
    // The callback gets the deadline as an argument: no closure per invocation.
    this.#timer = this.#reached
      ? clock.setTimeout(fireStop, this.#stopAt - now, this)
      : clock.setTimeout(fireMargin, abortIn, this);
  }

  get reached(): boolean {
    return this.#reached;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reached) this.#controller.abort(new DeadlineReachedError(this.#marginMs));
    }
    return this.#controller.signal;
  }

  get hardStop(): Promise<void> {
    if (this.#hardStop === undefined) {
      this.#hardStop = this.#stopped
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            this.#resolveStop = resolve;
          });
    }
    return this.#hardStop;
  }

  remainingMs(): number {
    return Math.max(0, this.#abortAt - this.#clock.now());
  }

  untilHardStopMs(): number {
    return Math.max(0, this.#stopAt - Date.now());
  }

  dispose(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** @internal the timer reached the margin. */
  margin(): void {
    this.#reached = true;
    this.#controller?.abort(new DeadlineReachedError(this.#marginMs));
    this.#timer = this.#clock.setTimeout(fireStop, Math.max(0, this.#stopAt - this.#clock.now()), this);
  }

  /** @internal the timer reached the hard stop. */
  stop(): void {
    this.#timer = undefined;
    this.#stopped = true;
    this.#resolveStop?.();
  }
}

function fireMargin(deadline: InvocationDeadline): void {
  deadline.margin();
}

function fireStop(deadline: InvocationDeadline): void {
  deadline.stop();
}
