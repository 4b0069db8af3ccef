/** A job: its record, a timeline from what the record holds, its result, and what can be done. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import {
  API_PATHS,
  apiPath,
  type CancelOutcome,
  type DashboardConfig,
  type JobDetail,
  type TaskView,
} from '../../shared/api.js';
import { getJson, postJson } from '../api.js';
import { ErrorNote, Json, Notice, PageHeader, StatusBadge } from '../components/common.js';
import { ConfirmDialog } from '../components/confirm.js';
import { TaskProgress } from '../components/task-progress.js';
import { time } from '../format.js';
import { useData } from '../hooks.js';
import { href } from '../router.js';

export function JobDetailPage(props: { readonly config: DashboardConfig; readonly jobId: string }) {
  const { config, jobId } = props;
  const detail = useData(
    () => getJson<JobDetail>(apiPath(API_PATHS.job, { id: jobId })),
    [jobId],
    config.refreshMs,
  );
  const [confirm, setConfirm] = useState<'cancel' | 'retry' | undefined>();
  const [task, setTask] = useState<TaskView | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const [actionError, setActionError] = useState<Error | undefined>();
  const record = detail.data?.record;

  const act = async (kind: 'cancel' | 'retry') => {
    setConfirm(undefined);
    setActionError(undefined);
    try {
      if (kind === 'retry') setTask(await postJson<TaskView>(API_PATHS.retry, { ids: [jobId] }));
      else {
        const [outcome] = await postJson<CancelOutcome[]>(API_PATHS.cancel, { ids: [jobId] });
        if (outcome && !outcome.ok) throw new Error(outcome.error);
        setNote('Cancelled.');
      }
      detail.reload();
    } catch (error) {
      setActionError(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const rows: [string, unknown][] = record
    ? [
        ['Name', record.name],
        ['Attempts', record.attempts],
        ['Claims', record.claims],
        ['Continuation', record.continuation],
        ['Created', time(record.createdAt)],
        ['Updated', time(record.updatedAt)],
        ['Runs at', record.runAt ? time(record.runAt) : undefined],
        ['Idempotency key', record.idempotencyKey],
        ['Correlation id', record.correlationId],
        ['Expires', time(record.expiresAt)],
      ]
    : [];
  return html`
    <${PageHeader} title=${`Job ${jobId}`} updatedAt=${detail.updatedAt} />
    <${ErrorNote} error=${detail.error} />
    <${ErrorNote} error=${actionError} />
    ${note ? html`<${Notice} tone="good">${note}<//>` : null}
    ${task ? html`<${TaskProgress} task=${task} onDone=${() => detail.reload()} />` : null}
    ${
      record
        ? html`
        <div class="detail">
          <section>
            <p class="status-line"><${StatusBadge} status=${record.status} /></p>
            ${
              config.readOnly
                ? null
                : html`<div class="actions">
                  ${
                    record.status === 'queued' || record.status === 'scheduled'
                      ? html`<button type="button" class="danger" onClick=${() => setConfirm('cancel')}>Cancel job</button>`
                      : null
                  }
                  ${record.status === 'dead' ? html`<button type="button" onClick=${() => setConfirm('retry')}>Retry (redrive this job)</button>` : null}
                </div>`
            }
            ${
              detail.data?.deadLetterJob
                ? html`<p><a href=${href(['dead-letters', detail.data.deadLetterJob], { id: jobId })}>Its dead letter</a></p>`
                : null
            }
            <table class="record">
              ${rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => html`<tr><th>${k}</th><td>${String(v)}</td></tr>`)}
            </table>
            ${
              record.lastError
                ? html`<h2>Last error</h2><p class="error-text" data-testid="last-error">${record.lastError.code}: ${record.lastError.message}</p>`
                : null
            }
            ${record.progress ? html`<h2>Progress</h2><${Json} value=${record.progress} />` : null}
            ${record.result ? html`<h2>Result</h2><${Json} value=${record.result} />` : null}
          </section>
          <section>
            <h2>Timeline</h2>
            <ol class="timeline" data-testid="timeline">
              ${detail.data?.timeline.map(
                (e) =>
                  html`<li class=${`tone-${e.tone}`}><time>${time(e.at)}</time> <strong>${e.label}</strong>${e.detail ? html` <span>${e.detail}</span>` : null}</li>`,
              )}
            </ol>
          </section>
        </div>`
        : null
    }
    ${
      confirm
        ? html`<${ConfirmDialog}
          title=${confirm === 'cancel' ? 'Cancel this job' : 'Redrive this job'}
          confirmLabel=${confirm === 'cancel' ? 'Cancel job' : 'Redrive'}
          danger=${confirm === 'cancel'}
          onConfirm=${() => act(confirm)}
          onCancel=${() => setConfirm(undefined)}>
          <p class="mono">${jobId}</p>
        <//>`
        : null
    }`;
}
