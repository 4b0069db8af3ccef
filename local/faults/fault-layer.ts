/**
 * The fault layer of the local runtime: a fault proxy in front of each emulator (SQS, DynamoDB,
 * SES), all deciding from one seeded plan. The runtime points the functions (their
 * `AWS_ENDPOINT_URL_<SERVICE>` and their queue URLs) and the event sources' SQS client at it; the
 * runtime's own client, and whatever a test or the chaos run reads the truth with, keep talking to
 * the emulators directly.
 *
 * SQS calls pass the queue-URL proxy in front of fauxqs (`startSqsEmulator`) after this one, so
 * answers that name queue URLs are rewritten to this layer's address in turn.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../lib/config/aws-client.js';
import { LOCAL_IDENTITY } from '../endpoints.js';
import type { LocalStage } from '../function-environment.js';
import type { JobQueues, LocalQueue } from '../resources.js';
import {
  checkFaultOptions,
  FAULT_DEFAULTS,
  FAULT_SERVICES,
  type FaultCounts,
  type FaultOptions,
  FaultPlan,
  type FaultRule,
  type FaultService,
  type OperationCounts,
} from './fault-plan.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

/** SQS operations whose answers carry queue URLs. */
const SQS_URL_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateQueue',
  'GetQueueUrl',
  'ListQueues',
  'ListDeadLetterSourceQueues',
]);

export interface FaultLayer {
  /** Each service's fault proxy. */
  readonly endpoints: Readonly<Record<FaultService, string>>;
  /** Starts deciding calls; until then they pass untouched and uncounted (the runtime's own start-up). */
  arm(): void;
  /** Replaces the rules (a test arms a fault for one step); decisions go on from where they were. */
  setRules(rules: readonly FaultRule[]): void;
  /** Calls and faults by service and operation. */
  counts(): FaultCounts;
  /** Calls and faults over everything. */
  totals(): OperationCounts;
  /** A stage whose SQS, DynamoDB and SES endpoints, and queue URLs, lead through the layer. */
  routeStage(stage: LocalStage): LocalStage;
  /**
   * An SQS client through the layer with the functions' timeouts (`awsClientConfig`), as an event
   * source mapping polls with; destroyed when the layer stops.
   */
  sqsClient(): SQSClient;
  stop(): Promise<void>;
}

/**
 * Starts a fault proxy per service in front of the given emulators.
 * @throws {ConfigError} for invalid options.
 * @example
 * const layer = await startFaultLayer({ seed: 1, rules: [{ rate: 0.05 }] }, emulators);
 */
export async function startFaultLayer(
  options: FaultOptions,
  targets: Readonly<Record<FaultService, string>>,
): Promise<FaultLayer> {
  checkFaultOptions(options);
  const plan = new FaultPlan(options);
  let armed = false;
  const proxies: FaultProxy[] = [];
  const clients: SQSClient[] = [];
  try {
    for (const service of FAULT_SERVICES) {
      proxies.push(
        await startFaultProxy({
          service,
          target: targets[service],
          plan,
          armed: () => armed,
          holdLimitMs: options.holdLimitMs ?? FAULT_DEFAULTS.holdLimitMs,
          ...(options.onInjection ? { onInjection: options.onInjection } : {}),
          ...(service === 'sqs' ? { urlsInAnswers: SQS_URL_OPERATIONS } : {}),
        }),
      );
    }
  } catch (error) {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    throw error;
  }
  const [sqs, dynamodb, ses] = proxies.map((proxy) => proxy.url) as [string, string, string];
  const endpoints = { sqs, dynamodb, ses };
  const route = (queue: LocalQueue): LocalQueue => ({
    ...queue,
    url: queue.url.startsWith(`${targets.sqs}/`) ? `${sqs}${queue.url.slice(targets.sqs.length)}` : queue.url,
  });
  return {
    endpoints,
    arm() {
      armed = true;
    },
    setRules: (rules) => plan.setRules(rules),
    counts: () => plan.counts(),
    totals: () => plan.totals(),
    routeStage: (stage) => ({
      ...stage,
      endpoints: { ...stage.endpoints, ...endpoints },
      queues: Object.fromEntries(
        Object.entries(stage.queues).map(([name, q]): [string, JobQueues] => [
          name,
          { ...q, queue: route(q.queue), dlq: route(q.dlq) },
        ]),
      ),
    }),
    sqsClient() {
      const client = new SQSClient({
        ...awsClientConfig(),
        region: LOCAL_IDENTITY.region,
        credentials: LOCAL_IDENTITY.credentials,
        endpoint: sqs,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients.splice(0)) client.destroy();
      await Promise.all(proxies.map((proxy) => proxy.stop()));
    },
  };
}
