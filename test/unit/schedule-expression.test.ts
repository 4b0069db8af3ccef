import { describe, expect, it } from 'vitest';
import { deriveSettings } from '../../lib/deploy/index.js';
import { cleanupRun, registry } from '../../lib/jobs/builtin/index.js';
import {
  compileSchedule,
  parseAt,
  translateCron,
  UnsupportedScheduleError,
} from '../../local/schedule-expression.js';

const runs = (expression: string, timeZone: string, from: string, count: number) => {
  const schedule = compileSchedule(expression, timeZone, new Date(from));
  const out: string[] = [];
  let after = new Date(from);
  for (let i = 0; i < count; i++) {
    const next = schedule.next(after);
    if (!next) break;
    out.push(next.toISOString());
    after = next;
  }
  return out;
};

describe('Function: translateCron', () => {
  describe.each([
    ['every declared built-in schedule', cleanupRun.schedule?.expression ?? '', '0 0 3 * * * *'],
    ['"?" in day-of-week', 'cron(0 3 * * ? *)', '0 0 3 * * * *'],
    ['"?" in day-of-month', 'cron(15 10 ? * 6 *)', '0 15 10 * * 5 *'],
    ['day-of-week 1–7 = SUN–SAT as a range', 'cron(0 8 ? * 2-6 *)', '0 0 8 * * 1-5 *'],
    ['day-of-week names', 'cron(0 8 ? * MON-FRI *)', '0 0 8 * * 1-5 *'],
    ['day-of-week lists, Sunday = 1', 'cron(0 8 ? * 1,7 *)', '0 0 8 * * 0,6 *'],
    ['the n-th weekday', 'cron(0 9 ? * 2#1 *)', '0 0 9 * * 1#1 *'],
    ['the last weekday of the month', 'cron(0 9 ? * 6L *)', '0 0 9 * * 5#L *'],
    ['"L" alone in day-of-week (Saturday)', 'cron(0 9 ? * L *)', '0 0 9 * * 6 *'],
    ['the last day of the month', 'cron(0 9 L * ? *)', '0 0 9 L * * *'],
    ['the nearest weekday', 'cron(0 9 15W * ? *)', '0 0 9 15W * * *'],
    ['Quartz "a/n" steps', 'cron(0/15 * * * ? *)', '0 0-59/15 * * * * *'],
    ['"*/n" steps', 'cron(*/10 1/2 * * ? *)', '0 */10 1-23/2 * * * *'],
    ['month names', 'cron(0 0 1 JAN,JUL ? *)', '0 0 0 1 1,7 * *'],
    ['the year field', 'cron(0 0 1 1 ? 2027-2030)', '0 0 0 1 1 * 2027-2030'],
  ])('translates %s', (_what, expression, expected) => {
    it(`${expression} → ${expected}`, () => {
      expect(translateCron(expression)).toBe(expected);
    });
  });

  describe.each([
    ['both day fields set', 'cron(0 3 1 * MON *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['both day fields "?"', 'cron(0 3 ? * ? *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['five fields', 'cron(0 3 * * ?)', 'expected 6 fields'],
    ['day-of-week 0', 'cron(0 3 ? * 0 *)', 'day-of-week "0": 0 is outside 1–7'],
    ['day-of-week steps', 'cron(0 3 ? * 1/2 *)', 'AWS allows no "/" steps in day-of-week'],
    ['minute 60', 'cron(60 3 * * ? *)', 'minutes "60": 60 is outside 0–59'],
    ['a year before 1970', 'cron(0 3 * * ? 1969)', 'year "1969": 1969 is outside 1970–2199'],
    [
      'a backwards range',
      'cron(0 3 ? * FRI-MON *)',
      'day-of-week "FRI-MON": the range FRI-MON runs backwards',
    ],
    ['"LW"', 'cron(0 3 LW * ? *)', 'only "L" (last day) and "<day>W"'],
    ['"?" outside the day fields', 'cron(? 3 * * ? *)', '"?" is only allowed in day-of-month or day-of-week'],
    ['a sixth n-th weekday', 'cron(0 3 ? * 2#6 *)', '"#6" must be 1–5'],
    ['a zero step', 'cron(*/0 3 * * ? *)', 'step "0" must be a positive number'],
    ['not cron at all', 'cron 0 3 * * ? *', 'expected "cron(<6 fields>)"'],
  ])('rejects %s', (_what, expression, message) => {
    it(expression, () => {
      expect(() => translateCron(expression)).toThrow(UnsupportedScheduleError);
      expect(() => translateCron(expression)).toThrow(message);
    });
  });
});

describe('Function: compileSchedule', () => {
  it('fires the nightly cleanup at 03:00 UTC', () => {
    expect(runs('cron(0 3 * * ? *)', 'UTC', '2026-03-27T12:00:00Z', 2)).toEqual([
      '2026-03-28T03:00:00.000Z',
      '2026-03-29T03:00:00.000Z',
    ]);
  });

  it('reads cron in its time zone, across the change to summer time', () => {
    // Berlin is UTC+1 until 29 March 2026 02:00, UTC+2 after.
    expect(runs('cron(0 3 * * ? *)', 'Europe/Berlin', '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T02:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T01:00:00.000Z',
    ]);
  });

  it('counts day-of-week from Sunday = 1: "6" is Friday', () => {
    const fridays = runs('cron(0 12 ? * 6 *)', 'UTC', '2026-11-23T00:00:00Z', 2);
    expect(fridays).toEqual(['2026-11-27T12:00:00.000Z', '2026-12-04T12:00:00.000Z']);
    expect(fridays.map((d) => new Date(d).getUTCDay())).toEqual([5, 5]);
  });

  it('honours the year field and ends with it', () => {
    expect(runs('cron(0 0 1 1 ? 2027-2028)', 'UTC', '2026-06-01T00:00:00Z', 5)).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2028-01-01T00:00:00.000Z',
    ]);
  });

  it('fires a rate every period after its anchor, never at the anchor itself', () => {
    const schedule = compileSchedule('rate(5 minutes)', 'UTC', new Date('2026-01-01T00:00:00Z'));
    expect(schedule.next(new Date('2026-01-01T00:00:00Z'))?.toISOString()).toBe('2026-01-01T00:05:00.000Z');
    expect(schedule.next(new Date('2026-01-01T00:07:30Z'))?.toISOString()).toBe('2026-01-01T00:10:00.000Z');
    expect(schedule.next(new Date('2026-01-01T00:10:00Z'))?.toISOString()).toBe('2026-01-01T00:15:00.000Z');
  });

  it.each([
    ['rate(1 minutes)', 'AWS spells it "rate(1 minute)"'],
    ['rate(2 hour)', 'AWS spells it "rate(1 hour)" or "rate(<n> hours)"'],
    ['rate(0 minutes)', 'the rate must be at least 1'],
    ['rate(1 week)', 'expected "cron(<6 fields>)"'],
  ])('rejects %s', (expression, message) => {
    expect(() => compileSchedule(expression, 'UTC', new Date())).toThrow(UnsupportedScheduleError);
    expect(() => compileSchedule(expression, 'UTC', new Date())).toThrow(message);
  });

  it('compiles every schedule the settings module derives from the built-in jobs', () => {
    const schedules = deriveSettings(registry).jobs.flatMap((job) => job.schedules);
    expect(schedules.length).toBeGreaterThan(0);
    for (const schedule of schedules) {
      const compiled = compileSchedule(schedule.expression, schedule.timeZone, new Date());
      expect(compiled.next(new Date())).toBeInstanceOf(Date);
    }
  });
});

describe('Function: parseAt', () => {
  it('reads the date-time in UTC, as the client writes it', () => {
    expect(parseAt('at(2026-12-01T08:00:00)', 'UTC').toISOString()).toBe('2026-12-01T08:00:00.000Z');
  });

  it('reads the date-time in another zone', () => {
    expect(parseAt('at(2026-12-01T08:00:00)', 'America/New_York').toISOString()).toBe(
      '2026-12-01T13:00:00.000Z',
    );
  });

  it('fires once, only after the instant', () => {
    const schedule = compileSchedule('at(2026-12-01T08:00:00)', 'UTC', new Date());
    expect(schedule.next(new Date('2026-12-01T07:59:59Z'))?.toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(schedule.next(new Date('2026-12-01T08:00:00Z'))).toBeUndefined();
  });

  it.each(['at(2026-12-01 08:00:00)', 'at(2026-12-01T08:00:00Z)', 'at(2026-13-01T08:00:00)'])(
    'rejects %s',
    (expression) => {
      expect(() => parseAt(expression, 'UTC')).toThrow(UnsupportedScheduleError);
    },
  );
});
