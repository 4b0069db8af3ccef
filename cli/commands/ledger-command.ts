import { LEDGER_INDEX_STEPS } from '../../lib/deploy/index.js';
import { indexLayout } from '../../lib/ledger/table.js';
import { OperationFailedError, UnreachableError } from '../errors.js';
import type { CommandContext } from './context.js';

/**
 * `hangar ledger migrate`: the backfill step of `LEDGER_INDEX_STEPS` — every job record written
 * before the index redesign gets its status partition, so the current status index holds it.
 * Safe to run again: a record that has its partition is not written.
 */
export async function ledgerMigrateCommand(ctx: CommandContext): Promise<void> {
  const target = await ctx.target();
  const ledger = target.ledger;
  if (!ledger) throw new UnreachableError(`${target.label} has no ledger table the CLI can reach`);
  let result: Awaited<ReturnType<typeof ledger.backfillShelves>>;
  try {
    result = await ledger.backfillShelves((progress) => ctx.out.note(`… ${progress.updated} records so far`));
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationException') {
      const legacy = indexLayout('legacy').byStatus.name;
      const last = LEDGER_INDEX_STEPS.filter((step) => step.reads === 'legacy').at(-1)?.step;
      throw new OperationFailedError(
        `The ledger table has no index "${legacy}" to migrate from: run this after step ${last} of the deploy sequence (ledgerIndexStep), before the next one`,
        { cause: error },
      );
    }
    throw error;
  }
  if (ctx.out.json) return ctx.out.data(result);
  ctx.out.line(
    `Gave ${result.updated} job record(s) their status partition; ${result.skipped} changed meanwhile and have it already.`,
  );
}
