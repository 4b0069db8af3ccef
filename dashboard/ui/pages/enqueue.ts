/** Enqueue: a form per job from its payload's JSON Schema; the server's validation decides. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { API_PATHS, type DashboardConfig, type EnqueueResult } from '../../shared/api.js';
import { ApiError, postJson } from '../api.js';
import { ErrorNote, Notice, PageHeader } from '../components/common.js';
import { href, type Route } from '../router.js';
import { collect, formable, type Issues, SchemaFields, type Values } from '../schema-form.js';

const PAYLOAD_PREFIX = 'payload.';

export function EnqueuePage(props: { readonly config: DashboardConfig; readonly route: Route }) {
  const { config, route } = props;
  const name = route.parts[1] ?? config.jobs[0]?.name ?? '';
  const job = config.jobs.find((j) => j.name === name);
  const [values, setValues] = useState<Values>({});
  const [json, setJson] = useState('{}');
  const [options, setOptions] = useState<{ delaySeconds?: string; runAt?: string; idempotencyKey?: string }>(
    {},
  );
  const [issues, setIssues] = useState<Issues>({});
  const [error, setError] = useState<Error | undefined>();
  const [accepted, setAccepted] = useState<EnqueueResult | undefined>();
  const [sending, setSending] = useState(false);
  if (config.readOnly)
    return html`<${PageHeader} title="Enqueue" /><p class="hint">Read-only: nothing can be enqueued.</p>`;
  if (!job) return html`<${PageHeader} title="Enqueue" /><p class="error">Unknown job "${name}".</p>`;
  const byFields = formable(job.schema);

  const submit = async (event: Event) => {
    event.preventDefault();
    setIssues({});
    setError(undefined);
    setAccepted(undefined);
    let payload: unknown;
    if (byFields && job.schema) payload = collect(job.schema, values);
    else {
      try {
        payload = JSON.parse(json);
      } catch {
        setIssues({ '(root)': 'not JSON' });
        return;
      }
    }
    setSending(true);
    try {
      setAccepted(
        await postJson<EnqueueResult>(API_PATHS.enqueue, {
          name: job.name,
          payload,
          ...(options.delaySeconds ? { delaySeconds: Number(options.delaySeconds) } : {}),
          ...(options.runAt ? { runAt: new Date(options.runAt).toISOString() } : {}),
          ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
        }),
      );
      setValues({});
    } catch (failure) {
      if (failure instanceof ApiError && failure.details.length > 0) {
        // `payload.to.0` belongs to the field `to`; anything else to the form as a whole.
        setIssues(
          Object.fromEntries(
            failure.details.map((d) => [
              d.path.startsWith(PAYLOAD_PREFIX) ? d.path.slice(PAYLOAD_PREFIX.length) : d.path,
              d.message,
            ]),
          ),
        );
      }
      setError(failure instanceof Error ? failure : new Error(String(failure)));
    } finally {
      setSending(false);
    }
  };
  // Issues of a field are shown at it; the rest (the whole payload, options) above the button.
  const fields = new Set(byFields && job.schema ? Object.keys((job.schema.properties ?? {}) as object) : []);
  const formLevel = Object.entries(issues).filter(([path]) => !fields.has(path.split('.')[0] ?? ''));
  return html`
    <${PageHeader} title="Enqueue" />
    <nav class="tabs">
      ${config.jobs.map((j) => html`<a href=${href(['enqueue', j.name])} class=${j.name === name ? 'active' : ''}>${j.name}</a>`)}
    </nav>
    ${job.description ? html`<p class="hint">${job.description}</p>` : null}
    ${
      accepted
        ? html`<${Notice} tone="good">${accepted.replayed ? 'Already enqueued under this idempotency key' : 'Enqueued'}:
          <a class="mono" href=${href(['jobs', accepted.jobId])}>${accepted.jobId}</a> (${accepted.status}${accepted.runAt ? `, runs at ${accepted.runAt}` : ''})<//>`
        : null
    }
    <${ErrorNote} error=${error} />
    <form class="enqueue" onSubmit=${submit} novalidate>
      <fieldset>
        <legend>Payload of ${job.name}</legend>
        ${
          byFields && job.schema
            ? html`<${SchemaFields} schema=${job.schema} values=${values} issues=${issues} onChange=${(path: string, value: string) => setValues({ ...values, [path]: value })} />`
            : html`<div class="field"><label for="payload-json">Payload (JSON)</label>
              <textarea id="payload-json" rows=${8} value=${json} onInput=${(e: Event) => setJson((e.target as HTMLTextAreaElement).value)}></textarea></div>`
        }
        ${formLevel.length > 0 ? html`<p class="field-error" role="alert">${formLevel.map(([p, m]) => `${p}: ${m}`).join('; ')}</p>` : null}
      </fieldset>
      <fieldset>
        <legend>Options</legend>
        <div class="field"><label for="opt-delay">Delay (seconds)</label>
          <input id="opt-delay" type="number" min="0" value=${options.delaySeconds ?? ''} onInput=${(e: Event) => setOptions({ ...options, delaySeconds: (e.target as HTMLInputElement).value })} /></div>
        <div class="field"><label for="opt-run-at">Run at</label>
          <input id="opt-run-at" type="datetime-local" value=${options.runAt ?? ''} onInput=${(e: Event) => setOptions({ ...options, runAt: (e.target as HTMLInputElement).value })} /></div>
        <div class="field"><label for="opt-key">Idempotency key</label>
          <input id="opt-key" value=${options.idempotencyKey ?? ''} onInput=${(e: Event) => setOptions({ ...options, idempotencyKey: (e.target as HTMLInputElement).value })} /></div>
      </fieldset>
      <button type="submit" disabled=${sending}>Enqueue ${job.name}</button>
    </form>`;
}
