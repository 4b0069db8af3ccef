/**
 * Where the local runtime listens and who it says it is — kept apart from `start-local.ts` (which
 * pulls in the emulators) so that the CLI and other tools can find the runtime without loading it.
 */

/** Ports on 127.0.0.1 (PRODUCT.md "Local endpoints"), each overridable. */
export const LOCAL_PORTS = {
  api: 3000,
  sqs: 4566,
  ses: 8005,
  dynamodb: 8000,
  /** The local EventBridge Scheduler API. */
  scheduler: 4567,
  /** The sample external source `sync.run` pulls from. */
  sampleSource: 3001,
} as const;
export type LocalPorts = { readonly [K in keyof typeof LOCAL_PORTS]: number };

/** Region, dummy credentials and resource names the local runtime uses. */
export const LOCAL_IDENTITY = {
  region: 'us-east-1',
  /** The account fauxqs puts in queue ARNs, and the local ARNs of functions and mappings. */
  accountId: '000000000000',
  /** The emulators accept any credentials; these can never sign a real AWS request. */
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  tableName: 'hangar-ledger',
  scheduleGroupName: 'hangar-local',
} as const;

/** `http://127.0.0.1:<port>`: the only kind of address the local runtime serves on. */
export function localUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}
