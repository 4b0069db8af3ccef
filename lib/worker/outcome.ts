/**
 * What became of one record in an invocation: its fate in the batch response, and whether it
 * reached a final state — on a FIFO queue, the next record of its message group runs only if so.
 */

/** `ack` lets the event source delete the record; `keep` reports it as a batch item failure. */
export type Fate = 'ack' | 'keep';

/** `completed`: the record reached a final state in this batch (ran to success, or was dead-lettered). */
export interface Outcome {
  readonly fate: Fate;
  readonly completed: boolean;
}

// Shared, frozen outcomes: a record's result allocates nothing.
/** Ran to success, was dropped as already settled, or was dead-lettered. */
export const DONE: Outcome = Object.freeze({ fate: 'ack', completed: true });
/** Re-sent as a fresh message (a retry or a hand-back) with the original deleted: acknowledged, not finished. */
export const ACKED_PENDING: Outcome = Object.freeze({ fate: 'ack', completed: false });
/** Stays on the queue and comes back after its visibility timeout. */
export const KEPT: Outcome = Object.freeze({ fate: 'keep', completed: false });
