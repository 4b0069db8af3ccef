/** The page's side of the dashboard API: JSON in and out, the server's token on every action. */
import { type ErrorBody, TOKEN_HEADER, TOKEN_META } from '../shared/api.js';

const token = document.querySelector(`meta[name="${TOKEN_META}"]`)?.getAttribute('content') ?? '';

/** An error answer of the server, with its code and the fields it names. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: readonly { readonly path: string; readonly message: string }[];

  constructor(status: number, body: Partial<ErrorBody> | undefined) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.error?.code ?? 'HTTP_ERROR';
    this.details = body?.error?.details ?? [];
  }
}

async function answer<T>(response: Response): Promise<T> {
  const data: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status, data as Partial<ErrorBody> | undefined);
  return data as T;
}

export async function getJson<T>(
  path: string,
  query: Readonly<Record<string, string | undefined>> = {},
): Promise<T> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const search = params.size > 0 ? `?${params}` : '';
  return answer<T>(await fetch(`${path}${search}`, { headers: { accept: 'application/json' } }));
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  return answer<T>(
    await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', [TOKEN_HEADER]: token },
      body: JSON.stringify(body),
    }),
  );
}
