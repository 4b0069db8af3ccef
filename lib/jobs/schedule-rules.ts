/**
 * What a recurring schedule may say — an EventBridge Scheduler expression and an IANA time zone —
 * with the one wording of each rule. Job declarations, stage configuration (the cleanup's time,
 * sync sources), the settings module and the local runtime all check schedules through these.
 */
import * as z from 'zod/mini';

const CRON_PATTERN = /^cron\((\S+ ){5}\S+\)$/;
const RATE_PATTERN = /^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$/;

/** The words of each rule, as every error about a schedule says them. */
export const SCHEDULE_RULE_MESSAGES = {
  expression: 'must be "cron(<6 fields>)" or "rate(<n> <unit>)"',
  timeZone: 'must be an IANA time zone such as "Europe/Berlin"',
} as const;

/** The zone a schedule is read in when nothing says otherwise (what Scheduler assumes). */
export const DEFAULT_TIME_ZONE = 'UTC';

export function isScheduleExpression(expression: string): boolean {
  return CRON_PATTERN.test(expression) || RATE_PATTERN.test(expression);
}

export function isTimeZone(zone: string): boolean {
  // The default needs no check: the first Intl.DateTimeFormat loads time-zone data (~10 ms),
  // which every worker would pay at cold start for the declarations it imports.
  if (zone === DEFAULT_TIME_ZONE) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A recurring schedule's expression, `cron(…)` or `rate(…)`. */
export const scheduleExpressionSchema = z
  .string()
  .check(z.refine(isScheduleExpression, SCHEDULE_RULE_MESSAGES.expression));

/** An IANA time zone. */
export const timeZoneSchema = z.string().check(z.refine(isTimeZone, SCHEDULE_RULE_MESSAGES.timeZone));
