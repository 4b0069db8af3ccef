/** The dashboard's numbers, named once; each `@default` of the server's options names one. */
export const DASHBOARD_DEFAULTS = {
  /** The only address it listens on: a page on another site can reach loopback, nothing else can. */
  host: '127.0.0.1',
  /** `npx hangar dashboard` (PRODUCT.md, "Local endpoints"). */
  port: 3003,
  /** The dashboard `npm run dev` serves, so both can run at once. */
  devPort: 3002,
  /** How often the live pages (overview, jobs, a job, schedules) ask again. */
  refreshMs: 5_000,
  /** CloudWatch has one data point a minute: asking more often only costs. */
  cloudWatchCacheMs: 60_000,
  /** Ledger counts per status read up to this many items each (`Select: COUNT` still reads them). */
  countCap: 1_000,
  /** Counts change slower than queues and cost more to read: kept this long. */
  countCacheMs: 30_000,
  /** Dead messages one page shows (a scan holds each of them while it reads). */
  deadLetterLimit: 100,
  /** Newest records of a job searched for a schedule's last firing. */
  lastFiringLookback: 25,
  /** Firings shown ahead per schedule. */
  nextFirings: 5,
  /** Finished redrive tasks kept for their summary. */
  keptTasks: 20,
} as const;
