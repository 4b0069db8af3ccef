/**
 * Redrives take as long as the DLQ is deep, so the page starts one and then follows it: each runs
 * as a task whose progress (seen / moved / skipped / failed) it reads until the summary is there.
 * Stopping the server aborts running tasks, which give back every message they hold.
 */
import { randomUUID } from 'node:crypto';
import { ERROR_CODES } from '../../lib/index.js';
import type { TaskProgress, TaskView } from '../shared/api.js';
import { DASHBOARD_DEFAULTS } from './constants.js';
import { DashboardError } from './errors.js';

export interface TaskHandle {
  readonly signal: AbortSignal;
  progress(progress: TaskProgress): void;
}

export class Tasks {
  readonly #tasks = new Map<string, TaskView>();
  readonly #running = new Set<Promise<unknown>>();
  readonly #stop = new AbortController();

  /** Starts `run` at once and returns its first view; `run` resolves with the summary line. */
  start(
    label: string,
    mode: TaskView['mode'],
    run: (task: TaskHandle) => Promise<{ summary: string; failed?: boolean }>,
  ): TaskView {
    const id = randomUUID();
    const initial: TaskView = {
      id,
      label,
      mode,
      state: 'running',
      progress: { seen: 0, moved: 0, skipped: 0, failed: 0, total: undefined },
    };
    this.#set(initial);
    const update = (change: Partial<TaskView>) =>
      this.#set({ ...(this.#tasks.get(id) ?? initial), ...change });
    const running = run({ signal: this.#stop.signal, progress: (progress) => update({ progress }) }).then(
      ({ summary, failed }) => update({ state: failed ? 'failed' : 'done', summary }),
      (error: unknown) =>
        update({ state: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
    this.#running.add(running);
    void running.finally(() => this.#running.delete(running));
    return initial;
  }

  /** @throws {DashboardError} NOT_FOUND */
  get(id: string): TaskView {
    const task = this.#tasks.get(id);
    if (!task) throw new DashboardError(ERROR_CODES.notFound, `No task "${id}"`);
    return task;
  }

  /** Aborts running tasks and waits until they have given back what they hold. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([...this.#running]);
  }

  #set(task: TaskView): void {
    this.#tasks.delete(task.id);
    this.#tasks.set(task.id, task);
    // Oldest finished first out; running tasks are never dropped.
    for (const [id, kept] of this.#tasks) {
      if (this.#tasks.size <= DASHBOARD_DEFAULTS.keptTasks) break;
      if (kept.state !== 'running') this.#tasks.delete(id);
    }
  }
}
