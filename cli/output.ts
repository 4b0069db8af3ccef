/**
 * Where the CLI writes: results to stdout (text, or one JSON document with `--json`), everything
 * for people only — hints, warnings, progress, prompts — to stderr, so a script piping stdout gets
 * nothing but the answer.
 */
import { createInterface } from 'node:readline';
import { SingleBar } from 'cli-progress';
import pc from 'picocolors';

export interface Writer {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/** The process's streams and environment, injectable so tests can run the CLI in-process. */
export interface CliIo {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

export type Colors = ReturnType<typeof pc.createColors>;

export class Printer {
  readonly json: boolean;
  readonly colors: Colors;
  readonly #io: CliIo;

  constructor(io: CliIo, options: { readonly json: boolean }) {
    this.#io = io;
    this.json = options.json;
    const color =
      io.env.NO_COLOR === undefined && (io.env.FORCE_COLOR !== undefined || io.stdout.isTTY === true);
    this.colors = pc.createColors(color && !options.json);
  }

  /** Whether a person is at the keyboard: prompts and progress bars only then. */
  get interactive(): boolean {
    return this.#io.stdin.isTTY === true && this.#io.stderr.isTTY === true;
  }

  /** One line of the result on stdout. */
  line(text = ''): void {
    this.#io.stdout.write(`${text}\n`);
  }

  /** The result as JSON on stdout (the only thing written there with `--json`). */
  data(value: unknown): void {
    this.#io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** For people, on stderr: hints, warnings, summaries that are not the answer. */
  note(text: string): void {
    this.#io.stderr.write(`${text}\n`);
  }

  error(message: string, exitCode: number): void {
    if (this.json) this.#io.stderr.write(`${JSON.stringify({ error: { message, exitCode } })}\n`);
    else this.#io.stderr.write(`${this.colors.red('hangar: error:')} ${message}\n`);
  }

  /** A left-aligned table; the last column is not padded (long reasons may wrap). */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const render = (cells: readonly string[]) =>
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    this.line(this.colors.bold(render(headers)));
    for (const row of rows) this.line(render(row));
  }

  /** Asks on stderr, reads a line from stdin; true only for "y" or "yes" (Ctrl-D is a no). */
  async confirm(question: string): Promise<boolean> {
    this.#io.stderr.write(`${question} [y/N] `);
    // The terminal echoes what is typed (cooked mode); readline only has to collect the line.
    const rl = createInterface({ input: this.#io.stdin, terminal: false });
    try {
      const answer = await new Promise<string | undefined>((resolve) => {
        rl.once('line', resolve);
        rl.once('close', () => resolve(undefined));
      });
      return answer !== undefined && /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  }

  /** A progress bar on stderr when a person is watching and output is text; otherwise undefined. */
  progress(label: string, total: number): Progress | undefined {
    if (this.json || this.#io.stderr.isTTY !== true) return undefined;
    const bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total} seen | moved {moved} | skipped {skipped} | failed {failed}`,
      stream: this.#io.stderr as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: false,
    });
    bar.start(Math.max(total, 1), 0, { moved: 0, skipped: 0, failed: 0 });
    return {
      update(value, payload) {
        if (value > bar.getTotal()) bar.setTotal(value);
        bar.update(value, payload);
      },
      stop: () => bar.stop(),
    };
  }
}

export interface Progress {
  update(value: number, payload: Readonly<Record<string, number>>): void;
  stop(): void;
}

/** `95` → `1m 35s`; for ages and durations in tables. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** A cell for a value that may be absent. */
export function cell(value: string | number | null | undefined): string {
  return value === undefined || value === null || value === '' ? '-' : String(value);
}
