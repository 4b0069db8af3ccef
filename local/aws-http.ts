/**
 * The wire format the local runtime's AWS-compatible APIs share (EventBridge Scheduler's and
 * Lambda's event-source-mapping calls are both REST-JSON): JSON bodies read with a size cap, JSON
 * answers, and errors the SDK maps to its exception classes by the `x-amzn-errortype` header.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 1_048_576;

/** An AWS API error, with the name the SDK maps to its exception class and the HTTP status AWS uses. */
export class AwsApiError extends Error {
  readonly status: number;

  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await drain(req);
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AwsApiError('ValidationException', 'The request body is not JSON.', 400);
  }
}

export async function drain(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    if (bytes > MAX_BODY_BYTES)
      throw new AwsApiError('ValidationException', 'The request body is too large.', 400);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Seconds since the epoch: how REST-JSON APIs send timestamps. */
export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  const text = JSON.stringify({ __type: type, Message: message, message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': type,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
