/**
 * Sources a sync can pull from. `HttpSource` implements the paging contract of the README; a
 * user adds another kind of source by implementing `SyncSource`.
 */
import { errorMessage } from '../../lib/errors.js';
import { PermanentJobError, RetryableJobError } from '../../lib/index.js';

export interface SyncItem {
  /** Unique within the source; the item's key in the table. */
  readonly id: string;
  /** The item as the source sent it. */
  readonly data: unknown;
}

export interface SyncPage {
  readonly items: readonly SyncItem[];
  /** Where the next page starts; `null` on the last page. */
  readonly nextCursor: string | null;
}

export interface SyncSource {
  /**
   * Fetches one page. Throws `RetryableJobError` for failures worth retrying (429, 5xx, network),
   * `PermanentJobError` for the rest, and rejects with the signal's reason when it is aborted.
   */
  fetchPage(request: {
    readonly cursor: string | undefined;
    readonly limit: number;
    readonly signal: AbortSignal;
  }): Promise<SyncPage>;
}

export const SOURCE_ERROR_CODES = {
  throttled: 'SOURCE_THROTTLED',
  unavailable: 'SOURCE_UNAVAILABLE',
  unreachable: 'SOURCE_UNREACHABLE',
  timeout: 'SOURCE_TIMEOUT',
  rejected: 'SOURCE_REJECTED',
  malformedPage: 'MALFORMED_PAGE',
} as const;

/** Item ids longer than this cannot be table keys we want to keep. */
const MAX_ITEM_ID_LENGTH = 512;

export interface HttpSourceOptions {
  readonly url: string;
  /** Resolves the auth header's value (cached by the caller), if the source needs one. */
  readonly auth?: { readonly header: string; readonly value: () => Promise<string> };
  /** One page request may take at most this long. */
  readonly pageTimeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** `GET <url>?limit=<n>[&cursor=<c>]` → `{ "items": [{ "id": "…", … }], "nextCursor": "…" | null }`. */
export class HttpSource implements SyncSource {
  readonly #options: HttpSourceOptions;
  readonly #fetch: typeof fetch;

  constructor(options: HttpSourceOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
  }

  async fetchPage(request: {
    cursor: string | undefined;
    limit: number;
    signal: AbortSignal;
  }): Promise<SyncPage> {
    const url = new URL(this.#options.url);
    url.searchParams.set('limit', String(request.limit));
    if (request.cursor !== undefined) url.searchParams.set('cursor', request.cursor);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#options.auth) headers[this.#options.auth.header] = await this.#options.auth.value();
    const timeout = AbortSignal.timeout(this.#options.pageTimeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(url, { headers, signal: AbortSignal.any([request.signal, timeout]) });
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason;
      if (timeout.aborted) {
        throw new RetryableJobError(`Source did not answer within ${this.#options.pageTimeoutMs} ms`, {
          code: SOURCE_ERROR_CODES.timeout,
          cause: error,
        });
      }
      throw new RetryableJobError(`Source is unreachable: ${errorMessage(error)}`, {
        code: SOURCE_ERROR_CODES.unreachable,
        cause: error,
      });
    }
    if (!response.ok) throw await statusError(response);
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason;
      throw new PermanentJobError('Page is not JSON', {
        code: SOURCE_ERROR_CODES.malformedPage,
        cause: error,
      });
    }
    return parsePage(body, request.cursor);
  }
}

async function statusError(response: Response): Promise<Error> {
  // Drain the body so the connection can be reused; its content is not logged (it may hold data).
  await response.body?.cancel().catch(() => undefined);
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
  const options = retryAfterSeconds === undefined ? {} : { retryAfterSeconds };
  if (response.status === 429) {
    return new RetryableJobError('Source is rate limiting (HTTP 429)', {
      code: SOURCE_ERROR_CODES.throttled,
      ...options,
    });
  }
  if (response.status >= 500) {
    return new RetryableJobError(`Source failed (HTTP ${response.status})`, {
      code: SOURCE_ERROR_CODES.unavailable,
      ...options,
    });
  }
  return new PermanentJobError(`Source refused the request (HTTP ${response.status})`, {
    code: SOURCE_ERROR_CODES.rejected,
  });
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Checks a page against the contract, naming the first thing that is wrong. */
export function parsePage(body: unknown, cursor: string | undefined): SyncPage {
  const malformed = (what: string) =>
    new PermanentJobError(`Malformed page: ${what}`, { code: SOURCE_ERROR_CODES.malformedPage });
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw malformed('the body is not a JSON object');
  const { items, nextCursor } = body as { items?: unknown; nextCursor?: unknown };
  if (!Array.isArray(items)) throw malformed('"items" is not an array');
  if (nextCursor !== null && typeof nextCursor !== 'string')
    throw malformed('"nextCursor" is neither a string nor null');
  if (nextCursor === '') throw malformed('"nextCursor" is empty');
  if (nextCursor !== null && nextCursor === cursor)
    throw malformed(`"nextCursor" repeats the current cursor "${cursor}"`);
  const page: SyncItem[] = [];
  for (const [index, item] of items.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw malformed(`items[${index}] is not an object`);
    const id = (item as { id?: unknown }).id;
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ITEM_ID_LENGTH) {
      throw malformed(`items[${index}].id is not a string of 1–${MAX_ITEM_ID_LENGTH} characters`);
    }
    page.push({ id, data: item });
  }
  return { items: page, nextCursor };
}
