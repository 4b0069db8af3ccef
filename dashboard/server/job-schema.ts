/**
 * The enqueue form's description of a payload: the JSON Schema zod derives from the job's schema.
 * Refinements ("text or html") do not carry over, which is why the server validates every submit
 * with the schema itself and the form only shows where the server's issues point.
 */
import * as z from 'zod/mini';
import type { JobDefinition } from '../../lib/index.js';

export function payloadJsonSchema(job: JobDefinition): Record<string, unknown> | null {
  try {
    const { $schema: _schema, ...schema } = z.toJSONSchema(job.schema, {
      io: 'input',
      unrepresentable: 'any',
    });
    return schema;
  } catch {
    // Transforms and the like have no JSON Schema form: the page offers a JSON editor instead.
    return null;
  }
}
