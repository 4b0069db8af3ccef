/**
 * Dead letters of one job: its DLQ read without consuming anything, with each message's reason;
 * filters; redrive or discard the selected (after a confirmation), or redrive all. A payload is
 * fetched only when asked for, one message at a time, and never in read-only mode.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { DeadMessageView } from '../../../cli/dlq.js';
import {
  API_PATHS,
  apiPath,
  type DashboardConfig,
  type DeadLettersData,
  type DeadPayload,
  type DiscardSummary,
  type TaskView,
} from '../../shared/api.js';
import { getJson, postJson } from '../api.js';
import { ErrorNote, Json, Notice, PageHeader } from '../components/common.js';
import { ConfirmDialog } from '../components/confirm.js';
import { TaskProgress } from '../components/task-progress.js';
import { time } from '../format.js';
import { useData } from '../hooks.js';
import { href, type Route } from '../router.js';

type Pending =
  | { readonly kind: 'redrive' | 'discard'; readonly ids: readonly string[] }
  | { readonly kind: 'all' };

const FILTERS = ['errorCode', 'olderThan', 'id'] as const;

function reason(m: DeadMessageView): string {
  if (m.errorCode === null) return m.problem ?? 'moved by the SQS redrive policy (no reason recorded)';
  return `${m.errorCode}: ${m.errorMessage ?? ''}`;
}

export function DeadLettersPage(props: { readonly config: DashboardConfig; readonly route: Route }) {
  const { config, route } = props;
  const job = route.parts[1] ?? config.jobs[0]?.name ?? '';
  const filters = Object.fromEntries(FILTERS.map((f) => [f, route.query.get(f) ?? undefined])) as Record<
    (typeof FILTERS)[number],
    string | undefined
  >;
  const key = JSON.stringify([job, filters]);
  const dead = useData(
    () => getJson<DeadLettersData>(apiPath(API_PATHS.deadLetters, { job }), filters),
    [key],
  );
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [pending, setPending] = useState<Pending | undefined>();
  const [task, setTask] = useState<TaskView | undefined>();
  const [summary, setSummary] = useState<DiscardSummary | undefined>();
  const [payload, setPayload] = useState<DeadPayload | undefined>();
  const [actionError, setActionError] = useState<Error | undefined>();
  const [draft, setDraft] = useState(filters);
  const messages = dead.data?.messages ?? [];

  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const apply = (event: Event) => {
    event.preventDefault();
    window.location.hash = href(['dead-letters', job], draft);
  };
  const run = async (action: Pending) => {
    setPending(undefined);
    setActionError(undefined);
    setSummary(undefined);
    try {
      if (action.kind === 'discard') {
        setSummary(await postJson<DiscardSummary>(apiPath(API_PATHS.discard, { job }), { ids: action.ids }));
        dead.reload();
      } else {
        const body = action.kind === 'all' ? { all: true } : { ids: action.ids };
        setTask(await postJson<TaskView>(apiPath(API_PATHS.redrive, { job }), body));
      }
      setSelected(new Set());
    } catch (error) {
      setActionError(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const show = async (messageId: string) => {
    setActionError(undefined);
    if (payload?.messageId === messageId) return setPayload(undefined);
    setPayload(undefined);
    try {
      setPayload(await postJson<DeadPayload>(apiPath(API_PATHS.payload, { job }), { id: messageId }));
    } catch (error) {
      setActionError(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const ids = [...selected];

  return html`
    <${PageHeader} title="Dead letters" updatedAt=${dead.updatedAt} onRefresh=${dead.reload} />
    <nav class="tabs">
      ${config.jobs.map((j) => html`<a href=${href(['dead-letters', j.name])} class=${j.name === job ? 'active' : ''}>${j.name}</a>`)}
    </nav>
    <form class="toolbar" onSubmit=${apply}>
      <label>Error code <input value=${draft.errorCode ?? ''} onInput=${(e: Event) => setDraft({ ...draft, errorCode: (e.target as HTMLInputElement).value || undefined })} /></label>
      <label>Failed before <input placeholder="30m, 2h, 7d or ISO time" value=${draft.olderThan ?? ''} onInput=${(e: Event) => setDraft({ ...draft, olderThan: (e.target as HTMLInputElement).value || undefined })} /></label>
      <label>Job or message id <input value=${draft.id ?? ''} onInput=${(e: Event) => setDraft({ ...draft, id: (e.target as HTMLInputElement).value || undefined })} /></label>
      <button type="submit" class="secondary">Filter</button>
    </form>
    <${ErrorNote} error=${dead.error} />
    <${ErrorNote} error=${actionError} />
    ${task ? html`<${TaskProgress} task=${task} onDone=${() => dead.reload()} />` : null}
    ${
      summary
        ? html`<${Notice} tone=${summary.failed.length === 0 && summary.notFound.length === 0 ? 'good' : 'bad'}>
          Discarded ${summary.deleted.length}${summary.failed.length > 0 ? `; not deleted: ${summary.failed.map((f) => `${f.id} (${f.reason})`).join(', ')}` : ''}${summary.notFound.length > 0 ? `; not found: ${summary.notFound.join(', ')}` : ''}.
        <//>`
        : null
    }
    ${
      dead.data
        ? html`<p class="hint">${dead.data.dlq}: ${messages.length} shown${dead.data.more ? ` (the first ${dead.data.limit}; there may be more)` : ''}; nothing was consumed.
          ${dead.data.fifo ? ' FIFO DLQ: a message group shows only its first messages while they are held.' : ''}</p>`
        : null
    }
    ${
      config.readOnly
        ? null
        : html`<div class="actions">
          <button type="button" disabled=${ids.length === 0} onClick=${() => setPending({ kind: 'redrive', ids })}>Redrive selected (${ids.length})</button>
          <button type="button" class="danger" disabled=${ids.length === 0} onClick=${() => setPending({ kind: 'discard', ids })}>Discard selected (${ids.length})</button>
          <button type="button" class="secondary" disabled=${messages.length === 0} onClick=${() => setPending({ kind: 'all' })}>Redrive all</button>
        </div>`
    }
    <table class="grid" data-testid="dead-letters">
      <thead><tr>
        ${config.readOnly ? null : html`<th></th>`}
        <th>Job id</th><th class="num">Attempt</th><th>Failed at</th><th>Reason</th><th>Message id</th>
        ${config.readOnly ? null : html`<th></th>`}
      </tr></thead>
      <tbody>
        ${messages.length === 0 && dead.data ? html`<tr><td colspan="7" class="empty">${dead.data.dlq} is empty${Object.values(filters).some(Boolean) ? ' for these filters' : ''}.</td></tr>` : null}
        ${messages.map(
          (m) => html`<tr data-message-id=${m.messageId} data-job-id=${m.jobId ?? ''}>
            ${config.readOnly ? null : html`<td><input type="checkbox" aria-label=${`Select ${m.jobId ?? m.messageId}`} checked=${selected.has(m.messageId)} onChange=${() => toggle(m.messageId)} /></td>`}
            <td class="mono">${m.jobId ? html`<a href=${href(['jobs', m.jobId])}>${m.jobId}</a>` : '–'}</td>
            <td class="num">${m.attempt ?? '–'}</td>
            <td>${time(m.failedAt)}</td>
            <td class="error-text" data-testid="reason">${reason(m)}</td>
            <td class="mono small">${m.messageId}</td>
            ${
              config.readOnly
                ? null
                : html`<td><button type="button" class="secondary small" aria-expanded=${payload?.messageId === m.messageId} onClick=${() => show(m.messageId)}>
                  ${payload?.messageId === m.messageId ? 'Hide payload' : 'Payload'}</button></td>`
            }
          </tr>`,
        )}
      </tbody>
    </table>
    ${payload ? html`<section data-testid="payload"><h2>Payload of ${payload.jobId ?? payload.messageId}</h2><${Json} value=${payload.payload} /></section>` : null}
    ${
      pending
        ? html`<${ConfirmDialog}
          title=${pending.kind === 'discard' ? 'Discard dead messages' : 'Redrive dead messages'}
          confirmLabel=${pending.kind === 'discard' ? `Delete ${pending.ids.length} for good` : pending.kind === 'all' ? 'Redrive all' : `Redrive ${pending.ids.length}`}
          danger=${pending.kind === 'discard'}
          onConfirm=${() => run(pending)}
          onCancel=${() => setPending(undefined)}>
          ${
            pending.kind === 'all'
              ? html`<p>Every message in ${dead.data?.dlq} goes back to its queue${config.nativeRedrive ? " (SQS's move task: bodies unchanged, so attempts are not reset)" : ' with fresh attempts'}.</p>`
              : html`<p>${pending.kind === 'discard' ? `Delete these ${pending.ids.length} message(s) from ${dead.data?.dlq} for good?` : 'These go back to their queue with fresh attempts:'}</p>
                <ul class="ids">${pending.ids.map((id) => html`<li class="mono">${messages.find((m) => m.messageId === id)?.jobId ?? id}</li>`)}</ul>`
          }
        <//>`
        : null
    }`;
}
