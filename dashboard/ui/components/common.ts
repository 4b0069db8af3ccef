/** Small pieces every page uses: a page header with "last updated", a status badge, an error line. */

import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';
import { clock } from '../format.js';

export function PageHeader(props: {
  readonly title: string;
  readonly updatedAt?: Date | undefined;
  readonly onRefresh?: () => void;
  readonly children?: ComponentChildren;
}) {
  return html`<header class="page-header">
    <h1>${props.title}</h1>
    <div class="page-tools">
      ${props.children}
      ${
        props.updatedAt !== undefined || props.onRefresh
          ? html`<span class="updated" data-testid="updated" data-at=${props.updatedAt?.getTime()}>Last updated <time>${clock(props.updatedAt)}</time></span>`
          : null
      }
      ${props.onRefresh ? html`<button type="button" class="secondary" onClick=${props.onRefresh}>Refresh</button>` : null}
    </div>
  </header>`;
}

export function StatusBadge(props: { readonly status: string }) {
  return html`<span class=${`badge status-${props.status}`}>${props.status}</span>`;
}

export function ErrorNote(props: { readonly error: Error | undefined }) {
  if (!props.error) return null;
  const code = props.error instanceof ApiError ? `${props.error.code}: ` : '';
  return html`<p class="error" role="alert">${code}${props.error.message}</p>`;
}

export function Notice(props: {
  readonly tone: 'good' | 'bad' | 'info';
  readonly children: ComponentChildren;
}) {
  return html`<p class=${`notice ${props.tone}`} role="status">${props.children}</p>`;
}

export function Json(props: { readonly value: unknown }) {
  return html`<pre class="json">${JSON.stringify(props.value, null, 2)}</pre>`;
}
