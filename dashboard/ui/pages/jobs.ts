/** Jobs: the ledger's listings (status, name, newest first) with cursor paging, lookup, bulk actions. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { JobRecord } from '../../../lib/ledger/index.js';
import {
  API_PATHS,
  type CancelOutcome,
  type DashboardConfig,
  type JobsPage as Page,
  type TaskView,
} from '../../shared/api.js';
import { getJson, postJson } from '../api.js';
import { ErrorNote, Notice, PageHeader, StatusBadge } from '../components/common.js';
import { ConfirmDialog } from '../components/confirm.js';
import { TaskProgress } from '../components/task-progress.js';
import { time } from '../format.js';
import { useData } from '../hooks.js';
import { href, type Route } from '../router.js';

type Pending = { readonly kind: 'cancel' | 'redrive'; readonly ids: readonly string[] };

export function JobsPage(props: { readonly config: DashboardConfig; readonly route: Route }) {
  const { config, route } = props;
  const status = route.query.get('status') ?? undefined;
  const name = route.query.get('name') ?? undefined;
  const cursor = route.query.get('cursor') ?? undefined;
  const page = useData(
    () => getJson<Page>(API_PATHS.jobs, { status, name, cursor }),
    [status, name, cursor],
    config.refreshMs,
  );
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [pending, setPending] = useState<Pending | undefined>();
  const [outcome, setOutcome] = useState<readonly CancelOutcome[] | undefined>();
  const [task, setTask] = useState<TaskView | undefined>();
  const [actionError, setActionError] = useState<Error | undefined>();
  const [lookup, setLookup] = useState('');
  const [lookupError, setLookupError] = useState<Error | undefined>();

  const jobs = page.data?.jobs ?? [];
  const chosen = jobs.filter((j) => selected.has(j.jobId));
  const cancellable = chosen.filter((j) => j.status === 'queued' || j.status === 'scheduled');
  const dead = chosen.filter((j) => j.status === 'dead');
  const go = (query: Record<string, string | undefined>) => {
    window.location.hash = href(['jobs'], { status, name, ...query });
    setSelected(new Set());
  };
  const toggle = (job: JobRecord) => {
    const next = new Set(selected);
    if (next.has(job.jobId)) next.delete(job.jobId);
    else next.add(job.jobId);
    setSelected(next);
  };
  const run = async (action: Pending) => {
    setPending(undefined);
    setActionError(undefined);
    try {
      if (action.kind === 'cancel')
        setOutcome(await postJson<CancelOutcome[]>(API_PATHS.cancel, { ids: action.ids }));
      else setTask(await postJson<TaskView>(API_PATHS.retry, { ids: action.ids }));
      setSelected(new Set());
      page.reload();
    } catch (error) {
      setActionError(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const find = async (event: Event) => {
    event.preventDefault();
    setLookupError(undefined);
    try {
      const record = await getJson<JobRecord>(API_PATHS.lookup, { q: lookup.trim() });
      window.location.hash = href(['jobs', record.jobId]);
    } catch (error) {
      setLookupError(error instanceof Error ? error : new Error(String(error)));
    }
  };

  return html`
    <${PageHeader} title="Jobs" updatedAt=${page.updatedAt} />
    <div class="toolbar">
      <label>Status <select value=${status ?? ''} onChange=${(e: Event) => go({ status: (e.target as HTMLSelectElement).value || undefined, cursor: undefined })}>
        <option value="">any</option>
        ${config.statuses.map((s) => html`<option value=${s}>${s}</option>`)}
      </select></label>
      <label>Job <select value=${name ?? ''} onChange=${(e: Event) => go({ name: (e.target as HTMLSelectElement).value || undefined, cursor: undefined })}>
        <option value="">any</option>
        ${config.jobs.map((j) => html`<option value=${j.name}>${j.name}</option>`)}
      </select></label>
      <form class="lookup" onSubmit=${find}>
        <input type="search" placeholder="Job id or idempotency key" aria-label="Job id or idempotency key" value=${lookup}
          onInput=${(e: Event) => setLookup((e.target as HTMLInputElement).value)} />
        <button type="submit" class="secondary">Find</button>
      </form>
    </div>
    <${ErrorNote} error=${lookupError} />
    <${ErrorNote} error=${page.error} />
    <${ErrorNote} error=${actionError} />
    ${
      outcome
        ? html`<${Notice} tone=${outcome.every((o) => o.ok) ? 'good' : 'bad'}>
          ${outcome.map((o) => html`<span class="outcome">${o.jobId}: ${o.ok ? `cancelled` : o.error}</span>`)}
        <//>`
        : null
    }
    ${task ? html`<${TaskProgress} task=${task} onDone=${() => page.reload()} />` : null}
    ${
      config.readOnly
        ? null
        : html`<div class="actions">
          <button type="button" disabled=${cancellable.length === 0} onClick=${() => setPending({ kind: 'cancel', ids: cancellable.map((j) => j.jobId) })}>
            Cancel selected (${cancellable.length})
          </button>
          <button type="button" disabled=${dead.length === 0} onClick=${() => setPending({ kind: 'redrive', ids: dead.map((j) => j.jobId) })}>
            Redrive selected dead (${dead.length})
          </button>
        </div>`
    }
    <table class="grid" data-testid="jobs">
      <thead><tr>
        ${config.readOnly ? null : html`<th></th>`}
        <th>Job id</th><th>Name</th><th>Status</th><th class="num">Attempts</th><th>Updated</th><th>Last error</th>
      </tr></thead>
      <tbody>
        ${jobs.length === 0 && page.data ? html`<tr><td colspan="7" class="empty">No jobs.</td></tr>` : null}
        ${jobs.map(
          (j) => html`<tr data-job-id=${j.jobId}>
            ${config.readOnly ? null : html`<td><input type="checkbox" aria-label=${`Select ${j.jobId}`} checked=${selected.has(j.jobId)} onChange=${() => toggle(j)} /></td>`}
            <td class="mono"><a href=${href(['jobs', j.jobId])}>${j.jobId}</a></td>
            <td>${j.name}</td>
            <td><${StatusBadge} status=${j.status} /></td>
            <td class="num">${j.attempts}</td>
            <td>${time(j.updatedAt)}</td>
            <td class="error-text">${j.lastError ? `${j.lastError.code}: ${j.lastError.message}` : ''}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <div class="pager">
      ${cursor ? html`<button type="button" class="secondary" onClick=${() => window.history.back()}>Previous</button>` : null}
      ${page.data?.cursor ? html`<button type="button" class="secondary" onClick=${() => go({ cursor: page.data?.cursor })}>Next page</button>` : null}
    </div>
    ${
      pending
        ? html`<${ConfirmDialog}
          title=${pending.kind === 'cancel' ? 'Cancel jobs' : 'Redrive dead jobs'}
          confirmLabel=${pending.kind === 'cancel' ? `Cancel ${pending.ids.length} job(s)` : `Redrive ${pending.ids.length} job(s)`}
          danger=${pending.kind === 'cancel'}
          onConfirm=${() => run(pending)}
          onCancel=${() => setPending(undefined)}>
          <p>${pending.kind === 'cancel' ? 'These jobs will not run:' : 'These jobs go back to their queues with fresh attempts:'}</p>
          <ul class="ids">${pending.ids.map((id) => html`<li class="mono">${id}</li>`)}</ul>
        <//>`
        : null
    }`;
}
