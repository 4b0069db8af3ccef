/** Schedules: recurring ones as the target runs them, with their next firings and last firing; one-time ones. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import {
  API_PATHS,
  apiPath,
  type CancelOutcome,
  type DashboardConfig,
  type RunResult,
  type SchedulesData,
} from '../../shared/api.js';
import { getJson, postJson } from '../api.js';
import { ErrorNote, Notice, PageHeader, StatusBadge } from '../components/common.js';
import { ConfirmDialog } from '../components/confirm.js';
import { time } from '../format.js';
import { useData } from '../hooks.js';
import { href } from '../router.js';

export function SchedulesPage(props: { readonly config: DashboardConfig }) {
  const { config } = props;
  const data = useData(() => getJson<SchedulesData>(API_PATHS.schedules), [], config.refreshMs);
  const [note, setNote] = useState<{ tone: 'good' | 'bad'; text: string } | undefined>();
  const [actionError, setActionError] = useState<Error | undefined>();
  const [cancelling, setCancelling] = useState<string | undefined>();
  const act = async (action: () => Promise<string>) => {
    setActionError(undefined);
    setNote(undefined);
    try {
      setNote({ tone: 'good', text: await action() });
      data.reload();
    } catch (error) {
      setActionError(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const runNow = (name: string) =>
    act(async () => {
      const fired = await postJson<RunResult>(apiPath(API_PATHS.runSchedule, { name }));
      return `Fired ${fired.schedule}: job ${fired.jobId} (${fired.jobName}) is on ${fired.queue}.`;
    });
  const setPaused = (name: string, pause: boolean) =>
    act(async () => {
      await postJson(apiPath(pause ? API_PATHS.pauseSchedule : API_PATHS.resumeSchedule, { name }));
      return `${name} ${pause ? 'paused' : 'resumed'}.`;
    });
  const cancel = (jobId: string) =>
    act(async () => {
      setCancelling(undefined);
      const [outcome] = await postJson<CancelOutcome[]>(API_PATHS.cancel, { ids: [jobId] });
      if (!outcome?.ok) throw new Error(outcome?.error ?? 'not cancelled');
      return `Cancelled ${jobId}.`;
    });
  const recurring = data.data?.recurring ?? [];
  const oneTime = data.data?.oneTime.jobs ?? [];
  return html`
    <${PageHeader} title="Schedules" updatedAt=${data.updatedAt} />
    <${ErrorNote} error=${data.error} />
    <${ErrorNote} error=${actionError} />
    ${note ? html`<${Notice} tone=${note.tone}>${note.text}<//>` : null}
    <section>
      <h2>Recurring</h2>
      <table class="grid" data-testid="schedules">
        <thead><tr><th>Schedule</th><th>Job</th><th>Expression</th><th>Time zone</th><th>State</th><th>Next firings</th><th>Last firing</th>${config.readOnly ? null : html`<th></th>`}</tr></thead>
        <tbody>
          ${recurring.length === 0 && data.data ? html`<tr><td colspan="8" class="empty">No recurring schedules.</td></tr>` : null}
          ${recurring.map(
            (s) => html`<tr data-schedule=${s.name}>
              <td class="mono">${s.name}</td>
              <td>${s.job}</td>
              <td class="mono">${s.expression}</td>
              <td>${s.timeZone}</td>
              <td><span class=${`badge state-${s.state.toLowerCase()}`}>${s.state === 'DISABLED' ? 'paused' : s.state.toLowerCase()}</span></td>
              <td><ol class="firings">${s.next.map((n) => html`<li>${time(n)}</li>`)}</ol>${s.problem ? html`<span class="error-text">${s.problem}</span>` : null}</td>
              <td>${
                s.lastFiring
                  ? html`${time(s.lastFiring.at)}<br /><a class="mono" href=${href(['jobs', s.lastFiring.job.jobId])}>${s.lastFiring.job.jobId}</a> <${StatusBadge} status=${s.lastFiring.job.status} />`
                  : '–'
              }</td>
              ${
                config.readOnly
                  ? null
                  : html`<td><div class="row-actions">
                    <button type="button" class="small" onClick=${() => runNow(s.name)}>Run now</button>
                    ${
                      config.flowControl
                        ? html`<button type="button" class="secondary small" onClick=${() => setPaused(s.name, s.state !== 'DISABLED')}>${s.state === 'DISABLED' ? 'Resume' : 'Pause'}</button>`
                        : null
                    }
                  </div></td>`
              }
            </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section>
      <h2>One-time (scheduled jobs)</h2>
      <table class="grid" data-testid="one-time">
        <thead><tr><th>Job id</th><th>Name</th><th>Runs at</th>${config.readOnly ? null : html`<th></th>`}</tr></thead>
        <tbody>
          ${oneTime.length === 0 && data.data ? html`<tr><td colspan="4" class="empty">No job waits for a run-at time.</td></tr>` : null}
          ${oneTime.map(
            (j) => html`<tr data-job-id=${j.jobId}>
              <td class="mono"><a href=${href(['jobs', j.jobId])}>${j.jobId}</a></td>
              <td>${j.name}</td>
              <td>${time(j.runAt)}</td>
              ${config.readOnly ? null : html`<td><button type="button" class="danger small" onClick=${() => setCancelling(j.jobId)}>Cancel</button></td>`}
            </tr>`,
          )}
        </tbody>
      </table>
    </section>
    ${
      cancelling
        ? html`<${ConfirmDialog} title="Cancel this scheduled job" confirmLabel="Cancel job" danger=${true}
          onConfirm=${() => cancel(cancelling)} onCancel=${() => setCancelling(undefined)}>
          <p class="mono">${cancelling}</p>
        <//>`
        : null
    }`;
}
