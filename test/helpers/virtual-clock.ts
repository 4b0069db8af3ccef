import { createClock, type TimerId } from '@sinonjs/fake-timers';
import type { Clock } from '../../lib/worker/deadline.js';

/**
 * A clock that moves only when the test moves it: a standalone @sinonjs/fake-timers clock, installed
 * nowhere, so the emulators and the SDK keep real time. Handed to the local event source, it runs
 * the invocations' remaining time, the worker's deadline (signal and hard stop) and the function
 * timeout: what fits in an invocation then depends on the test's steps, never on the machine's speed.
 */
export interface VirtualClock extends Clock {
  /** Moves the clock forward, firing every timer due on the way. */
  tick(ms: number): void;
  /** Moves the clock to its next timer and fires it (the deadline's signal, during an invocation). */
  next(): void;
}

export function virtualClock(start: number = Date.now()): VirtualClock {
  const fake = createClock(start);
  return {
    now: () => fake.now,
    setTimeout: (callback, delayMs, arg) => fake.setTimeout(() => callback(arg), delayMs),
    clearTimeout(handle: TimerId) {
      fake.clearTimeout(handle);
    },
    tick: (ms) => {
      fake.tick(ms);
    },
    next: () => {
      fake.next();
    },
  };
}
