/**
 * Starts the dashboard: the page bundled, the operations over a target, the app guarded, served on
 * 127.0.0.1 only. `hangar dashboard` (local or `--stage`), `npm run dev` and the browser tests all
 * start it here.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Target } from '../../cli/target.js';
import type { JobRegistry } from '../../lib/index.js';
import { localUrl } from '../../local/endpoints.js';
import { PortInUseError } from '../../local/errors.js';
import { createApp } from './app.js';
import { uiBundle } from './assets.js';
import { DASHBOARD_DEFAULTS } from './constants.js';
import type { MetricsSource } from './metrics/metrics-source.js';
import { DashboardOperations, type FlowControl } from './operations.js';
import { newToken } from './security.js';

export interface DashboardOptions {
  readonly target: Target;
  readonly registry: JobRegistry;
  /** Where the chart's figures come from (`EmfCollector` locally, `CloudWatchMetrics` on a stage). */
  readonly metrics: MetricsSource;
  /** On 127.0.0.1; 0 takes a free one. @default DASHBOARD_DEFAULTS.port */
  readonly port?: number;
  /** Hide every action; the server refuses them with 405. @default false */
  readonly readOnly?: boolean;
  /** @default DASHBOARD_DEFAULTS.refreshMs */
  readonly refreshMs?: number;
  /** Pause and resume of queues and schedules. @default none */
  readonly flowControl?: FlowControl;
  /** @default DASHBOARD_DEFAULTS.countCacheMs */
  readonly countCacheMs?: number;
  readonly now?: () => Date;
}

export interface Dashboard {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests, aborts running redrives (they give back what they hold). Idempotent. */
  stop(): Promise<void>;
}

/**
 * @throws {PortInUseError}
 * @example
 * const dashboard = await startDashboard({ target, registry, metrics: new EmfCollector(registry, 'local') });
 * console.log(dashboard.url);
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const ui = await uiBundle();
  const operations = new DashboardOperations({
    target: options.target,
    registry: options.registry,
    metrics: options.metrics,
    ...(options.flowControl ? { flowControl: options.flowControl } : {}),
    ...(options.countCacheMs === undefined ? {} : { countCacheMs: options.countCacheMs }),
    ...(options.now ? { now: options.now } : {}),
  });
  let host = '';
  const app = createApp({
    operations,
    ui,
    token: newToken(),
    host: () => host,
    readOnly: options.readOnly ?? false,
    refreshMs: options.refreshMs ?? DASHBOARD_DEFAULTS.refreshMs,
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const port = options.port ?? DASHBOARD_DEFAULTS.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError('dashboard', port, error) : error),
    );
    server.listen(port, DASHBOARD_DEFAULTS.host, resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  const url = localUrl(actual);
  host = new URL(url).host;
  let stopped: Promise<void> | undefined;
  return {
    url,
    port: actual,
    stop() {
      stopped ??= (async () => {
        await operations.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return stopped;
    },
  };
}
