/**
 * The dashboard's pause and resume: the functions `hangar pause|resume` and `hangar schedules
 * pause|resume` run, on the dashboard's target. A queue's button does not wait for Lambda to settle
 * (that can take minutes on a stage); the overview shows a pausing queue as paused, and its next
 * refresh shows what Lambda reports.
 */
import { queueStates, setQueuePaused, setSchedulePaused } from '../../cli/flow-control.js';
import type { Target } from '../../cli/target.js';
import type { JobRegistry } from '../../lib/index.js';
import type { FlowControl } from './operations.js';

export function targetFlowControl(target: Target, registry: JobRegistry): FlowControl {
  return {
    async pausedQueues() {
      const states = await queueStates(target, registry);
      return Object.fromEntries(
        Object.entries(states).map(([job, state]) => [job, state === 'paused' || state === 'pausing']),
      );
    },
    async pauseQueue(job) {
      await setQueuePaused(target, job, true, { wait: false });
    },
    async resumeQueue(job) {
      await setQueuePaused(target, job, false, { wait: false });
    },
    async pauseSchedule(name) {
      await setSchedulePaused(target, registry, name, true);
    },
    async resumeSchedule(name) {
      await setSchedulePaused(target, registry, name, false);
    },
  };
}
