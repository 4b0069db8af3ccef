/**
 * The AWS credentials of every bundled function: the sources of the SDK's default chain
 * (`@aws-sdk/credential-provider-node`) that a Lambda execution environment has, in the same
 * order, and none of those only a developer's machine has. `FUNCTION_BUNDLE.alias` puts this
 * module in that package's place in every function bundle (never in the CLI or the tests, which
 * keep the whole chain).
 *
 * Why: every SDK client's defaults reference the whole chain — SSO, profile files,
 * `credential_process`, web-identity token files, and the STS, SSO and sign-in clients they use —
 * about 120 KB of each half-megabyte function bundle. A Lambda function never runs them (Lambda
 * puts the role's credentials in its environment), yet V8 parses them at every cold start: 8–10 ms
 * of the import (bench/cold-start/PROFILE.md).
 *
 * What stays, in the default chain's order: the environment variables Lambda sets
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), then a container
 * credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI` / `_RELATIVE_URI`), then the instance
 * metadata service unless `AWS_EC2_METADATA_DISABLED` — each loaded only when reached, memoized
 * and refreshed before expiry as the SDK does. A profile (`AWS_PROFILE`), which the default chain
 * would prefer even over the environment, is refused with a message rather than ignored.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { FromHttpOptions } from '@aws-sdk/credential-provider-http';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import { CredentialsProviderError, chain, ENV_PROFILE } from '@smithy/core/config';
import type { RemoteProviderInit } from '@smithy/credential-provider-imds';

/** What an SDK client hands its `credentialDefaultProvider` (its own configuration), as the providers kept read it. */
export type FunctionCredentialsInit = FromHttpOptions & RemoteProviderInit & { readonly profile?: string };

type CredentialProvider = ReturnType<typeof fromEnv>;
type Credentials = Awaited<ReturnType<CredentialProvider>>;

const ENV_IMDS_DISABLED = 'AWS_EC2_METADATA_DISABLED';

/** Why no credentials came, as the rejection says it. */
export const FUNCTION_CREDENTIALS_MESSAGES = {
  /** A function bundle has no profile providers. */
  profileRefused:
    'AWS_PROFILE is set, but function bundles resolve credentials from the environment, a container ' +
    'endpoint or the instance metadata service only (lib/deploy/function-credentials.ts)',
  noSource:
    'Could not load credentials: none in the environment, no container endpoint, and the instance ' +
    'metadata service is disabled',
} as const;

/** The container endpoint, else the instance metadata service: the default chain's remote providers. */
async function remote(init: FunctionCredentialsInit): Promise<CredentialProvider> {
  const imds = await import('@smithy/credential-provider-imds');
  if (process.env[imds.ENV_CMDS_RELATIVE_URI] || process.env[imds.ENV_CMDS_FULL_URI]) {
    const { fromHttp } = await import('@aws-sdk/credential-provider-http');
    return chain(fromHttp(init), imds.fromContainerMetadata(init));
  }
  const disabled = process.env[ENV_IMDS_DISABLED];
  if (disabled && disabled !== 'false') {
    return () =>
      Promise.reject(
        new CredentialsProviderError(FUNCTION_CREDENTIALS_MESSAGES.noSource, { tryNextLink: false }),
      );
  }
  return imds.fromInstanceMetadata(init);
}

/**
 * Stands in for `@aws-sdk/credential-provider-node`'s `defaultProvider` in function bundles.
 *
 * @example
 * // Not called directly: every SDK client's `credentialDefaultProvider` is this in a bundle.
 * const credentials = await defaultProvider()();
 */
export function defaultProvider(init: FunctionCredentialsInit = {}): CredentialProvider {
  const resolve = chain(
    async () => {
      if (init.profile ?? process.env[ENV_PROFILE]) {
        throw new CredentialsProviderError(FUNCTION_CREDENTIALS_MESSAGES.profileRefused, {
          tryNextLink: false,
        });
      }
      return fromEnv(init)();
    },
    async () => (await remote(init))(),
  );
  // Only a missing provider makes `memoizeIdentityProvider` answer undefined.
  return memoizeIdentityProvider(resolve, isIdentityExpired, doesIdentityRequireRefresh) ?? resolve;
}

/** As `@aws-sdk/credential-provider-node` exports them, for any module of a bundle that imports them. */
export const credentialsWillNeedRefresh = (credentials: Credentials): boolean =>
  credentials.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials: Credentials): boolean =>
  isIdentityExpired(credentials);
