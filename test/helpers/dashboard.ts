/**
 * A dashboard over a real local runtime for the browser tests: the runtime runs the dashboard
 * fixture jobs (their own registry and handlers), its function output feeds the EMF collector as
 * under `npm run dev`, and the dashboard is served on a free port.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterEach, beforeEach } from 'vitest';
import { resolveTarget, type Target } from '../../cli/target.js';
import { EmfCollector, metricsLog } from '../../dashboard/server/metrics/emf-collector.js';
import {
  type Dashboard,
  type DashboardOptions,
  startDashboard,
} from '../../dashboard/server/start-dashboard.js';
import { targetFlowControl } from '../../dashboard/server/target-flow-control.js';
import { JobClient } from '../../lib/index.js';
import { silentLog } from '../../local/log.js';
import {
  LOCAL_DEFAULTS,
  type LocalRuntime,
  type StartLocalOptions,
  startLocal,
} from '../../local/start-local.js';
import { dashboardTestRegistry, FAULT_FILE } from '../fixtures/dashboard/jobs.js';
import { SINK_VARIABLE } from '../fixtures/local/jobs.js';
import { readSink, type SinkEvent } from '../fixtures/local/sink.js';
import { openPage } from './browser.js';

export const DASHBOARD_FIXTURE_FUNCTIONS = fileURLToPath(
  new URL('../fixtures/dashboard/functions/', import.meta.url),
);

export interface TestDashboard {
  readonly local: LocalRuntime;
  readonly dashboard: Dashboard;
  readonly target: Target;
  /** Sends jobs straight to the local queues, as a service with `JobClient` would. */
  readonly client: JobClient;
  events(): SinkEvent[];
  /** Turns `fault.run`'s fault on or off. */
  fault(on: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestDashboard(
  options: {
    readonly local?: StartLocalOptions;
    readonly dashboard?: Partial<Omit<DashboardOptions, 'target' | 'registry' | 'metrics'>>;
  } = {},
): Promise<TestDashboard> {
  const sink = await mkdtemp(join(tmpdir(), 'hangar-dashboard-'));
  const collector = new EmfCollector(dashboardTestRegistry, LOCAL_DEFAULTS.stage);
  const local = await startLocal({
    ports: 'free',
    registry: dashboardTestRegistry,
    functionsDir: DASHBOARD_FIXTURE_FUNCTIONS,
    shutdownGraceMs: 0,
    pollWaitSeconds: 1,
    log: metricsLog(silentLog, collector),
    ...options.local,
    environment: { [SINK_VARIABLE]: sink, ...options.local?.environment },
  });
  const target = await resolveTarget({ env: local.environment, registry: dashboardTestRegistry });
  const dashboard = await startDashboard({
    target,
    registry: dashboardTestRegistry,
    metrics: collector,
    port: 0,
    refreshMs: 300,
    countCacheMs: 0,
    flowControl: targetFlowControl(target, dashboardTestRegistry),
    ...options.dashboard,
  });
  return {
    local,
    dashboard,
    target,
    client: new JobClient({ registry: dashboardTestRegistry, sqs: local.sqs }),
    events: () => readSink(sink),
    async fault(on) {
      if (on) await writeFile(join(sink, FAULT_FILE), 'on');
      else await rm(join(sink, FAULT_FILE), { force: true });
    },
    async stop() {
      await dashboard.stop();
      target.destroy();
      await local.stop();
      await rm(sink, { recursive: true, force: true });
    },
  };
}

export interface RawAnswer {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request with exactly these headers (fetch would not let a test forge `Host`). */
export function rawRequest(
  url: string,
  options: {
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
  } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * A fresh dashboard over a fresh runtime, and a page in `browser`, for each test of a file or
 * `describe`; both stopped after it. `options` is read per test (it may refer to the runtime).
 */
export function useDashboardPage(
  browser: () => Browser,
  options: () => Parameters<typeof startTestDashboard>[0] = () => ({}),
): { readonly env: () => TestDashboard; readonly page: () => Page } {
  let env: TestDashboard | undefined;
  let page: Page | undefined;
  beforeEach(async () => {
    env = await startTestDashboard(options());
    page = await openPage(browser());
  });
  afterEach(async () => {
    await page?.close();
    await env?.stop();
    env = undefined;
    page = undefined;
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('The test dashboard is not started (use it inside a test)');
    return value;
  };
  return { env: () => started(env), page: () => started(page) };
}
