/** `hangar dashboard`: the dashboard for the local system or a stage, until Ctrl-C. */

import { DASHBOARD_DEFAULTS } from '../../dashboard/server/constants.js';
import { CloudWatchMetrics } from '../../dashboard/server/metrics/cloudwatch-metrics.js';
import { cachedMetrics, type MetricsSource } from '../../dashboard/server/metrics/metrics-source.js';
import { RemoteMetrics } from '../../dashboard/server/metrics/remote-metrics.js';
import { startDashboard } from '../../dashboard/server/start-dashboard.js';
import { targetFlowControl } from '../../dashboard/server/target-flow-control.js';
import { localUrl } from '../../local/endpoints.js';
import { parseInteger } from '../args.js';
import type { Target } from '../target.js';
import type { CommandContext } from './context.js';

export interface DashboardCommandOptions {
  readonly stage?: string;
  readonly port?: string;
  readonly readOnly?: boolean;
}

/** A stage's chart from CloudWatch; the local one from the EMF lines `npm run dev` counts. */
function metricsOf(target: Target, ctx: CommandContext, stage: string | undefined): MetricsSource {
  if (target.cloudwatch && stage !== undefined) {
    return cachedMetrics(
      new CloudWatchMetrics(target.cloudwatch, stage, ctx.registry),
      DASHBOARD_DEFAULTS.cloudWatchCacheMs,
    );
  }
  return new RemoteMetrics(localUrl(DASHBOARD_DEFAULTS.devPort));
}

export async function dashboardCommand(ctx: CommandContext, options: DashboardCommandOptions): Promise<void> {
  const port =
    options.port === undefined ? DASHBOARD_DEFAULTS.port : parseInteger('--port', options.port, 0, 65_535);
  const target = await ctx.target();
  const dashboard = await startDashboard({
    target,
    registry: ctx.registry,
    metrics: metricsOf(target, ctx, options.stage),
    port,
    readOnly: options.readOnly === true,
    flowControl: targetFlowControl(target, ctx.registry),
  });
  ctx.out.line(
    `Hangar dashboard for ${target.label}: ${dashboard.url}${options.readOnly ? ' (read-only)' : ''}`,
  );
  ctx.out.note('Ctrl-C stops it.');
  try {
    await new Promise<void>((resolve) => {
      if (!ctx.signal || ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await dashboard.stop();
  }
}
