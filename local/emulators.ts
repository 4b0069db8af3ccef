/**
 * The three AWS emulators of the local runtime, each on 127.0.0.1 and a given or free port:
 * fauxqs (SQS), aws-ses-v2-local (SES, with its mail viewer) and dynalite (DynamoDB).
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  stop(): Promise<void>;
}

/** A port that is taken fails with the port's name and the option that moves it. */
export class PortInUseError extends Error {
  constructor(service: string, port: number, cause: unknown) {
    super(
      `Port ${port} (${service}) is already in use on 127.0.0.1; stop what holds it or choose another port for ${service}`,
      { cause },
    );
    this.name = 'PortInUseError';
  }
}

const inUse = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';

/** fauxqs; with `dataDir`, queues and messages (in flight and delayed too) survive restarts. */
export async function startSqsEmulator(port: number, dataDir?: string): Promise<Emulator> {
  try {
    const server = await startFauxqs({
      port,
      host: '127.0.0.1',
      logger: false,
      ...(dataDir === undefined ? {} : { dataDir }),
    });
    return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
  } catch (error) {
    if (inUse(error)) throw new PortInUseError('sqs', port, error);
    throw error;
  }
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
        else reject(Object.assign(new Error(message.error?.message ?? 'SES emulator failed'), message.error));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`SES emulator thread exited with code ${code}`)));
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
