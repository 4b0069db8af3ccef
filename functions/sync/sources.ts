/**
 * Turns the configured sources (`HANGAR_SYNC_SOURCES`) into `SyncSource`s. Auth secrets are read
 * through Powertools Parameters, cached for `SYNC_DEFAULTS.secretMaxAgeSeconds` in a warm function.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { PermanentJobError } from '../../lib/index.js';
import { SYNC_DEFAULTS, type SyncSourceConfig } from '../../lib/jobs/builtin/index.js';
import type { ResolvedSource } from './run-sync.js';
import { HttpSource } from './source.js';

export type SecretReader = (name: string) => Promise<string | undefined>;

/** An SSM parameter (a name with a leading `/`, SecureString decrypted) or a Secrets Manager secret (name or ARN). */
export const readSecret: SecretReader = async (name) => {
  const maxAge = SYNC_DEFAULTS.secretMaxAgeSeconds;
  const value = name.startsWith('/')
    ? await getParameter(name, { decrypt: true, maxAge })
    : await getSecret(name, { maxAge });
  return typeof value === 'string' ? value : undefined;
};

export function resolveSources(
  configs: readonly SyncSourceConfig[],
  options: { readonly readSecret?: SecretReader; readonly fetch?: typeof fetch } = {},
): (sourceId: string) => ResolvedSource | undefined {
  const read = options.readSecret ?? readSecret;
  const resolved = new Map<string, ResolvedSource>();
  for (const config of configs) {
    const authParameter = config.authParameter;
    const auth =
      authParameter === undefined
        ? undefined
        : {
            header: config.authHeader ?? SYNC_DEFAULTS.authHeader,
            value: async () => {
              const secret = await read(authParameter);
              if (secret === undefined || secret === '') {
                throw new PermanentJobError(
                  `Auth parameter "${authParameter}" of source "${config.id}" is missing or empty`,
                  {
                    code: 'AUTH_PARAMETER_MISSING',
                  },
                );
              }
              return secret;
            },
          };
    const source = new HttpSource({
      url: config.url,
      pageTimeoutMs: SYNC_DEFAULTS.pageTimeoutMs,
      ...(auth ? { auth } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    resolved.set(config.id, {
      source,
      pageSize: config.pageSize ?? SYNC_DEFAULTS.pageSize,
      staleAfterDays: config.staleAfterDays ?? SYNC_DEFAULTS.staleAfterDays,
    });
  }
  return (sourceId) => resolved.get(sourceId);
}
