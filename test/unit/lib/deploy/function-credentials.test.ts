import { CredentialsProviderError } from '@smithy/core/config';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  defaultProvider,
  FUNCTION_CREDENTIALS_MESSAGES,
} from '../../../../lib/deploy/function-credentials.js';

const LAMBDA_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIAFUNCTION',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_SESSION_TOKEN: 'token',
};

/** Every variable a credential source reads, unset: each test sets what its case needs. */
const NO_SOURCES = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  // Never the real instance metadata service from a test.
  AWS_EC2_METADATA_DISABLED: 'true',
};

beforeEach(() => {
  for (const [name, value] of Object.entries(NO_SOURCES)) vi.stubEnv(name, value);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('Function: defaultProvider (function bundles)', () => {
  it('returns the credentials Lambda puts in the environment', async () => {
    // Prepare
    for (const [name, value] of Object.entries(LAMBDA_CREDENTIALS)) vi.stubEnv(name, value);

    // Act
    const credentials = await defaultProvider()();

    // Assess
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAFUNCTION',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('resolves once and answers from memory after (as the SDK chain does)', async () => {
    // Prepare
    for (const [name, value] of Object.entries(LAMBDA_CREDENTIALS)) vi.stubEnv(name, value);
    const provider = defaultProvider();
    await provider();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIALATER');

    // Act
    const credentials = await provider();

    // Assess
    expect(credentials.accessKeyId).toBe('ASIAFUNCTION');
  });

  it('refuses a profile, which the bundle has no provider for, even beside environment credentials', async () => {
    // Prepare
    for (const [name, value] of Object.entries(LAMBDA_CREDENTIALS)) vi.stubEnv(name, value);
    vi.stubEnv('AWS_PROFILE', 'developer');

    // Act
    const result = defaultProvider()();

    // Assess
    await expect(result).rejects.toThrow(CredentialsProviderError);
    await expect(result).rejects.toThrow(FUNCTION_CREDENTIALS_MESSAGES.profileRefused);
  });

  it('says why when there is no source at all', async () => {
    // Act
    const result = defaultProvider()();

    // Assess
    await expect(result).rejects.toThrow(CredentialsProviderError);
    await expect(result).rejects.toThrow(FUNCTION_CREDENTIALS_MESSAGES.noSource);
  });
});
