/**
 * Where the local runtime's lines go: its own events (an invocation, a firing, a warning) and every
 * line its functions print. On a terminal they are colourised and readable; otherwise one JSON
 * object per line, so a pipe or a CI log stays machine-readable.
 */
import pc from 'picocolors';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LocalLog {
  /** A line of the runtime itself. `source` is the part that speaks (`scheduler`, `email-send-worker`). */
  event(source: string, level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** A line a function printed. */
  output(source: string, line: string, stream: 'stdout' | 'stderr'): void;
}

/** Drops everything: the default of an embedded runtime (tests). */
export const silentLog: LocalLog = { event: () => undefined, output: () => undefined };

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface ConsoleLogOptions {
  /** Readable, coloured lines (a terminal) or JSON lines. */
  readonly pretty: boolean;
  /** Lines below this level are dropped. @default 'info' */
  readonly level?: LogLevel;
  /** @default process.stdout.write */
  readonly write?: (line: string) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** ANSI colours in pretty lines. @default picocolors' detection (TTY, FORCE_COLOR, NO_COLOR, CI) */
  readonly colors?: boolean;
}

/** Keys Powertools adds to every line that say nothing new locally. */
const QUIET_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
]);

export function createConsoleLog(options: ConsoleLogOptions): LocalLog {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const threshold = LEVELS.indexOf(options.level ?? 'info');
  const enabled = (level: LogLevel) => LEVELS.indexOf(level) >= threshold;

  if (!options.pretty) {
    return {
      event(source, level, message, fields = {}) {
        if (!enabled(level)) return;
        write(`${JSON.stringify({ time: now().toISOString(), level, source, message, ...plain(fields) })}\n`);
      },
      output(source, line, stream) {
        const parsed = parseJson(line);
        if (parsed) {
          const level = levelOf(parsed.level) ?? 'info';
          if (!enabled(level)) return;
          write(`${JSON.stringify({ source, ...parsed })}\n`);
          return;
        }
        const level = stream === 'stderr' ? 'warn' : 'info';
        if (!enabled(level)) return;
        write(`${JSON.stringify({ time: now().toISOString(), level, source, message: line })}\n`);
      },
    };
  }

  // Wide enough for a typical worker name (`email-send-worker`), so columns rarely shift.
  const c = pc.createColors(options.colors ?? pc.isColorSupported);
  const sourceColours = [c.cyan, c.magenta, c.blue, c.green, c.yellow];
  const width = { value: 18 };
  const colourOf = (source: string) => {
    let hash = 0;
    for (const char of source) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    return sourceColours[hash % sourceColours.length] ?? c.cyan;
  };
  const line = (
    source: string,
    level: LogLevel,
    message: string,
    fields: Readonly<Record<string, unknown>>,
  ) => {
    if (!enabled(level)) return;
    width.value = Math.max(width.value, source.length);
    const time = c.dim(now().toISOString().slice(11, 23));
    const tag = colourOf(source)(source.padEnd(width.value));
    const extra = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${c.dim(`${key}=`)}${formatValue(value)}`)
      .join(' ');
    write(`${time} ${tag} ${levelTag(c, level)} ${message}${extra ? ` ${extra}` : ''}\n`);
  };
  return {
    event: (source, level, message, fields = {}) => line(source, level, message, fields),
    output(source, text, stream) {
      const parsed = parseJson(text);
      if (!parsed) {
        line(source, stream === 'stderr' ? 'warn' : 'info', text, {});
        return;
      }
      // Embedded-metric-format lines are CloudWatch's business; a terminal reader wants the logs.
      if ('_aws' in parsed) return;
      const fields = Object.fromEntries(Object.entries(parsed).filter(([key]) => !QUIET_KEYS.has(key)));
      line(source, levelOf(parsed.level) ?? 'info', String(parsed.message ?? ''), fields);
    },
  };
}

function levelTag(c: ReturnType<typeof pc.createColors>, level: LogLevel): string {
  switch (level) {
    case 'debug':
      return c.dim('DEBUG');
    case 'info':
      return c.green('INFO ');
    case 'warn':
      return c.yellow('WARN ');
    case 'error':
      return c.red('ERROR');
  }
}

function levelOf(value: unknown): LogLevel | undefined {
  const lower = typeof value === 'string' ? value.toLowerCase() : '';
  if (lower === 'warning') return 'warn';
  if (lower === 'critical' || lower === 'fatal') return 'error';
  return (LEVELS as readonly string[]).includes(lower) ? (lower as LogLevel) : undefined;
}

function parseJson(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Errors become their message: `JSON.stringify(new Error())` is `{}`. */
function plain(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [key, value instanceof Error ? value.message : value]),
  );
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return formatValue(value.message);
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}
