import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESClient } from '@aws-sdk/client-ses';
import * as sesLocal from 'aws-ses-v2-local';
import { LOCAL_AWS } from './sqs.js';

/** A message as aws-ses-v2-local keeps it (`GET /store`). */
export interface StoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { readonly to: string[]; readonly cc: string[]; readonly bcc: string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
}

type StartSes = (config: { host: string; port: number }) => Promise<import('node:http').Server>;

// The package is CommonJS with `exports.default`: vitest hands over the function, plain Node the module object.
const startSesLocal = (
  typeof sesLocal.default === 'function'
    ? sesLocal.default
    : (sesLocal.default as { default: StartSes }).default
) as StartSes;

export interface SesOptions {
  /**
   * Recipients SES should refuse: a `SendEmail` naming one is answered with SES's
   * `MessageRejected` error instead of reaching the emulator (which accepts everything).
   */
  readonly reject?: RegExp;
}

/**
 * An embedded aws-ses-v2-local on a free loopback port, optionally behind a loopback proxy that
 * rejects some recipients. Its store lives in the module, so it is shared by the servers of one
 * test file: `clear()` before each test.
 */
export async function startSes(options: SesOptions = {}) {
  const server = await startSesLocal({ host: '127.0.0.1', port: 0 });
  const emulator = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const proxy = options.reject ? await startRejectingProxy(emulator, options.reject) : undefined;
  return {
    /** Where SDK clients send (the proxy when there is one). */
    endpoint: proxy?.endpoint ?? emulator,
    async emails(): Promise<StoredEmail[]> {
      const response = await fetch(`${emulator}/store`);
      const store = (await response.json()) as { emails: StoredEmail[] };
      return store.emails;
    },
    async clear(): Promise<void> {
      await fetch(`${emulator}/clear-store`, { method: 'POST' });
    },
    async stop(): Promise<void> {
      await proxy?.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

export function sesClient(endpoint: string): SESClient {
  // No SDK retries: a test that sees a failure should see it at once.
  return new SESClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
}

async function startRejectingProxy(target: string, reject: RegExp) {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      const recipients = [...form.entries()].filter(([k]) => k.startsWith('Destination.')).map(([, v]) => v);
      if (form.get('Action') === 'SendEmail' && recipients.some((r) => reject.test(r))) {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type>' +
            '<Code>MessageRejected</Code><Message>Email address is not verified.</Message></Error>' +
            '<RequestId>rejected-by-test-proxy</RequestId></ErrorResponse>',
        );
        return;
      }
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forward.on('error', (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
