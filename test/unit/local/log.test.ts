import { describe, expect, it } from 'vitest';
import { createConsoleLog } from '../../../local/log.js';

const NOW = new Date('2026-11-23T10:00:00.123Z');

function capture(pretty: boolean, level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  const log = createConsoleLog({
    pretty,
    ...(level ? { level } : {}),
    write: (line) => lines.push(line),
    now: () => NOW,
    // Plain text whatever the environment (picocolors turns colours on under CI=true).
    colors: false,
  });
  return { log, lines };
}

const POWERTOOLS_LINE = JSON.stringify({
  level: 'WARN',
  message: 'Attempt failed; retrying',
  timestamp: '2026-11-23T10:00:00.100Z',
  service: 'hangar-local-email-send',
  cold_start: true,
  function_request_id: 'r-1',
  jobId: '01JOB',
  attempt: 2,
});

describe('Function: createConsoleLog', () => {
  describe('on a terminal (pretty)', () => {
    it('shows a function’s Powertools line as time, source, level, message and its own fields', () => {
      const { log, lines } = capture(true);

      log.output('email-send-worker', POWERTOOLS_LINE, 'stdout');

      expect(lines).toEqual([
        '10:00:00.123 email-send-worker  WARN  Attempt failed; retrying jobId=01JOB attempt=2\n',
      ]);
    });

    it('drops embedded-metric lines and keeps plain text', () => {
      const { log, lines } = capture(true);

      log.output('email-send-worker', JSON.stringify({ _aws: { Timestamp: 1 }, JobSucceeded: 1 }), 'stdout');
      log.output('email-send-worker', 'plain text', 'stderr');

      expect(lines).toEqual(['10:00:00.123 email-send-worker  WARN  plain text\n']);
    });

    it('drops lines below the level', () => {
      const { log, lines } = capture(true, 'warn');

      log.event('scheduler', 'info', 'Schedule fired');
      log.event('scheduler', 'error', 'Delivery failed', { error: new Error('queue gone') });

      expect(lines).toEqual(['10:00:00.123 scheduler          ERROR Delivery failed error="queue gone"\n']);
    });
  });

  describe('elsewhere (JSON)', () => {
    it('writes one JSON object per line, with the source', () => {
      const { log, lines } = capture(false);

      log.event('email-send-worker', 'info', 'Invocation ok', { records: 3, error: undefined });
      log.output('email-send-worker', POWERTOOLS_LINE, 'stdout');
      log.output('email-send-worker', 'plain text', 'stdout');

      expect(lines.map((line) => JSON.parse(line))).toEqual([
        {
          time: NOW.toISOString(),
          level: 'info',
          source: 'email-send-worker',
          message: 'Invocation ok',
          records: 3,
        },
        { source: 'email-send-worker', ...JSON.parse(POWERTOOLS_LINE) },
        { time: NOW.toISOString(), level: 'info', source: 'email-send-worker', message: 'plain text' },
      ]);
    });
  });
});
