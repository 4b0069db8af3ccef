import { findSchedule, fireSchedule, listSchedules, schedulePayload } from '../schedules.js';
import type { CommandContext } from './context.js';

export async function schedulesCommand(ctx: CommandContext): Promise<void> {
  const schedules = listSchedules(ctx.registry).map((s) => ({
    name: s.name,
    job: s.jobName,
    expression: s.expression,
    timeZone: s.timeZone,
    payload: schedulePayload(s),
  }));
  if (ctx.out.json) return ctx.out.data(schedules);
  if (schedules.length === 0) {
    ctx.out.line('No recurring schedules.');
    return;
  }
  ctx.out.table(
    ['SCHEDULE', 'JOB', 'EXPRESSION', 'TIME ZONE', 'PAYLOAD'],
    schedules.map((s) => [s.name, s.job, s.expression, s.timeZone, JSON.stringify(s.payload)]),
  );
}

export async function runCommand(ctx: CommandContext, name: string): Promise<void> {
  const schedule = findSchedule(ctx.registry, name);
  const target = await ctx.target();
  const { queue } = await target.queuesOf(ctx.registry.get(schedule.jobName));
  const firing = await fireSchedule(target.sqs, queue.url, schedule, { now: ctx.now() });
  if (ctx.out.json) return ctx.out.data({ ...firing, queue: queue.name });
  ctx.out.line(`Fired ${firing.schedule}: job ${firing.jobId} (${firing.jobName}) is on ${queue.name}.`);
}
