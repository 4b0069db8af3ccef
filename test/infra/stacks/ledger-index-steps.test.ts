import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../../lib/constants.js';
import {
  FINAL_LEDGER_INDEX_STEP,
  LEDGER_INDEX_STEPS,
  LEDGER_MIGRATE_COMMAND,
  OUTPUT_KEYS,
  TABLE_SPEC,
} from '../../../lib/deploy/index.js';
import { cleanupRun } from '../../../lib/jobs/builtin/index.js';
import { LEGACY_LEDGER_INDEXES, type TableIndexSpec } from '../../../lib/ledger/table.js';
import { logicalId, synthApp } from '../../helpers/infra.js';

interface Gsi {
  readonly IndexName: string;
  readonly KeySchema: readonly { readonly AttributeName: string; readonly KeyType: string }[];
  readonly Projection: { readonly ProjectionType: string };
}

/** The ledger table's indexes as the template declares them. */
function templateIndexes(template: Template): Gsi[] {
  const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
  expect(tables).toHaveLength(1);
  const properties = (tables[0]?.Properties ?? {}) as { GlobalSecondaryIndexes?: Gsi[] };
  return properties.GlobalSecondaryIndexes ?? [];
}

const asGsi = (index: TableIndexSpec): Gsi => ({
  IndexName: index.name,
  KeySchema: [
    { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
    { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: index.projection },
});

/** The variables of the functions that read the ledger's indexes: the API and the cleanup worker. */
function readersEnvironment(template: Template, stack: ReturnType<typeof synthApp>['stack']) {
  const variables = (logical: string) =>
    (template.toJSON().Resources[logical]?.Properties?.Environment?.Variables ?? {}) as Record<
      string,
      unknown
    >;
  const cleanup = stack.workers.get(cleanupRun.name);
  if (!cleanup) throw new Error('no cleanup worker');
  return [variables(logicalId(stack.api.handler.function)), variables(logicalId(cleanup.handler.function))];
}

const steps = LEDGER_INDEX_STEPS.map((step) => ({
  ...step,
  synth: synthApp({ context: { ledgerIndexStep: step.step } }),
}));

describe('Deploy sequence: LEDGER_INDEX_STEPS', () => {
  it('starts at the legacy indexes, ends at the current ones, and adds every current index before deleting a legacy one', () => {
    expect(LEDGER_INDEX_STEPS.map((s) => [s.step, s.indexes.map((i) => i.name), s.reads])).toEqual([
      [0, ['by-status', 'by-name', 'by-expiry'], 'legacy'],
      [1, ['by-status', 'by-name', 'by-expiry', 'jobs-by-status'], 'legacy'],
      [2, ['by-status', 'by-name', 'by-expiry', 'jobs-by-status', 'jobs-by-name'], 'legacy'],
      [
        3,
        ['by-status', 'by-name', 'by-expiry', 'jobs-by-status', 'jobs-by-name', 'records-by-expiry'],
        'legacy',
      ],
      [4, ['by-name', 'by-expiry', 'jobs-by-status', 'jobs-by-name', 'records-by-expiry'], 'current'],
      [5, ['by-expiry', 'jobs-by-status', 'jobs-by-name', 'records-by-expiry'], 'current'],
      [6, ['jobs-by-status', 'jobs-by-name', 'records-by-expiry'], 'current'],
    ]);
    expect(LEDGER_INDEX_STEPS[0]?.indexes).toBe(LEGACY_LEDGER_INDEXES);
    expect(LEDGER_INDEX_STEPS[FINAL_LEDGER_INDEX_STEP]?.indexes).toEqual(TABLE_SPEC.indexes);
    expect(LEDGER_INDEX_STEPS[3]?.change).toBe(
      `adds records-by-expiry; then run \`${LEDGER_MIGRATE_COMMAND}\``,
    );
  });

  it.each(steps)('step $step: the template declares exactly its indexes ($change)', ({ indexes, synth }) => {
    expect(templateIndexes(synth.template)).toEqual(indexes.map(asGsi));
  });

  it.each(steps.slice(1))(
    'step $step: creates or deletes exactly one index of the step before',
    ({ step, synth }) => {
      const names = (gsis: readonly Gsi[]) => new Set(gsis.map((g) => g.IndexName));
      const before = names(templateIndexes(steps[step - 1]?.synth.template ?? synth.template));
      const after = names(templateIndexes(synth.template));
      const changed =
        [...before].filter((n) => !after.has(n)).length + [...after].filter((n) => !before.has(n)).length;
      expect(changed).toBe(1);
    },
  );

  it.each(steps)(
    'step $step: the API, the cleanup and the operators read the $reads indexes',
    ({ reads, synth }) => {
      const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
      for (const variables of readersEnvironment(synth.template, synth.stack)) {
        expect(variables[ENV_VARS.ledgerIndexes]).toBe(reads === 'legacy' ? 'legacy' : undefined);
      }
      expect(outputs[OUTPUT_KEYS.ledgerIndexes]?.Value).toBe(reads === 'legacy' ? 'legacy' : undefined);
    },
  );

  it('deploys the last step when the stage names none', () => {
    expect(templateIndexes(synthApp().template)).toEqual(TABLE_SPEC.indexes.map(asGsi));
  });

  it('refuses a step that does not exist, naming the range', () => {
    expect(() => synthApp({ context: { ledgerIndexStep: FINAL_LEDGER_INDEX_STEP + 1 } })).toThrow(
      `ledgerIndexStep: must be a whole number from 0 to ${FINAL_LEDGER_INDEX_STEP} (LEDGER_INDEX_STEPS)`,
    );
  });
});
