/**
 * The CLI's client of the Hangar HTTP API (PRODUCT.md, "HTTP API"; routes and error body from
 * `lib/api/contract.ts`). Locally requests go unsigned to `HANGAR_API_URL`; against a stage they
 * are signed with SigV4 for `execute-api`.
 */

import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  API_ROUTES,
  type ApiErrorBody,
  type ApiRoute,
  IDEMPOTENT_REPLAYED_HEADER,
} from '../lib/deploy/index.js';
import type { Accepted, JobListQuery, JobPage, JobRecord } from '../lib/ledger/index.js';
import { LOCAL_PORTS, localUrl } from '../local/endpoints.js';
import { NotFoundError, OperationFailedError, UnreachableError, UsageError } from './errors.js';

/** The body of `POST /jobs`. */
export interface SendRequest {
  readonly name: string;
  readonly payload: unknown;
  readonly delaySeconds?: number;
  readonly runAt?: string;
  readonly idempotencyKey?: string;
}

/** Adds authentication headers to a request about to be sent. */
export interface RequestSigner {
  sign(request: {
    readonly method: string;
    readonly url: URL;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string | undefined;
  }): Promise<Record<string, string>>;
}

export const API_DEFAULTS = {
  /** PRODUCT.md: the local API. */
  url: localUrl(LOCAL_PORTS.api),
  timeoutMs: 30_000,
} as const;

export interface ApiClientOptions {
  readonly baseUrl: string;
  readonly signer?: RequestSigner;
  /** @default API_DEFAULTS.timeoutMs */
  readonly timeoutMs?: number;
  /** Said in the unreachable error, e.g. "is `npm run dev` running?". */
  readonly hint?: string;
}

function describeDetail(detail: unknown): string {
  if (typeof detail === 'object' && detail !== null && 'path' in detail && 'message' in detail)
    return `${String(detail.path)}: ${String(detail.message)}`;
  return typeof detail === 'string' ? detail : JSON.stringify(detail);
}

/**
 * @example
 * const api = new ApiClient({ baseUrl: 'http://127.0.0.1:3000' });
 * const { jobId } = await api.send({ name: 'email.send', payload });
 */
export class ApiClient {
  readonly baseUrl: string;
  readonly #signer: RequestSigner | undefined;
  readonly #timeoutMs: number;
  readonly #hint: string;

  constructor(options: ApiClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch (cause) {
      throw new UsageError(`The API URL "${options.baseUrl}" is not a URL`, { cause });
    }
    this.baseUrl = base.href.endsWith('/') ? base.href : `${base.href}/`;
    this.#signer = options.signer;
    this.#timeoutMs = options.timeoutMs ?? API_DEFAULTS.timeoutMs;
    this.#hint = options.hint ?? '';
  }

  /** `POST /jobs`. `replayed`: the idempotency key's first job answers; nothing was sent. */
  async send(request: SendRequest): Promise<Accepted> {
    const { body, headers } = await this.#request<Omit<Accepted, 'replayed'>>('enqueue', {}, {}, request);
    return { ...body, replayed: headers.get(IDEMPOTENT_REPLAYED_HEADER) === 'true' };
  }

  async get(jobId: string): Promise<JobRecord> {
    return (await this.#request<JobRecord>('get', { id: jobId })).body;
  }

  async cancel(jobId: string): Promise<JobRecord> {
    return (await this.#request<JobRecord>('cancel', { id: jobId })).body;
  }

  async list(query: JobListQuery): Promise<JobPage> {
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params[key] = String(value);
    return (await this.#request<JobPage>('list', {}, params)).body;
  }

  async #request<T>(
    route: ApiRoute,
    params: Readonly<Record<string, string>>,
    query: Readonly<Record<string, string>> = {},
    body?: unknown,
  ): Promise<{ body: T; headers: Headers }> {
    const [method = 'GET', template = '/'] = API_ROUTES[route].split(' ');
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
    // Relative to the base, so a stage's base path (`…/prod/`) is kept.
    const url = new URL(`.${path}`, this.baseUrl);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const text = body === undefined ? undefined : JSON.stringify(body);
    let headers: Record<string, string> = { accept: 'application/json' };
    if (text !== undefined) headers['content-type'] = 'application/json';
    if (this.#signer)
      headers = { ...headers, ...(await this.#signer.sign({ method, url, headers, body: text })) };
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(text === undefined ? {} : { body: text }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      const reason =
        cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : String(cause);
      throw new UnreachableError(
        `Cannot reach the Hangar API at ${this.baseUrl} (${reason})${this.#hint ? `; ${this.#hint}` : ''}`,
        { cause },
      );
    }
    const raw = await response.text();
    let data: unknown;
    try {
      data = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      data = undefined;
    }
    if (response.ok) {
      if (data === undefined)
        throw new OperationFailedError(`${method} ${url.pathname} answered ${response.status} without JSON`);
      return { body: data as T, headers: response.headers };
    }
    const error = (data as Partial<ApiErrorBody> | undefined)?.error;
    const details = (error?.details ?? []).map(describeDetail);
    const message =
      `${error?.message ?? (raw.slice(0, 200) || response.statusText)}` +
      (details.length > 0 ? `\n  ${details.join('\n  ')}` : '');
    const tagged = `${message} (HTTP ${response.status}${error?.code ? ` ${error.code}` : ''})`;
    switch (response.status) {
      case 400:
      case 413:
      case 415:
        throw new UsageError(tagged);
      case 404:
        throw new NotFoundError(tagged);
      case 401:
      case 403:
        throw new UnreachableError(`The API refused the request's credentials: ${tagged}`);
      default:
        throw new OperationFailedError(tagged);
    }
  }
}

/** The region of an API Gateway URL (`https://abc.execute-api.eu-west-1.amazonaws.com/`), if it is one. */
export function regionOfApiUrl(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(url).hostname)?.[1];
}

/** Static credentials or a provider (the SDK's default chain), as SignatureV4 takes them. */
export type SigningCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/**
 * Signs API requests with SigV4 for `execute-api`, as the gateway's IAM authorization expects.
 * @example
 * new ApiClient({ baseUrl, signer: sigV4Signer({ region: 'eu-west-1', credentials: defaultProvider() }) });
 */
export function sigV4Signer(options: {
  readonly region: string;
  readonly credentials: SigningCredentials;
}): RequestSigner {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
  });
  return {
    async sign({ method, url, headers, body }) {
      const query: Record<string, string> = {};
      for (const [key, value] of url.searchParams) query[key] = value;
      const signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers: { ...headers, host: url.host },
        ...(body === undefined ? {} : { body }),
      });
      const { host: _host, ...rest } = signed.headers;
      return rest;
    },
  };
}
