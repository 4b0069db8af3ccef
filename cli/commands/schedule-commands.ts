import { listSchedules, runSchedule } from '../schedules.js';
import type { CommandContext } from './context.js';

export async function schedulesCommand(ctx: CommandContext): Promise<void> {
  const target = await ctx.target();
  const source = target.scheduleSource();
  const schedules = (await listSchedules(source, ctx.registry)).map(
    ({ input: _input, messageGroupId: _group, createdAt: _created, ...view }) => view,
  );
  if (ctx.out.json) return ctx.out.data(schedules);
  if (schedules.length === 0) {
    ctx.out.line(`No recurring schedules in group ${source.groupName}.`);
    return;
  }
  ctx.out.table(
    ['SCHEDULE', 'JOB', 'EXPRESSION', 'TIME ZONE', 'STATE', 'PAYLOAD'],
    schedules.map((s) => [s.name, s.job, s.expression, s.timeZone, s.state, JSON.stringify(s.payload)]),
  );
}

export async function runCommand(ctx: CommandContext, name: string): Promise<void> {
  const firing = await runSchedule(await ctx.target(), ctx.registry, name, ctx.now());
  if (ctx.out.json) return ctx.out.data(firing);
  ctx.out.line(`Fired ${firing.schedule}: job ${firing.jobId} (${firing.jobName}) is on ${firing.queue}.`);
}
