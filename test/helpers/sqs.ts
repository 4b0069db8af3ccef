import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';

/** Dummy credentials for emulators: the SDK signs requests, the emulators don't check them. */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** An embedded fauxqs on a free loopback port. */
export async function startSqs() {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  return { server, endpoint: server.address, stop: () => server.stop() };
}

export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({ ...LOCAL_AWS, endpoint });
}
