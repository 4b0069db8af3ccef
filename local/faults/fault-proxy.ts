/**
 * A loopback HTTP proxy in front of one emulator that fails calls as its fault plan decides.
 * Every request is read whole first (the operation of an SES call is in its body), then:
 * - no fault: forwarded, and the emulator's answer passed back;
 * - `error500`, `error503`, `throttling`: answered with the service's error, not forwarded;
 * - `dropped`: the client's connection destroyed, not forwarded;
 * - `timeout`: forwarded, the emulator's answer read and held — never sent — until the client
 *   gives up and closes the connection (or the hold limit passes);
 * - `answerLost`: forwarded, the emulator's answer read, then the client's connection destroyed.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../emulators.js';
import { errorAnswer } from './error-answers.js';
import type { FaultPlan, FaultService, Injection } from './fault-plan.js';
import { callAttempt, requestOperation } from './operation.js';

export interface FaultProxyOptions {
  readonly service: FaultService;
  /** The emulator (or the proxy in front of it): `http://127.0.0.1:<port>`. */
  readonly target: string;
  readonly plan: FaultPlan;
  /** Whether calls are decided yet; until then they pass untouched and uncounted. */
  readonly armed: () => boolean;
  readonly holdLimitMs: number;
  readonly onInjection?: (injection: Injection) => void;
  /**
   * Operations whose answers name the target's own URLs (SQS queue URLs): there the target's origin
   * becomes the proxy's, since the SDK sends an SQS call to its queue URL's host.
   */
  readonly urlsInAnswers?: ReadonlySet<string>;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  stop(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { service, plan } = options;
  const target = new URL(options.target);
  let own = '';

  /**
   * Sends the request on and calls `then` with the whole answer. A call whose fault carries it out
   * is carried out to the end even when its client gives up first; any other call ends with its
   * client (an aborted long poll must not take messages nobody will see).
   */
  const forward = (
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
    then: (answer: Answer) => void,
    carriedOut = false,
  ) => {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () =>
          then({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
        );
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`${service} emulator unreachable: ${error.message}`);
    });
    res.on('close', () => {
      if (!carriedOut && !res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  };

  const pass = (res: ServerResponse, operation: string, answer: Answer) => {
    const body = options.urlsInAnswers?.has(operation)
      ? Buffer.from(answer.body.toString('utf8').replaceAll(`${target.origin}/`, `${own}/`))
      : answer.body;
    const headers = { ...answer.headers, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    res.writeHead(answer.status, headers);
    res.end(body);
  };

  const hold = (req: IncomingMessage, res: ServerResponse) => {
    if (req.socket.destroyed) return;
    const limit = setTimeout(() => res.destroy(), options.holdLimitMs);
    limit.unref();
    res.on('close', () => clearTimeout(limit));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const { protocol, operation } = requestOperation(req.headers, req.method, req.url, text);
      const call = callAttempt(req.headers);
      const decided = options.armed()
        ? plan.decide({ service, operation, body: text, ...(call === undefined ? {} : { call }) })
        : undefined;
      if (decided === undefined) {
        forward(req, body, res, (answer) => pass(res, operation, answer));
        return;
      }
      const { kind, seq } = decided;
      const report = (answer?: Answer) =>
        options.onInjection?.({
          seq,
          service,
          operation,
          kind,
          requestBody: text,
          ...(answer === undefined ? {} : { answerBody: answer.body.toString('utf8') }),
        });
      switch (kind) {
        case 'error500':
        case 'error503':
        case 'throttling': {
          const answer = errorAnswer(service, protocol, kind);
          res.writeHead(answer.status, {
            ...answer.headers,
            'content-length': String(Buffer.byteLength(answer.body)),
          });
          res.end(answer.body);
          report();
          return;
        }
        case 'dropped':
          req.socket.destroy();
          report();
          return;
        case 'timeout':
          forward(
            req,
            body,
            res,
            (answer) => {
              hold(req, res);
              report(answer);
            },
            true,
          );
          return;
        case 'answerLost':
          forward(
            req,
            body,
            res,
            (answer) => {
              res.destroy();
              report(answer);
            },
            true,
          );
          return;
      }
    });
  });
  await listen(server, 0, `${service} fault proxy`);
  own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: own,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
