/** Overview: per job its queue and DLQ, jobs by status, and the outcomes chart; refreshes by itself. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import {
  API_PATHS,
  type DashboardConfig,
  METRIC_RANGES,
  type MetricRange,
  type MetricsData,
  type OverviewData,
} from '../../shared/api.js';
import { getJson, postJson } from '../api.js';
import { OutcomeChart } from '../components/chart.js';
import { ErrorNote, PageHeader, StatusBadge } from '../components/common.js';
import { age } from '../format.js';
import { useData } from '../hooks.js';
import { href } from '../router.js';

export function OverviewPage(props: { readonly config: DashboardConfig }) {
  const { config } = props;
  const overview = useData(() => getJson<OverviewData>(API_PATHS.overview), [], config.refreshMs);
  const [range, setRange] = useState<MetricRange>('hour');
  const metrics = useData(
    () => getJson<MetricsData>(API_PATHS.metrics, { range }),
    [range],
    config.refreshMs,
  );
  const data = overview.data;
  const showPause = config.flowControl && data?.paused !== null && !config.readOnly;
  const toggle = async (job: string, paused: boolean) => {
    await postJson(
      (paused ? API_PATHS.resumeQueue : API_PATHS.pauseQueue).replace(':job', encodeURIComponent(job)),
    );
    overview.reload();
  };
  return html`
    <${PageHeader} title="Overview" updatedAt=${overview.updatedAt} />
    <${ErrorNote} error=${overview.error} />
    ${
      data
        ? html`
        <section>
          <h2>Queues</h2>
          <table class="grid" data-testid="queues">
            <thead><tr>
              <th>Job</th><th>Queue</th><th class="num">Visible</th><th class="num">In flight</th><th class="num">Delayed</th>
              <th class="num">Oldest</th><th>DLQ</th><th class="num">Dead</th><th class="num">DLQ oldest</th>
              ${data.paused ? html`<th>State</th>` : null}
            </tr></thead>
            <tbody>
              ${data.queues.map(
                (q) => html`<tr data-job=${q.job}>
                  <td><a href=${href(['jobs'], { name: q.job })}>${q.job}</a></td>
                  <td class="mono">${q.queue}</td>
                  <td class="num">${q.visible}</td><td class="num">${q.inFlight}</td><td class="num">${q.delayed}</td>
                  <td class="num">${data.agesKnown ? age(q.oldestAgeSeconds) : 'n/a'}</td>
                  <td class="mono">${q.dlq}</td>
                  <td class="num">${
                    q.dlqDepth > 0
                      ? html`<a class="dead-count" data-testid="dlq-count" href=${href(['dead-letters', q.job])}>${q.dlqDepth}</a>`
                      : html`<span data-testid="dlq-count">0</span>`
                  }</td>
                  <td class="num">${data.agesKnown ? age(q.dlqOldestAgeSeconds) : 'n/a'}</td>
                  ${
                    data.paused
                      ? html`<td>${data.paused[q.job] ? html`<span class="badge paused">paused</span>` : 'running'}
                        ${showPause ? html` <button type="button" class="secondary small" onClick=${() => toggle(q.job, data.paused?.[q.job] === true)}>${data.paused[q.job] ? 'Resume' : 'Pause'}</button>` : null}</td>`
                      : null
                  }
                </tr>`,
              )}
            </tbody>
          </table>
          ${data.agesKnown ? null : html`<p class="hint">Oldest-message ages come from CloudWatch: open the dashboard with --stage to see them.</p>`}
        </section>
        <section>
          <h2>Jobs by status</h2>
          ${
            data.counts
              ? html`<ul class="counts" data-testid="counts">
                ${config.statuses.map(
                  (
                    s,
                  ) => html`<li data-status=${s}><a href=${href(['jobs'], { status: s })}><${StatusBadge} status=${s} />
                    <strong>${data.counts?.[s]?.count ?? 0}${data.counts?.[s]?.capped ? '+' : ''}</strong></a></li>`,
                )}
              </ul>`
              : html`<p class="hint">No job ledger on this target.</p>`
          }
        </section>`
        : null
    }
    <section>
      <h2>Outcomes per minute
        <span class="range">
          ${(Object.keys(METRIC_RANGES) as MetricRange[]).map(
            (r) =>
              html`<button type="button" class=${r === range ? 'small' : 'secondary small'} aria-pressed=${r === range} onClick=${() => setRange(r)}>last ${r}</button>`,
          )}
        </span>
      </h2>
      <${ErrorNote} error=${metrics.error} />
      ${
        metrics.data
          ? html`${metrics.data.unavailable ? html`<p class="hint">${metrics.data.unavailable}</p>` : null}
            <${OutcomeChart} data=${metrics.data} />
            <p class="hint">From ${metrics.data.source}.</p>`
          : null
      }
    </section>`;
}
