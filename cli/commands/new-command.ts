import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { scaffoldJob } from '../scaffold/new-job.js';
import type { CommandContext } from './context.js';

export interface NewJobCommandOptions {
  readonly schedule?: string;
  readonly timeZone?: string;
}

/** Files the project's own formatter (Biome) tidies: written by a template, they should read as if by hand. */
export type FormatFiles = (root: string, files: readonly string[]) => Promise<string | undefined>;

/** Runs the project's Biome on the files; returns why it could not, if it could not. */
export const formatWithBiome: FormatFiles = async (root, files) => {
  const biome = join(root, 'node_modules', '.bin', 'biome');
  if (!existsSync(biome)) return 'no Biome in node_modules; format the files with your own tools';
  try {
    await promisify(execFile)(biome, ['check', '--write', ...files], { cwd: root });
    return undefined;
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout ?? '';
    return `Biome found something to look at (npm run lint):\n${stdout}`;
  }
};

export async function newJobCommand(
  ctx: CommandContext,
  name: string,
  options: NewJobCommandOptions,
  root: string,
  format: FormatFiles,
): Promise<void> {
  const job = await scaffoldJob({
    root,
    name,
    registry: ctx.registry,
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
  });
  const problem = await format(root, [...job.created, job.registered]);
  if (problem !== undefined) ctx.out.note(problem);
  if (ctx.out.json) return ctx.out.data({ job: name, created: job.created, registered: job.registered });
  for (const file of job.created) ctx.out.line(`Created ${file}`);
  ctx.out.line(`Registered ${job.names.declaration} in ${job.registered}`);
  ctx.out.note(
    `Next: write the work in ${job.created[1]}, then \`npm test\`; \`npm run dev\` runs it locally and \`npm run synth\` deploys its queue, worker and alarms.`,
  );
}
