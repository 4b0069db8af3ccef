import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { envelopeSchema } from '../../lib/deploy/index.js';
import { check } from '../../lib/validation.js';
import { ENVELOPE_SCHEMA_PATH, renderEnvelopeSchema } from '../../scripts/generate-schemas.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const fixtures = (kind: 'valid' | 'invalid') => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'envelopes', kind);
  return readdirSync(dir).map(
    (file) => [file, JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown] as const,
  );
};

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(ENVELOPE_SCHEMA_PATH, 'utf8')));

describe('File: schemas/envelope.v1.json', () => {
  it('matches what the zod schema generates (run `npm run schemas` after changing the envelope)', () => {
    expect(readFileSync(ENVELOPE_SCHEMA_PATH, 'utf8')).toBe(renderEnvelopeSchema());
  });

  it('has fixtures of both kinds', () => {
    expect(fixtures('valid').length).toBeGreaterThanOrEqual(5);
    expect(fixtures('invalid').length).toBeGreaterThanOrEqual(10);
  });

  it.each(fixtures('valid'))('accepts %s in zod and in ajv', (_file, data) => {
    expect(check(envelopeSchema, data)).toMatchObject({ ok: true });
    expect(validate(data), ajv.errorsText(validate.errors)).toBe(true);
  });

  it.each(fixtures('invalid'))('rejects %s in zod and in ajv', (_file, data) => {
    expect(check(envelopeSchema, data)).toMatchObject({ ok: false });
    expect(validate(data)).toBe(false);
  });
});
