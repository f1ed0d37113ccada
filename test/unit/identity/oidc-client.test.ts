/** The OpenID client when the provider cannot be reached: a transient error, and discovery retried. */
import { describe, expect, it, vi } from 'vitest';
import { TransientError } from '#shared/core/errors.ts';
import { readSsoConfig } from '#shared/identity/config.ts';
import { newLoginChecks, openIdClient } from '#shared/identity/oidc.ts';

const config = readSsoConfig({
  SESSION_SECRET: 'ab'.repeat(32),
  OIDC_ISSUER: 'https://idp.district.example',
  OIDC_CLIENT_ID: 'client-1',
  PUBLIC_BASE_URL: 'https://requests.district.example',
});

describe('openIdClient', () => {
  it('answers TransientError when discovery fails, and tries discovery again next time', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    const client = openIdClient(config, { fetch });
    await expect(client.authorizationUrl(newLoginChecks())).rejects.toThrow(TransientError);
    await expect(client.authorizationUrl(newLoginChecks())).rejects.toThrow(TransientError);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('makes new random state, nonce and a 43-character PKCE verifier for each sign-in', () => {
    const [a, b] = [newLoginChecks(), newLoginChecks()];
    expect(a.state).not.toBe(b.state);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.codeVerifier).toMatch(/^[\w-]{43,128}$/);
  });
});
