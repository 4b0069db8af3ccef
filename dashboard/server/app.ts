/**
 * The dashboard's HTTP surface (Hono): the page and its assets, and a JSON API whose every route
 * calls one operation of `DashboardOperations`. Guarded as `security.ts` explains; errors become
 * `{ error: { code, message, details? } }` in one place (`toErrorAnswer`).
 */
import { Hono } from 'hono';
import * as z from 'zod/mini';
import { ERROR_CODES } from '../../lib/index.js';
import { API_PATHS, METRIC_RANGES, type MetricRange } from '../shared/api.js';
import type { UiBundle } from './assets.js';
import { DashboardError, toErrorAnswer } from './errors.js';
import type { DashboardOperations } from './operations.js';
import { guard } from './security.js';

export interface AppOptions {
  readonly operations: DashboardOperations;
  readonly ui: UiBundle;
  readonly token: string;
  /** `127.0.0.1:<port>`: the only Host and Origin answered. */
  readonly host: () => string;
  readonly readOnly: boolean;
  readonly refreshMs: number;
}

const ids = z.strictObject({
  ids: z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.maxLength(1000)),
});
const selection = z.strictObject({
  ids: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.maxLength(1000))),
  all: z.optional(z.literal(true)),
});
const enqueueBody = z.strictObject({
  name: z.string(),
  payload: z.unknown(),
  delaySeconds: z.optional(z.int()),
  runAt: z.optional(z.string()),
  idempotencyKey: z.optional(z.string()),
});
const messageId = z.strictObject({ id: z.string().check(z.minLength(1)) });
const empty = z.strictObject({});

/** Parses a JSON body with a schema. @throws {DashboardError} INVALID_JSON, or VALIDATION_FAILED naming each problem. */
async function body<T>(request: Request, schema: z.ZodMiniType<T>): Promise<T> {
  let data: unknown;
  try {
    data = await request.json();
  } catch {
    throw new DashboardError(ERROR_CODES.invalidJson, 'The body is not JSON');
  }
  const result = z.safeParse(schema, data);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({
    path: i.path.join('.') || '(root)',
    message: i.message,
  }));
  throw new DashboardError(ERROR_CODES.validation, 'The body does not fit this action', details);
}

function rangeOf(value: string | undefined): MetricRange {
  if (value === undefined) return 'hour';
  if (value in METRIC_RANGES) return value as MetricRange;
  throw new DashboardError(
    ERROR_CODES.usage,
    `range must be one of ${Object.keys(METRIC_RANGES).join(', ')}`,
  );
}

export function createApp(options: AppOptions): Hono {
  const { operations: ops, ui } = options;
  const app = new Hono();
  app.use('*', guard({ host: options.host, token: options.token, readOnly: options.readOnly }));
  app.onError((error, c) => {
    const answer = toErrorAnswer(error);
    if (answer.status === 405) c.header('allow', 'GET, HEAD');
    c.header('cache-control', 'no-store');
    return c.json(answer.body, answer.status as 400);
  });
  app.notFound(() => {
    throw new DashboardError(ERROR_CODES.notFound, 'No such page or route');
  });
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });

  app.get('/', (c) => {
    c.header('cache-control', 'no-store');
    return c.html(ui.html(options.token, `Hangar · ${ops.target.label}`));
  });
  app.get('/assets/:file', (c) => {
    const asset = ui.assets.get(c.req.path);
    if (!asset) throw new DashboardError(ERROR_CODES.notFound, 'No such asset');
    c.header('content-type', asset.type);
    c.header('cache-control', 'public, max-age=31536000, immutable');
    c.header('vary', 'accept-encoding');
    if ((c.req.header('accept-encoding') ?? '').includes('gzip')) {
      c.header('content-encoding', 'gzip');
      return c.body(asset.gzip);
    }
    return c.body(asset.body);
  });

  app.get(API_PATHS.config, (c) =>
    c.json(ops.config({ readOnly: options.readOnly, refreshMs: options.refreshMs })),
  );
  app.get(API_PATHS.overview, async (c) => c.json(await ops.overview()));
  app.get(API_PATHS.metrics, async (c) => c.json(await ops.metrics(rangeOf(c.req.query('range')))));

  app.get(API_PATHS.jobs, async (c) => {
    const limit = c.req.query('limit');
    return c.json(
      await ops.listJobs({
        ...(c.req.query('status') ? { status: c.req.query('status') } : {}),
        ...(c.req.query('name') ? { name: c.req.query('name') } : {}),
        ...(limit ? { limit: Number(limit) } : {}),
        ...(c.req.query('cursor') ? { cursor: c.req.query('cursor') } : {}),
      }),
    );
  });
  app.get(API_PATHS.lookup, async (c) => c.json(await ops.lookup(c.req.query('q') ?? '')));
  app.post(API_PATHS.cancel, async (c) => c.json(await ops.cancel((await body(c.req.raw, ids)).ids)));
  app.post(API_PATHS.retry, async (c) => c.json(await ops.retry((await body(c.req.raw, ids)).ids), 202));
  app.get(API_PATHS.job, async (c) => c.json(await ops.job(c.req.param('id'))));

  app.get(API_PATHS.deadLetters, async (c) =>
    c.json(
      await ops.deadLetters(c.req.param('job'), {
        ...(c.req.query('errorCode') ? { errorCode: c.req.query('errorCode') } : {}),
        ...(c.req.query('olderThan') ? { olderThan: c.req.query('olderThan') } : {}),
        ...(c.req.query('id') ? { id: c.req.query('id') } : {}),
      }),
    ),
  );
  // A POST although it changes nothing: payloads hold personal data, so reading one is an action
  // (token, same origin) and never happens in read-only mode.
  app.post(API_PATHS.payload, async (c) =>
    c.json(await ops.payload(c.req.param('job'), (await body(c.req.raw, messageId)).id)),
  );
  app.post(API_PATHS.discard, async (c) =>
    c.json(await ops.discard(c.req.param('job'), (await body(c.req.raw, ids)).ids)),
  );
  app.post(API_PATHS.redrive, async (c) => {
    const chosen = await body(c.req.raw, selection);
    if ((chosen.ids === undefined) === (chosen.all === undefined))
      throw new DashboardError(ERROR_CODES.usage, 'Give either ids or all: true');
    return c.json(await ops.redrive(c.req.param('job'), chosen.ids ? { ids: chosen.ids } : {}), 202);
  });
  app.get(API_PATHS.task, (c) => c.json(ops.task(c.req.param('id'))));

  app.get(API_PATHS.schedules, async (c) => c.json(await ops.schedules()));
  app.post(API_PATHS.runSchedule, async (c) => {
    await body(c.req.raw, empty);
    return c.json(await ops.runSchedule(c.req.param('name')));
  });
  const flow = (path: string, run: (name: string) => Promise<void>, param: 'name' | 'job') =>
    app.post(path, async (c) => {
      await body(c.req.raw, empty);
      await run(c.req.param(param) ?? '');
      return c.json({ ok: true });
    });
  flow(API_PATHS.pauseSchedule, (name) => ops.pauseSchedule(name), 'name');
  flow(API_PATHS.resumeSchedule, (name) => ops.resumeSchedule(name), 'name');
  flow(API_PATHS.pauseQueue, (job) => ops.pauseQueue(job), 'job');
  flow(API_PATHS.resumeQueue, (job) => ops.resumeQueue(job), 'job');

  app.post(API_PATHS.enqueue, async (c) =>
    c.json(await ops.enqueue(await body(c.req.raw, enqueueBody)), 202),
  );
  return app;
}
