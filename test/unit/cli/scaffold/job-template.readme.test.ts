import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  declarationSource,
  entrySource,
  handlerSource,
  jobFiles,
  jobNames,
} from '../../../../cli/scaffold/job-template.js';

const README = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');

/** The README's example: the command "Adding a job" shows. */
const EXAMPLE = { name: 'report.generate', schedule: 'cron(0 6 * * ? *)', timeZone: 'Europe/Berlin' };

/** The first ```ts block after each paragraph that begins with a file's path in backticks, by that path. */
function blocksByFile(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of markdown.matchAll(/^`([^`\s]+\.ts)`(?:(?!```)[\s\S])*?\n\n```ts\n([\s\S]*?)```\n/gm)) {
    const [, file, code] = match;
    if (file !== undefined && code !== undefined && !blocks.has(file)) blocks.set(file, code);
  }
  return blocks;
}

describe('README: "Adding a job" and "Writing a worker"', () => {
  it('shows exactly what `hangar new job` writes for its example', () => {
    // Prepare
    const files = jobFiles(jobNames(EXAMPLE.name));

    // Act
    const blocks = blocksByFile(README);

    // Assess
    expect(README).toContain(
      `npx hangar new job ${EXAMPLE.name} --schedule "${EXAMPLE.schedule}" --time-zone ${EXAMPLE.timeZone}`,
    );
    expect({
      declaration: blocks.get(files.declaration),
      handler: blocks.get(files.handler),
      entry: blocks.get(files.entry),
    }).toEqual({
      declaration: declarationSource(EXAMPLE),
      handler: handlerSource(EXAMPLE),
      entry: entrySource(EXAMPLE),
    });
  });
});
