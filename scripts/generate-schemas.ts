/**
 * Writes `schemas/envelope.v1.json` from the zod envelope schema, so producers in any language
 * validate against exactly what the worker accepts. `npm run schemas` regenerates it; a unit test
 * fails when the committed file drifts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { ENVELOPE_VERSION } from '../lib/constants.js';
import { envelopeSchema } from '../lib/jobs/envelope.js';

export const ENVELOPE_SCHEMA_PATH = fileURLToPath(
  new URL(`../schemas/envelope.v${ENVELOPE_VERSION}.json`, import.meta.url),
);

export function renderEnvelopeSchema(): string {
  const generated = z.toJSONSchema(envelopeSchema, { target: 'draft-2020-12', io: 'input' });
  const { $schema, ...rest } = generated;
  const document = {
    $schema,
    $id: `https://hangar.dev/schemas/envelope.v${ENVELOPE_VERSION}.json`,
    title: `Hangar job envelope v${ENVELOPE_VERSION}`,
    description:
      'The JSON body of every Hangar SQS message. Send the first form (with jobId) to enqueue a job from any language; the second form (firing) is what recurring schedules send.',
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ENVELOPE_SCHEMA_PATH, renderEnvelopeSchema());
  console.log(`wrote ${ENVELOPE_SCHEMA_PATH}`);
}
