import { SYNC_ITEM_KIND } from '../../lib/jobs/builtin/index.js';
import { RECORD_KINDS } from '../../lib/ledger/index.js';

/** Every kind of record that carries an expiry, in the order a cleanup run deletes them. */
export const CLEANUP_KINDS = [RECORD_KINDS.job, RECORD_KINDS.idempotencyKey, SYNC_ITEM_KIND] as const;
