/**
 * The dashboard's HTTP contract: what the server answers and the page reads. Types and plain
 * constants only (imports are `import type`), so the page's bundle takes nothing from the server.
 */
import type { DeadMessageView } from '../../cli/dlq.js';
import type { QueueRow } from '../../cli/queues.js';
import type { Firing, RecurringScheduleView } from '../../cli/schedules.js';
import type { JobStatus } from '../../lib/index.js';
import type { JobCount, JobPage, JobRecord } from '../../lib/ledger/index.js';

/** The header that carries the per-server token on every state-changing request. */
export const TOKEN_HEADER = 'x-hangar-token';
/** The `<meta name>` through which the page receives the token. */
export const TOKEN_META = 'hangar-token';

/** Routes of the dashboard's JSON API, relative to the served origin. */
export const API_PATHS = {
  config: '/api/config',
  overview: '/api/overview',
  metrics: '/api/metrics',
  jobs: '/api/jobs',
  job: '/api/jobs/:id',
  lookup: '/api/lookup',
  cancel: '/api/jobs/cancel',
  retry: '/api/jobs/redrive',
  deadLetters: '/api/dead-letters/:job',
  payload: '/api/dead-letters/:job/payload',
  redrive: '/api/dead-letters/:job/redrive',
  discard: '/api/dead-letters/:job/discard',
  task: '/api/tasks/:id',
  schedules: '/api/schedules',
  runSchedule: '/api/schedules/:name/run',
  pauseSchedule: '/api/schedules/:name/pause',
  resumeSchedule: '/api/schedules/:name/resume',
  pauseQueue: '/api/queues/:job/pause',
  resumeQueue: '/api/queues/:job/resume',
  enqueue: '/api/enqueue',
} as const;

/** Fills a route's `:params`. */
export function apiPath(route: string, params: Readonly<Record<string, string>> = {}): string {
  return route.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

/** Every error answer: `{ error: { code, message, details? } }`, as the job API answers. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: readonly { readonly path: string; readonly message: string }[];
  };
}

export interface JobInfo {
  readonly name: string;
  readonly description: string | undefined;
  readonly fifo: boolean;
  /** JSON Schema of the payload (zod's), or null when the schema has no JSON Schema form. */
  readonly schema: Record<string, unknown> | null;
}

export interface DashboardConfig {
  readonly target: { readonly kind: 'local' | 'aws'; readonly label: string };
  readonly readOnly: boolean;
  /** How often live pages refresh. */
  readonly refreshMs: number;
  readonly jobs: readonly JobInfo[];
  readonly statuses: readonly JobStatus[];
  /** Pausing queues and schedules: present only where the target supports it. */
  readonly flowControl: boolean;
  /** Redrive-all uses SQS's native move task (on a stage). */
  readonly nativeRedrive: boolean;
}

export interface OverviewData {
  readonly updatedAt: string;
  readonly queues: readonly QueueRow[];
  /** Ages come from CloudWatch, on a stage only. */
  readonly agesKnown: boolean;
  readonly counts: Readonly<Record<JobStatus, JobCount>> | null;
  /** Paused queues by job name, where flow control exists. */
  readonly paused: Readonly<Record<string, boolean>> | null;
}

export const METRIC_RANGES = { hour: 60, day: 1440 } as const;
export type MetricRange = keyof typeof METRIC_RANGES;
/** The outcomes the chart shows, per minute. */
export const CHART_OUTCOMES = ['succeeded', 'retried', 'deadLettered'] as const;
export type ChartOutcome = (typeof CHART_OUTCOMES)[number];

export interface MetricsData {
  readonly range: MetricRange;
  /** Start of each minute, epoch seconds, oldest first. */
  readonly minutes: readonly number[];
  /** Per outcome, the sum over all jobs, one value per minute. */
  readonly totals: Readonly<Record<ChartOutcome, readonly number[]>>;
  /** Where the figures come from, for the chart's caption. */
  readonly source: string;
  /** Why there are no figures, when there are none. */
  readonly unavailable?: string;
}

export type JobsPage = JobPage;

export interface TimelineEvent {
  readonly at: string;
  readonly label: string;
  readonly detail?: string;
  readonly tone: 'info' | 'good' | 'bad' | 'wait';
}

export interface JobDetail {
  readonly record: JobRecord;
  readonly timeline: readonly TimelineEvent[];
  /** Dead jobs: where their dead letter is (the page links there). */
  readonly deadLetterJob: string | undefined;
}

export interface CancelOutcome {
  readonly jobId: string;
  readonly ok: boolean;
  readonly status?: JobStatus;
  readonly error?: string;
}

export interface DeadLettersData {
  readonly job: string;
  readonly dlq: string;
  readonly fifo: boolean;
  readonly messages: readonly DeadMessageView[];
  /** The scan stopped at its limit: there may be more. */
  readonly more: boolean;
  readonly limit: number;
}

export interface DeadPayload {
  readonly messageId: string;
  readonly jobId: string | null;
  readonly payload: unknown;
}

export interface DiscardSummary {
  readonly deleted: readonly string[];
  readonly failed: readonly { readonly id: string; readonly reason: string }[];
  readonly notFound: readonly string[];
}

export interface TaskProgress {
  readonly seen: number;
  readonly moved: number;
  readonly skipped: number;
  readonly failed: number;
  /** Messages in the DLQ when the task began (SQS's estimate). */
  readonly total: number | undefined;
}

export interface TaskView {
  readonly id: string;
  readonly label: string;
  readonly state: 'running' | 'done' | 'failed';
  readonly progress: TaskProgress;
  readonly mode: 'selective' | 'native';
  /** One line: what happened, when done. */
  readonly summary?: string;
  readonly error?: string;
}

export interface ScheduleRow extends Omit<RecurringScheduleView, 'input' | 'messageGroupId'> {
  /** The next five firings (ISO), as Scheduler would fire them. */
  readonly next: readonly string[];
  /** The latest scheduled firing found among the job's newest records, with its job. */
  readonly lastFiring: { readonly at: string; readonly job: JobRecord } | null;
  /** Why `next` is empty, when it is. */
  readonly problem?: string;
}

export interface SchedulesData {
  readonly recurring: readonly ScheduleRow[];
  /** Jobs waiting for their run-at time on a one-time schedule (ledger status `scheduled`). */
  readonly oneTime: JobPage;
}

export type RunResult = Firing & { readonly queue: string };

export interface EnqueueRequestBody {
  readonly name: string;
  readonly payload: unknown;
  readonly delaySeconds?: number;
  readonly runAt?: string;
  readonly idempotencyKey?: string;
}

export interface EnqueueResult {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly runAt?: string;
  readonly replayed: boolean;
}
