/**
 * Starting many pieces, any of which may fail: each started piece registers how to stop it, and a
 * failure — or `stop()` — stops everything started so far, in reverse order, each step at most
 * once and none of them able to stop the others from running.
 */

export class Teardown {
  readonly #steps: (() => Promise<void>)[] = [];
  readonly #onError: (error: unknown) => void;
  #running: Promise<void> | undefined;

  /** @param onError hears a step that failed; the remaining steps still run. */
  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Registers a step to run at teardown (last registered, first run). */
  add(step: () => Promise<void>): void {
    this.#steps.push(step);
  }

  /** Waits for a piece to start and registers its `stop`. */
  async track<T extends { stop(): Promise<void> }>(starting: Promise<T>): Promise<T> {
    const started = await starting;
    this.add(() => started.stop());
    return started;
  }

  /** Runs every registered step once, in reverse. Idempotent: a second call waits for the first. */
  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps.splice(0).reverse()) {
        await step().catch(this.#onError);
      }
    })();
    return this.#running;
  }
}

/** Like `Promise.all`, but waits for every promise before throwing the first failure. */
export async function allStarted<T extends readonly unknown[]>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}
