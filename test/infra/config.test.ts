import { describe, expect, it } from 'vitest';
import { readStageConfig } from '../../infra/config.js';
import { deriveStageSettings, ENV_VARS, STAGE_DEFAULTS, type StageConfig } from '../../lib/deploy/index.js';
import { ConfigError, createRegistry } from '../../lib/index.js';
import { cleanupRun, emailSend, registry } from '../../lib/jobs/builtin/index.js';
import { DEV_CONTEXT } from '../helpers/infra.js';

const source = { id: 'crm', url: 'https://crm.example.com/items', pageSize: 100 };

/** The message `readStageConfig` throws for the given problems, one line each. */
const invalid = (...problems: string[]) =>
  new ConfigError(
    `Invalid stage configuration (CDK context):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );

describe('Function: readStageConfig', () => {
  it('fills the defaults of every optional key', () => {
    // Act
    const config = readStageConfig(DEV_CONTEXT);

    // Assess
    expect(config).toEqual<StageConfig>({
      stage: 'dev',
      senderEmail: 'jobs@example.com',
      alarmEmail: undefined,
      timeZone: STAGE_DEFAULTS.timeZone,
      cleanupSchedule: undefined,
      syncSources: [],
      createSesIdentity: STAGE_DEFAULTS.createSesIdentity,
      production: STAGE_DEFAULTS.production,
      pausedJobs: [],
      pausedSchedules: [],
      emailSendRate: undefined,
    });
  });

  it('reads the paused jobs and schedules as JSON lists (-c pausedJobs=\'["email.send"]\')', () => {
    // Act
    const config = readStageConfig({
      ...DEV_CONTEXT,
      pausedJobs: '["email.send"]',
      pausedSchedules: ['cleanup-run'],
    });

    // Assess
    expect(config).toMatchObject({ pausedJobs: ['email.send'], pausedSchedules: ['cleanup-run'] });
  });

  it('reads values given as strings on the command line (-c key=value)', () => {
    // Act
    const config = readStageConfig({
      ...DEV_CONTEXT,
      production: 'true',
      createSesIdentity: 'false',
      alarmEmail: '',
      syncSources: JSON.stringify([{ ...source, schedule: 'rate(1 hour)' }]),
      emailSendRate: '14',
    });

    // Assess
    expect(config.production).toBe(true);
    expect(config.createSesIdentity).toBe(false);
    expect(config.alarmEmail).toBeUndefined();
    expect(config.emailSendRate).toBe(14);
    expect(config.syncSources).toEqual([
      { ...source, authParameter: undefined, schedule: 'rate(1 hour)', timeZone: undefined },
    ]);
  });

  it.each([
    [{ stage: undefined }, 'stage: is required: -c stage=<name>'],
    [{ stage: 'Prod' }, 'stage: must be 1–20 lower-case letters, digits or "-", starting with a letter'],
    [{ senderEmail: 'jobs' }, 'senderEmail: must be an e-mail address'],
    [{ alarmEmail: 'ops@' }, 'alarmEmail: must be an e-mail address'],
    [{ timeZone: 'Mars/Olympus' }, 'timeZone: must be an IANA time zone such as "Europe/Berlin"'],
    [{ cleanupSchedule: 'at 3am' }, 'cleanupSchedule: must be "cron(<6 fields>)" or "rate(<n> <unit>)"'],
    [{ production: 'yes' }, 'production: must be true or false'],
    [{ createSesIdentity: 1 }, 'createSesIdentity: must be true or false'],
    [{ emailSendRate: '0' }, 'emailSendRate: must be at least 1 e-mail per second'],
    [{ emailSendRate: '2.5' }, 'emailSendRate: must be a whole number of e-mails per second'],
    [{ emailSendRate: 'fast' }, 'emailSendRate: must be a whole number of e-mails per second'],
    [
      { syncSources: 'crm' },
      'syncSources: must be a JSON array of { id, url, pageSize?, authParameter?, authHeader?, staleAfterDays?, schedule?, timeZone? }',
    ],
    [
      { syncSources: [{ ...source, id: 'a b' }] },
      'syncSources.0.id: must be 1–64 letters, digits, "-" or "_"',
    ],
    [
      { syncSources: [{ ...source, url: 'http://crm.example.com' }] },
      'syncSources.0.url: must be an https:// URL',
    ],
    [
      { syncSources: [{ ...source, pageSize: 0 }] },
      'syncSources.0.pageSize: must be a whole number from 1 to 1000',
    ],
    [
      { syncSources: [{ ...source, schedule: 'hourly' }] },
      'syncSources.0.schedule: must be "cron(<6 fields>)" or "rate(<n> <unit>)"',
    ],
    [
      { syncSources: [{ ...source, token: 'x' }] },
      'syncSources.0.token: is not a known key (known: id, url, pageSize, authParameter, authHeader, staleAfterDays, schedule, timeZone)',
    ],
  ])('names the bad key in %j', (override, problem) => {
    expect(() => readStageConfig({ ...DEV_CONTEXT, ...override })).toThrow(invalid(problem));
  });

  it('lists every problem at once, one line each', () => {
    expect(() => readStageConfig({ stage: 'Prod', senderEmail: 'jobs', production: 'yes' })).toThrow(
      invalid(
        'stage: must be 1–20 lower-case letters, digits or "-", starting with a letter',
        'senderEmail: must be an e-mail address',
        'production: must be true or false',
      ),
    );
  });

  it('rejects two sources with one id, a scheduled id too long for a schedule name, and credentials outside the stage', () => {
    // Arrange
    const longId = 'a'.repeat(33);

    // Act
    const act = () =>
      readStageConfig({
        ...DEV_CONTEXT,
        syncSources: [
          source,
          source,
          { ...source, id: longId, schedule: 'rate(1 hour)' },
          { ...source, id: 'erp', authParameter: '/hangar/prod/erp-token' },
        ],
      });

    // Assess
    expect(act).toThrow(
      invalid(
        'syncSources.1.id: "crm" is used by another source',
        "syncSources.2.id: a scheduled source's id names its schedule and may have at most 32 characters",
        'syncSources.3.authParameter: must be an SSM parameter under "/hangar/dev/" or a secret under "hangar/dev/" (the handler may read nothing else)',
      ),
    );
  });

  it('accepts credentials under the stage prefix, as an SSM parameter or a secret', () => {
    const config = readStageConfig({
      ...DEV_CONTEXT,
      syncSources: [
        { ...source, authParameter: '/hangar/dev/crm-token' },
        { ...source, id: 'erp', authParameter: 'hangar/dev/erp' },
      ],
    });
    expect(config.syncSources.map((s) => s.authParameter)).toEqual([
      '/hangar/dev/crm-token',
      'hangar/dev/erp',
    ]);
  });
});

describe('Function: deriveStageSettings', () => {
  it('keeps the declared cleanup schedule when the stage runs it at the declared time', () => {
    // Act
    const { settings } = deriveStageSettings(readStageConfig(DEV_CONTEXT), registry);

    // Assess
    expect(settings.job(cleanupRun.name).schedules.map((s) => [s.name, s.expression, s.timeZone])).toEqual([
      ['cleanup-run', cleanupRun.schedule?.expression, cleanupRun.schedule?.timeZone],
    ]);
  });

  it('runs the cleanup in the stage time zone, at the configured time', () => {
    // Act
    const { settings } = deriveStageSettings(
      readStageConfig({ ...DEV_CONTEXT, timeZone: 'Europe/Berlin', cleanupSchedule: 'cron(30 2 * * ? *)' }),
      registry,
    );

    // Assess
    expect(settings.job(cleanupRun.name).schedules).toEqual([
      expect.objectContaining({
        name: 'cleanup-run-nightly',
        expression: 'cron(30 2 * * ? *)',
        timeZone: 'Europe/Berlin',
      }),
    ]);
  });

  it('schedules each scheduled source in its group, and hands every source to the sync worker', () => {
    // Arrange
    const config = readStageConfig({
      ...DEV_CONTEXT,
      timeZone: 'Europe/Berlin',
      syncSources: [
        { ...source, schedule: 'cron(0 * * * ? *)', authParameter: 'hangar/dev/crm' },
        { ...source, id: 'erp', schedule: 'rate(6 hours)', timeZone: 'America/New_York' },
        { ...source, id: 'manual' },
      ],
    });

    // Act
    const { settings, environment } = deriveStageSettings(config, registry);

    // Assess
    expect(
      settings.job('sync.run').schedules.map((s) => [s.name, s.expression, s.timeZone, s.messageGroupId]),
    ).toEqual([
      ['sync-run-crm', 'cron(0 * * * ? *)', 'Europe/Berlin', 'crm'],
      ['sync-run-erp', 'rate(6 hours)', 'America/New_York', 'erp'],
    ]);
    expect(JSON.parse(environment['sync.run']?.[ENV_VARS.syncSources] ?? '')).toEqual([
      { ...source, authParameter: 'hangar/dev/crm' },
      { ...source, id: 'erp' },
      { ...source, id: 'manual' },
    ]);
  });

  it('rejects sync sources when the registry has no sync job', () => {
    // Arrange
    const config = readStageConfig({ ...DEV_CONTEXT, syncSources: [source] });

    // Act & Assess
    expect(() => deriveStageSettings(config, createRegistry([emailSend]))).toThrow(
      invalid('syncSources: the registry has no "sync.run" job to run them'),
    );
  });
});
