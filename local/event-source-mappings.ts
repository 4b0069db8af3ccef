/**
 * The local runtime's event source mappings as Lambda's API shows them, so `hangar pause` and
 * `hangar resume` make the same calls locally as on a stage (served by ./lambda-api.ts). Each
 * mapping is one worker's event source; disabling it stops its polling and messages wait on the
 * queue. States move as Lambda's do — `Enabled` → `Disabling` → `Disabled` → `Enabling` →
 * `Enabled` — with `Disabling` lasting until the source's pollers are idle (their current long
 * poll and invocation done), which is what a caller waiting for `Disabled` waits for.
 *
 * With `--persist`, which mappings are disabled is kept in a file, so a pause survives a restart:
 * the worker starts with its source disabled.
 */
import { createHash } from 'node:crypto';
import { AwsApiError } from './aws-http.js';
import type { EventSource } from './event-source.js';
import { readJsonFile, writeJsonFile } from './persist-file.js';

/** An event source mapping's state, as Lambda names it (the subset a local SQS mapping passes through). */
export type MappingState = 'Enabled' | 'Disabling' | 'Disabled' | 'Enabling';

/** A mapping as `GetEventSourceMapping` describes it. */
export interface MappingDescription {
  readonly UUID: string;
  readonly EventSourceArn: string;
  readonly FunctionArn: string;
  readonly State: MappingState;
  readonly StateTransitionReason: string;
  /** ISO time. */
  readonly LastModified: string;
  readonly BatchSize: number;
  readonly MaximumBatchingWindowInSeconds: number;
  readonly ScalingConfig: { readonly MaximumConcurrency: number };
  readonly FunctionResponseTypes: readonly string[];
}

/** A Lambda API error, with the name the SDK maps to its exception class. */
export class LambdaApiError extends AwsApiError {
  constructor(name: 'ResourceNotFoundException' | 'InvalidParameterValueException', message: string) {
    super(name, message, name === 'ResourceNotFoundException' ? 404 : 400);
  }
}

interface Mapping {
  readonly uuid: string;
  readonly functionName: string;
  readonly source: EventSource;
  state: MappingState;
  reason: string;
  lastModified: Date;
}

export interface LocalEventSourceMappingsOptions {
  readonly region: string;
  readonly accountId: string;
  /** Where disabled mappings are remembered across restarts (`--persist`). */
  readonly persistFile?: string;
  readonly now?: () => Date;
}

/**
 * A mapping's UUID, derived from what it connects: stable across restarts, as a deployed
 * mapping's UUID is stable across deploys, so the persisted pause finds it again.
 */
export function mappingUuid(functionName: string, queueArn: string): string {
  const hex = createHash('sha256').update(`${functionName}\n${queueArn}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export class LocalEventSourceMappings {
  readonly #options: LocalEventSourceMappingsOptions;
  readonly #mappings = new Map<string, Mapping>();
  #disabled = new Set<string>();

  constructor(options: LocalEventSourceMappingsOptions) {
    this.#options = options;
  }

  /** Reads which mappings were disabled before a restart. Call before `isDisabled`. */
  async load(): Promise<void> {
    const file = this.#options.persistFile;
    if (file === undefined) return;
    const saved = (await readJsonFile(file)) as { disabled?: unknown } | undefined;
    const disabled = saved?.disabled;
    this.#disabled = new Set(Array.isArray(disabled) ? disabled.map(String) : []);
  }

  /** Whether the mapping of this function and queue was left disabled (start its source disabled). */
  isDisabled(functionName: string, queueArn: string): boolean {
    return this.#disabled.has(mappingUuid(functionName, queueArn));
  }

  /** Registers a started event source as a mapping. */
  add(functionName: string, source: EventSource): void {
    const uuid = mappingUuid(functionName, source.mapping.queueArn);
    const enabled = source.enabled();
    this.#mappings.set(uuid, {
      uuid,
      functionName,
      source,
      state: enabled ? 'Enabled' : 'Disabled',
      reason: enabled ? 'USER_INITIATED' : 'USER_INITIATED (disabled before a restart)',
      lastModified: this.#now(),
    });
  }

  /** `ListEventSourceMappings`, filtered as Lambda filters it (by function name or ARN, and by source ARN). */
  list(
    filter: { readonly functionName?: string; readonly eventSourceArn?: string } = {},
  ): MappingDescription[] {
    return [...this.#mappings.values()]
      .filter(
        (m) =>
          filter.functionName === undefined ||
          m.functionName === filter.functionName ||
          this.#functionArn(m) === filter.functionName,
      )
      .filter(
        (m) => filter.eventSourceArn === undefined || m.source.mapping.queueArn === filter.eventSourceArn,
      )
      .map((m) => this.#describe(m));
  }

  /** `GetEventSourceMapping`. @throws {LambdaApiError} ResourceNotFoundException */
  get(uuid: string): MappingDescription {
    return this.#describe(this.#find(uuid));
  }

  /**
   * `UpdateEventSourceMapping` with `Enabled`: answers at once with `Disabling` or `Enabling`, as
   * Lambda does; the state settles when the source has stopped (or started) polling.
   * @throws {LambdaApiError} ResourceNotFoundException
   */
  async update(uuid: string, enabled: boolean): Promise<MappingDescription> {
    const mapping = this.#find(uuid);
    const settled = enabled ? 'Enabled' : 'Disabled';
    if (mapping.state !== settled) {
      mapping.state = enabled ? 'Enabling' : 'Disabling';
      mapping.reason = 'USER_INITIATED';
      mapping.lastModified = this.#now();
      if (enabled) this.#disabled.delete(uuid);
      else this.#disabled.add(uuid);
      await this.#save();
      const answer = this.#describe(mapping);
      if (enabled) {
        mapping.source.resume();
        mapping.state = 'Enabled';
      } else {
        void mapping.source.pause().then(() => {
          // A resume may have overtaken this pause.
          if (!mapping.source.enabled() && mapping.state === 'Disabling') mapping.state = 'Disabled';
        });
      }
      return answer;
    }
    return this.#describe(mapping);
  }

  #find(uuid: string): Mapping {
    const mapping = this.#mappings.get(uuid);
    if (!mapping) {
      throw new LambdaApiError(
        'ResourceNotFoundException',
        `The resource you requested does not exist. (Event source mapping ${uuid})`,
      );
    }
    return mapping;
  }

  #functionArn(mapping: Mapping): string {
    const { region, accountId } = this.#options;
    return `arn:aws:lambda:${region}:${accountId}:function:${mapping.functionName}`;
  }

  #describe(mapping: Mapping): MappingDescription {
    const values = mapping.source.mapping;
    return {
      UUID: mapping.uuid,
      EventSourceArn: values.queueArn,
      FunctionArn: this.#functionArn(mapping),
      State: mapping.state,
      StateTransitionReason: mapping.reason,
      LastModified: mapping.lastModified.toISOString(),
      BatchSize: values.batchSize,
      MaximumBatchingWindowInSeconds: values.maxBatchingWindowSeconds,
      ScalingConfig: { MaximumConcurrency: values.maxConcurrency },
      FunctionResponseTypes: values.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
    };
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  async #save(): Promise<void> {
    const file = this.#options.persistFile;
    if (file === undefined) return;
    await writeJsonFile(file, { disabled: [...this.#disabled].sort() });
  }
}
