/**
 * EventBridge Scheduler expressions, evaluated locally. `cron(...)` is translated to the kept cron
 * library (croner) rather than evaluated by hand; `rate(...)` and `at(...)` are simple enough to
 * compute directly. The translation is the contract the unit tests pin: AWS's syntax differs from
 * Vixie/croner cron in ways that silently shift a schedule if passed through untranslated.
 *
 * AWS cron: `cron(minutes hours day-of-month month day-of-week year)`
 * - `?` (either day field; exactly one of them must be `?`) → croner `*`, and croner's AND mode,
 *   so the other day field alone decides, as in AWS.
 * - day-of-week 1–7 = SUN–SAT → croner 0–6; names are mapped the same way; `<d>#<n>` (n-th
 *   weekday), `<d>L` (last weekday of the month) and `L` (Saturday, the week's last day).
 * - `a/n` steps (Quartz style: from a, every n) → croner's `a-<field max>/n`.
 * - the year field (1970–2199) → croner's 7th field; croner's seconds field is always `0`.
 * Anything else AWS documents as invalid, or that croner would read differently, is rejected with
 * `UnsupportedScheduleError` naming the field.
 */
import { Cron } from 'croner';
import { ConfigError } from '../lib/index.js';

/** A schedule expression the local scheduler cannot (or AWS would not) evaluate. */
export class UnsupportedScheduleError extends ConfigError {
  readonly expression: string;

  constructor(expression: string, reason: string) {
    super(`Unsupported schedule expression "${expression}": ${reason}`);
    this.name = 'UnsupportedScheduleError';
    this.expression = expression;
  }
}

/** A compiled schedule: the firings strictly after a given instant. */
export interface CompiledSchedule {
  readonly expression: string;
  readonly kind: 'cron' | 'rate' | 'at';
  /** The first firing strictly after `after`, or undefined when there is none (a past `at`, an ended year range). */
  next(after: Date): Date | undefined;
}

const FIELD_NAMES = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'] as const;
type FieldName = (typeof FIELD_NAMES)[number];

interface FieldRule {
  readonly min: number;
  readonly max: number;
  /** Upper-case names allowed in place of numbers, mapped to AWS numbers. */
  readonly names?: Readonly<Record<string, number>>;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const RULES: Readonly<Record<FieldName, FieldRule>> = {
  minutes: { min: 0, max: 59 },
  hours: { min: 0, max: 23 },
  'day-of-month': { min: 1, max: 31 },
  month: { min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) },
  'day-of-week': { min: 1, max: 7, names: Object.fromEntries(WEEKDAYS.map((d, i) => [d, i + 1])) },
  year: { min: 1970, max: 2199 },
};

const NUMBER = /^\d+$/;

/**
 * Translates the six fields of an AWS `cron(...)` into a croner 7-part pattern
 * (`seconds minutes hours day-of-month month day-of-week year`).
 *
 * @throws {UnsupportedScheduleError} naming the field that AWS or croner would not read the same way.
 * @example
 * translateCron('cron(0 3 ? * MON-FRI *)'); // '0 0 3 * * 1-5 *'
 */
export function translateCron(expression: string): string {
  const match = /^cron\((.*)\)$/.exec(expression.trim());
  const body = match?.[1]?.trim();
  if (body === undefined) throw new UnsupportedScheduleError(expression, 'expected "cron(<6 fields>)"');
  const fields = body.split(/\s+/);
  if (fields.length !== 6) {
    throw new UnsupportedScheduleError(
      expression,
      `expected 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  const fail = (field: FieldName, reason: string): never => {
    throw new UnsupportedScheduleError(expression, `${field} "${fieldValue(field)}": ${reason}`);
  };
  const fieldValue = (field: FieldName) => fields[FIELD_NAMES.indexOf(field)] ?? '';

  if ((dom === '?') === (dow === '?')) {
    throw new UnsupportedScheduleError(
      expression,
      'exactly one of day-of-month and day-of-week must be "?" (AWS does not combine them)',
    );
  }
  return [
    '0',
    translateField('minutes', minutes, fail),
    translateField('hours', hours, fail),
    dom === '?' ? '*' : translateDayOfMonth(dom, fail),
    translateField('month', month, fail),
    dow === '?' ? '*' : translateDayOfWeek(dow, fail),
    translateField('year', year, fail),
  ].join(' ');
}

type Fail = (field: FieldName, reason: string) => never;

/** `*`, numbers/names, ranges, lists and steps: the grammar every field shares. */
function translateField(field: FieldName, value: string, fail: Fail, map = (n: number) => n): string {
  const rule = RULES[field];
  if (value === '?') return fail(field, '"?" is only allowed in day-of-month or day-of-week');
  return value
    .split(',')
    .map((part) => {
      if (part === '') return fail(field, 'empty list item');
      const [range, step, ...extra] = part.split('/');
      if (range === undefined || extra.length > 0) return fail(field, 'more than one "/"');
      let translated: string;
      if (range === '*') translated = '*';
      else {
        const [from, to, ...more] = range.split('-');
        if (from === undefined || more.length > 0) return fail(field, `"${range}" is not a value or a range`);
        const start = toNumber(field, from, fail);
        if (to === undefined) {
          // Quartz-style `a/n` means "from a, every n" up to the field's end; croner needs the range spelled out.
          translated = step === undefined ? String(map(start)) : `${map(start)}-${map(rule.max)}`;
        } else {
          const end = toNumber(field, to, fail);
          if (end < start) return fail(field, `the range ${range} runs backwards`);
          translated = `${map(start)}-${map(end)}`;
        }
      }
      if (step === undefined) return translated;
      if (!NUMBER.test(step) || Number(step) < 1)
        return fail(field, `step "${step}" must be a positive number`);
      return `${translated}/${Number(step)}`;
    })
    .join(',');
}

function toNumber(field: FieldName, token: string, fail: Fail): number {
  const rule = RULES[field];
  const named = rule.names?.[token.toUpperCase()];
  const value = named ?? (NUMBER.test(token) ? Number(token) : undefined);
  if (value === undefined) return fail(field, `"${token}" is not a number${rule.names ? ' or a name' : ''}`);
  if (value < rule.min || value > rule.max) return fail(field, `${token} is outside ${rule.min}–${rule.max}`);
  return value;
}

function translateDayOfMonth(value: string, fail: Fail): string {
  if (value === 'L') return 'L';
  const weekday = /^(\d+)W$/.exec(value);
  if (weekday?.[1] !== undefined) return `${toNumber('day-of-month', weekday[1], fail)}W`;
  if (/[LW#]/i.test(value)) {
    return fail('day-of-month', 'only "L" (last day) and "<day>W" (nearest weekday) are supported');
  }
  return translateField('day-of-month', value, fail);
}

/** AWS counts 1–7 from Sunday; croner counts 0–6 from Sunday. */
const toCronerWeekday = (aws: number) => aws - 1;

function translateDayOfWeek(value: string, fail: Fail): string {
  if (value === 'L') return String(toCronerWeekday(7));
  const last = /^(\w+)L$/i.exec(value);
  if (last?.[1] !== undefined) return `${toCronerWeekday(toNumber('day-of-week', last[1], fail))}#L`;
  const nth = /^(\w+)#(\d+)$/.exec(value);
  if (nth?.[1] !== undefined && nth[2] !== undefined) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) return fail('day-of-week', `"#${nth[2]}" must be 1–5`);
    return `${toCronerWeekday(toNumber('day-of-week', nth[1], fail))}#${n}`;
  }
  if (/[L#]/i.test(value)) return fail('day-of-week', '"L" and "#" take a single day ("6L", "2#1")');
  if (value.includes('/')) return fail('day-of-week', 'AWS allows no "/" steps in day-of-week');
  return translateField('day-of-week', value, fail, toCronerWeekday);
}

const RATE_UNITS_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/**
 * Compiles an EventBridge Scheduler expression.
 *
 * @param timeZone the IANA zone `cron` and `at` are read in (`ScheduleExpressionTimezone`).
 * @param anchor when a `rate` schedule was created: it fires at anchor + n × rate, n ≥ 1.
 * @throws {UnsupportedScheduleError} for an expression AWS would reject or this runtime cannot evaluate.
 * @example
 * compileSchedule('cron(0 3 * * ? *)', 'Europe/Berlin', new Date()).next(new Date());
 */
export function compileSchedule(expression: string, timeZone: string, anchor: Date): CompiledSchedule {
  const trimmed = expression.trim();
  if (trimmed.startsWith('cron(')) {
    const pattern = translateCron(trimmed);
    let cron: Cron;
    try {
      cron = new Cron(pattern, { timezone: timeZone, mode: '7-part', domAndDow: true, paused: true });
    } catch (cause) {
      throw new UnsupportedScheduleError(
        expression,
        `croner rejected "${pattern}" in ${timeZone}: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
    }
    return { expression, kind: 'cron', next: (after) => cron.nextRun(after) ?? undefined };
  }
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(trimmed);
  if (rate?.[1] !== undefined && rate[2] !== undefined) {
    const count = Number(rate[1]);
    const unit = rate[2] as keyof typeof RATE_UNITS_MS;
    const plural = trimmed.endsWith('s)');
    if (count < 1) throw new UnsupportedScheduleError(expression, 'the rate must be at least 1');
    if ((count === 1) === plural) {
      throw new UnsupportedScheduleError(
        expression,
        `AWS spells it "rate(1 ${unit})" or "rate(<n> ${unit}s)"`,
      );
    }
    const everyMs = count * RATE_UNITS_MS[unit];
    const start = anchor.getTime();
    return {
      expression,
      kind: 'rate',
      next(after) {
        const periods = Math.max(1, Math.floor((after.getTime() - start) / everyMs) + 1);
        return new Date(start + periods * everyMs);
      },
    };
  }
  if (trimmed.startsWith('at(')) {
    const fireAt = parseAt(trimmed, timeZone);
    return {
      expression,
      kind: 'at',
      next: (after) => (fireAt.getTime() > after.getTime() ? fireAt : undefined),
    };
  }
  throw new UnsupportedScheduleError(
    expression,
    'expected "cron(<6 fields>)", "rate(<n> <minute|hour|day>[s])" or "at(yyyy-mm-ddThh:mm:ss)"',
  );
}

/**
 * The instant of a one-time `at(yyyy-mm-ddThh:mm:ss)` read in `timeZone`, as Scheduler reads it.
 * @throws {UnsupportedScheduleError} when it is not such an expression or not a real date-time.
 */
export function parseAt(expression: string, timeZone: string): Date {
  const at = /^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$/.exec(expression.trim());
  if (at?.[1] === undefined)
    throw new UnsupportedScheduleError(expression, 'expected "at(yyyy-mm-ddThh:mm:ss)"');
  let when: Date | null;
  try {
    // croner reads an ISO local date-time in the given zone, which is what Scheduler's at() is.
    when = new Cron(at[1], { timezone: timeZone, paused: true }).nextRun(new Date(0));
  } catch (cause) {
    throw new UnsupportedScheduleError(
      expression,
      `not a valid date-time in ${timeZone}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
  if (when === null) throw new UnsupportedScheduleError(expression, 'not a valid date-time');
  return when;
}
