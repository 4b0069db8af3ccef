import type { Context } from 'aws-lambda';

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
  /** Milliseconds until the signal fires (0 once it has). */
  remainingMs(): number;
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
 */
export function createDeadline(
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  marginMs: number,
  reserveMs: number,
): Deadline {
  const startedAt = Date.now();
  const remaining = context.getRemainingTimeInMillis();
  const abortIn = Math.max(0, remaining - marginMs);
  const controller = new AbortController();
  const abortTimer = setTimeout(() => controller.abort(new DeadlineReachedError(marginMs)), abortIn);
  let stopTimer: ReturnType<typeof setTimeout> | undefined;
  const hardStop = new Promise<void>((resolve) => {
    stopTimer = setTimeout(resolve, Math.max(0, remaining - Math.min(reserveMs, marginMs)));
  });
  if (abortIn === 0) controller.abort(new DeadlineReachedError(marginMs));
  return {
    signal: controller.signal,
    remainingMs: () => Math.max(0, startedAt + abortIn - Date.now()),
    hardStop,
    dispose() {
      clearTimeout(abortTimer);
      clearTimeout(stopTimer);
    },
  };
}
