/**
 * A local Lambda function: a pool of instances, each a worker thread (./function-thread.ts) with
 * the environment the stack would set, warm between invocations like an execution environment.
 * An instance runs one invocation at a time. At the function timeout its thread is terminated —
 * whatever the handler had not finished never happens — and the next invocation starts a fresh,
 * cold thread, as Lambda replaces an environment after a timeout.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InvokeMessage, SerializedError, ThreadData, ThreadMessage } from './function-thread.js';

/** Lambda's own limits, named once. */
export const LAMBDA_RULES = {
  /** Lambda gives a function's initialization (module load) 10 s before it fails the invocation. */
  initTimeoutMs: 10_000,
} as const;

export interface LocalFunctionOptions {
  /** The function's name, in logs and the context. */
  readonly name: string;
  /** The bundled entry (an `.mjs` file). */
  readonly bundle: string;
  /** The bundled thread runtime (./function-thread.ts). */
  readonly threadScript: string;
  /** @default 'handler' */
  readonly handlerName?: string;
  /** The thread's whole `process.env`: nothing else from this process leaks in. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  /** Caps the thread's heap, as Lambda's memory setting caps the process. */
  readonly memoryMiB: number;
  /** Instances at most; more invocations wait for one to be free. */
  readonly maxInstances: number;
  readonly region: string;
  /** Every line the function writes to stdout or stderr. */
  readonly onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** What became of an invocation, without its timing. */
export type InvocationResult =
  | { readonly outcome: 'ok'; readonly response: unknown }
  /** The handler threw, the module failed to load, or the thread crashed. */
  | { readonly outcome: 'error'; readonly error: SerializedError }
  /** The function timeout passed; the thread was terminated. */
  | { readonly outcome: 'timeout' };

export type Invocation = InvocationMeta & InvocationResult;

export interface InvocationMeta {
  readonly requestId: string;
  readonly durationMs: number;
  /** A new instance (module load included) served this invocation. */
  readonly cold: boolean;
}

type Settle = (result: Exclude<InvocationResult, { readonly outcome: 'timeout' }>) => void;

class Instance {
  readonly worker: Worker;
  /** Resolves when the handler module is loaded; rejects with its init error. */
  readonly ready: Promise<void>;
  #pending: { readonly id: number; readonly settle: Settle } | undefined;
  #nextId = 0;
  dead = false;

  constructor(options: LocalFunctionOptions, onExit: () => void) {
    const data: ThreadData = {
      entryUrl: pathToFileURL(options.bundle).href,
      handlerName: options.handlerName ?? 'handler',
      functionName: options.name,
      memoryMiB: options.memoryMiB,
      timeoutMs: options.timeoutSeconds * 1000,
      region: options.region,
    };
    this.worker = new Worker(options.threadScript, {
      workerData: data,
      env: { ...options.environment },
      name: options.name,
      // A plain Node process, as Lambda starts one: no loader flags of this process (tsx, vitest).
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMiB },
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = createInterface({ input: this.worker[stream], crlfDelay: Number.POSITIVE_INFINITY });
      lines.on('line', (line) => options.onOutput?.(line, stream));
    }
    let resolveReady: () => void = () => undefined;
    let rejectReady: (error: SerializedError) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    // Observed here so an instance that dies before anyone awaits it leaves no unhandled rejection.
    this.ready.catch(() => undefined);
    this.worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'ready') resolveReady();
      else if (message.type === 'init-error') rejectReady(message.error);
      else if (this.#pending?.id === message.id) {
        const { settle } = this.#pending;
        this.#pending = undefined;
        settle(
          message.type === 'result'
            ? { outcome: 'ok', response: message.response }
            : { outcome: 'error', error: message.error },
        );
      }
    });
    const crash = (error: SerializedError) => {
      this.dead = true;
      rejectReady(error);
      const pending = this.#pending;
      this.#pending = undefined;
      pending?.settle({ outcome: 'error', error });
    };
    this.worker.on('error', (error) => crash(toSerialized(error)));
    this.worker.on('exit', (code) => {
      crash({
        name: 'Runtime.ExitError',
        message: `The function's thread exited with code ${code}`,
        stack: undefined,
      });
      onExit();
    });
  }

  run(event: unknown, requestId: string, deadlineMs: number): Promise<Parameters<Settle>[0]> {
    return new Promise((resolve) => {
      this.#nextId += 1;
      this.#pending = { id: this.#nextId, settle: resolve };
      const message: InvokeMessage = { type: 'invoke', id: this.#nextId, event, requestId, deadlineMs };
      this.worker.postMessage(message);
    });
  }

  async kill(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

function toSerialized(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      name: code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'Runtime.OutOfMemory' : error.name,
      message: error.message,
      stack: error.stack,
    };
  }
  return { name: 'Error', message: String(error), stack: undefined };
}

/** One function and its instances. */
export class LocalFunction {
  readonly name: string;
  readonly #options: LocalFunctionOptions;
  readonly #idle: Instance[] = [];
  readonly #all = new Set<Instance>();
  readonly #waiting: ((instance: Instance | undefined) => void)[] = [];
  #stopping = false;
  #invocations = 0;
  #coldStarts = 0;

  constructor(options: LocalFunctionOptions) {
    this.name = options.name;
    this.#options = options;
  }

  /** The function's configuration, as Lambda's `GetFunctionConfiguration` reports it. */
  get configuration(): {
    readonly timeoutSeconds: number;
    readonly memoryMiB: number;
    readonly environment: Readonly<Record<string, string>>;
  } {
    const { timeoutSeconds, memoryMiB, environment } = this.#options;
    return { timeoutSeconds, memoryMiB, environment };
  }

  /** Instances alive now (idle or busy). */
  get instances(): number {
    return this.#all.size;
  }

  get stats(): { readonly invocations: number; readonly coldStarts: number } {
    return { invocations: this.#invocations, coldStarts: this.#coldStarts };
  }

  /**
   * Runs one invocation on a free instance, starting one if none is free and the pool may grow.
   * Never throws: the outcome says what happened, as Lambda's invoke result does.
   */
  async invoke(event: unknown): Promise<Invocation> {
    const requestId = randomUUID();
    const started = Date.now();
    const acquired = await this.#acquire();
    if (!acquired) {
      return {
        requestId,
        durationMs: 0,
        cold: false,
        outcome: 'error',
        error: { name: 'Runtime.Stopped', message: `${this.name} is stopping`, stack: undefined },
      };
    }
    const { instance, cold } = acquired;
    this.#invocations += 1;
    const meta = () => ({ requestId, durationMs: Date.now() - started, cold });
    try {
      await withTimeout(instance.ready, LAMBDA_RULES.initTimeoutMs);
    } catch (error) {
      await instance.kill();
      const serialized =
        error === TIMED_OUT
          ? {
              name: 'Runtime.InitTimeout',
              message: `Init exceeded ${LAMBDA_RULES.initTimeoutMs} ms`,
              stack: undefined,
            }
          : (error as SerializedError);
      return { ...meta(), outcome: 'error', error: serialized };
    }
    // The clock starts once the module is loaded: Lambda times a cold start's init separately.
    const timeoutMs = this.#options.timeoutSeconds * 1000;
    const deadlineMs = Date.now() + timeoutMs;
    const result = await withTimeout(instance.run(event, requestId, deadlineMs), timeoutMs).catch(
      (error: unknown) => {
        if (error !== TIMED_OUT) throw error;
        return undefined;
      },
    );
    if (result === undefined) {
      this.#options.onOutput?.(
        `Task timed out after ${this.#options.timeoutSeconds.toFixed(2)} seconds (request ${requestId})`,
        'stderr',
      );
      await instance.kill();
      return { ...meta(), outcome: 'timeout' };
    }
    this.#release(instance);
    return { ...meta(), ...result };
  }

  /**
   * Stops the function: invocations already running may finish within `graceMs`, then every
   * thread is terminated (a running invocation then ends as a timeout would: nothing it did lands).
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    for (const waiter of this.#waiting.splice(0)) waiter(undefined);
    const until = Date.now() + graceMs;
    while (this.#all.size > this.#idle.length && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all([...this.#all].map((instance) => instance.kill()));
    this.#all.clear();
    this.#idle.length = 0;
  }

  async #acquire(): Promise<{ instance: Instance; cold: boolean } | undefined> {
    if (this.#stopping) return undefined;
    for (let instance = this.#idle.pop(); instance; instance = this.#idle.pop()) {
      if (!instance.dead) return { instance, cold: false };
    }
    if (this.#all.size < this.#options.maxInstances) {
      this.#coldStarts += 1;
      const instance: Instance = new Instance(this.#options, () => this.#forget(instance));
      this.#all.add(instance);
      return { instance, cold: true };
    }
    const instance = await new Promise<Instance | undefined>((resolve) => this.#waiting.push(resolve));
    if (instance) return { instance, cold: false };
    return this.#stopping ? undefined : this.#acquire();
  }

  #release(instance: Instance): void {
    if (instance.dead) {
      this.#forget(instance);
      return;
    }
    const waiter = this.#waiting.shift();
    if (waiter) waiter(instance);
    else this.#idle.push(instance);
  }

  /** A dead instance frees its slot: a waiting invocation may start a new one. */
  #forget(instance: Instance): void {
    this.#all.delete(instance);
    const index = this.#idle.indexOf(instance);
    if (index >= 0) this.#idle.splice(index, 1);
    const waiter = this.#waiting.shift();
    if (waiter) waiter(undefined);
  }
}

const TIMED_OUT = Symbol('timed out');

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(TIMED_OUT), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A thread's error as one line (errors cross the thread boundary as plain objects). */
export function describeThreadError(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return `${String(name ?? 'Error')}: ${String(message)}`;
  }
  return String(error);
}
