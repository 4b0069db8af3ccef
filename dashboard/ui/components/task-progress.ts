/** Follows a redrive task until it ends: a bar while it runs, the summary after. */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { API_PATHS, apiPath, type TaskView } from '../../shared/api.js';
import { getJson } from '../api.js';
import { Notice } from './common.js';

/** How often a running task is asked about. */
const POLL_MS = 500;

export function TaskProgress(props: { readonly task: TaskView; readonly onDone?: (task: TaskView) => void }) {
  const [task, setTask] = useState(props.task);
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const next = await getJson<TaskView>(apiPath(API_PATHS.task, { id: props.task.id })).catch(
        () => undefined,
      );
      if (!alive) return;
      if (next) setTask(next);
      if (next && next.state !== 'running') props.onDone?.(next);
      else timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [props.task.id]);
  const { progress } = task;
  const total = progress.total ?? 0;
  if (task.state === 'running') {
    return html`<div class="task" role="status" data-testid="task">
      <span>${task.label}</span>
      <progress max=${total || 1} value=${total ? progress.seen : 0}></progress>
      <span>${progress.seen}${total ? ` / ${total}` : ''} seen · moved ${progress.moved} · skipped ${progress.skipped} · failed ${progress.failed}</span>
    </div>`;
  }
  return html`<div data-testid="task"><${Notice} tone=${task.state === 'done' ? 'good' : 'bad'}>
    ${task.label}: ${task.summary ?? task.error ?? task.state}
  <//></div>`;
}
