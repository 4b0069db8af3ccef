/**
 * The three AWS emulators of the local runtime, each on 127.0.0.1 and a given or free port:
 * fauxqs (SQS), aws-ses-v2-local (SES, with its mail viewer) and dynalite (DynamoDB).
 */
import { createServer, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';
import { LocalRuntimeError, PortInUseError } from './errors.js';

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  stop(): Promise<void>;
}

/** A port that is taken fails with the port's name and the option that moves it. */
const inUse = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';

/**
 * fauxqs behind a loopback proxy. fauxqs listens on every interface and writes queue URLs as
 * `http://sqs.<region>.<host>:<port>/…`, and the SDK sends each call to its `QueueUrl`'s host
 * whenever the client's endpoint comes from the environment (`AWS_ENDPOINT_URL_SQS`) rather than
 * its config — so that host must be reachable. `sqs.us-east-1.localhost` does not resolve
 * everywhere and `sqs.us-east-1.127.0.0.1` is not a valid URL. The proxy listens on 127.0.0.1
 * only, and rewrites every queue URL in a response to its own address
 * (`http://127.0.0.1:<port>/000000000000/<name>`), which is also what a persisted queue reads
 * after a restart on another port. fauxqs finds queues by name, so it accepts those URLs.
 * With `dataDir`, queues and messages (in flight and delayed too) survive restarts.
 */
export async function startSqsEmulator(port: number, dataDir?: string): Promise<Emulator> {
  const fauxqs = await startFauxqs({
    port: 0,
    host: 'localhost',
    logger: false,
    ...(dataDir === undefined ? {} : { dataDir }),
  });
  const inner = fauxqs.port;
  const queueUrlHost = /http:\/\/sqs\.[a-z0-9-]+\.localhost(?::\d+)?\//g;
  let outer = '';
  const server = createServer((req, res) => {
    const upstream = request(
      { host: '127.0.0.1', port: inner, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.from(Buffer.concat(chunks).toString('utf8').replace(queueUrlHost, `${outer}/`));
          const headers = { ...answer.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(body);
        });
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`SQS emulator unreachable: ${error.message}`);
    });
    // A client that gives up (an aborted long poll) ends the upstream call too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  try {
    await listen(server, port, 'sqs');
  } catch (error) {
    await fauxqs.stop();
    throw error;
  }
  outer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: outer,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await fauxqs.stop();
    },
  };
}

/** dynalite; with `path`, the table and its items live in a LevelDB directory there. */
export async function startDynamoEmulator(port: number, path?: string): Promise<Emulator> {
  const server: Server = dynalite({
    ...(path === undefined ? {} : { path }),
    // Tables are ACTIVE at once: nothing locally waits for a table to finish creating.
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await listen(server, port, 'dynamodb');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

// aws-ses-v2-local keeps sent mail in a module-level store; in its own thread every runtime gets
// its own store, and a crash there (a taken port) cannot take this process down.
const SES_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const start = require(workerData.modulePath).default;
start({ host: '127.0.0.1', port: workerData.port }).then(
  (server) => {
    server.on('error', (error) => parentPort.postMessage({ error: { message: error.message, code: error.code } }));
    parentPort.postMessage({ port: server.address().port });
  },
  (error) => parentPort.postMessage({ error: { message: error.message, code: error.code } }),
);
`;

/** aws-ses-v2-local: SES v1 and v2 `SendEmail`, the mail viewer at `/`, sent mail at `/store`. */
export async function startSesEmulator(port: number): Promise<Emulator> {
  const modulePath = createRequire(import.meta.url).resolve('aws-ses-v2-local');
  const worker = new Worker(SES_THREAD, { eval: true, workerData: { modulePath, port } });
  try {
    const actual = await new Promise<number>((resolve, reject) => {
      worker.once('message', (message: { port?: number; error?: { message: string; code?: string } }) => {
        if (message.port !== undefined) resolve(message.port);
        else
          reject(
            new LocalRuntimeError(`SES emulator failed: ${message.error?.message ?? 'no reason given'}`, {
              cause: message.error,
            }),
          );
      });
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new LocalRuntimeError(`SES emulator thread exited with code ${code}`)),
      );
    });
    worker.unref();
    return {
      url: `http://127.0.0.1:${actual}`,
      stop: async () => {
        await worker.terminate();
      },
    };
  } catch (error) {
    await worker.terminate();
    if (inUse(error)) throw new PortInUseError('ses', port, error);
    throw error;
  }
}

/** Listens on 127.0.0.1 only: nothing the local runtime starts is reachable from another machine. */
export function listen(server: Server, port: number, service: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: unknown) =>
      reject(inUse(error) ? new PortInUseError(service, port, error) : error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}
