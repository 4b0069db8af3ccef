/** A confirmation in the page (not `window.confirm`): it names what will happen and waits for a click. */

import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function ConfirmDialog(props: {
  readonly title: string;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  readonly children: ComponentChildren;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return html`<dialog ref=${dialog} class="confirm" aria-label=${props.title} onCancel=${props.onCancel}>
    <h2>${props.title}</h2>
    <div class="confirm-body">${props.children}</div>
    <div class="actions">
      <button type="button" class="secondary" onClick=${props.onCancel}>Cancel</button>
      <button type="button" class=${props.danger ? 'danger' : ''} onClick=${props.onConfirm}>${props.confirmLabel}</button>
    </div>
  </dialog>`;
}
