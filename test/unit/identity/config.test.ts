/** Identity settings: read once, checked, and a bad one names its variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/core/errors.ts';
import { readAuthMode, readIdentityConfig, readSsoConfig } from '#shared/identity/config.ts';

const HEX_SECRET = 'ab'.repeat(32);
const SSO = {
  SESSION_SECRET: HEX_SECRET,
  OIDC_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example',
  OIDC_CLIENT_ID: 'client-1',
  PUBLIC_BASE_URL: 'https://requests.district.example/',
};

describe('AUTH_MODE', () => {
  it('is sso wherever an identity provider is configured, else link', () => {
    expect(readAuthMode(SSO)).toBe('sso');
    expect(readAuthMode({})).toBe('link');
    expect(readAuthMode({ ...SSO, AUTH_MODE: 'link' })).toBe('link');
    expect(readIdentityConfig({})).toEqual({ mode: 'link' });
  });

  it('refuses another value, naming the variable', () => {
    expect(() => readAuthMode({ AUTH_MODE: 'open' })).toThrow(/AUTH_MODE must be "sso" or "link"/);
  });
});

describe('sso settings', () => {
  it('derive the redirect URI and Secure cookies from PUBLIC_BASE_URL', () => {
    const config = readSsoConfig(SSO);
    expect(config).toMatchObject({
      mode: 'sso',
      baseUrl: 'https://requests.district.example',
      redirectUri: 'https://requests.district.example/auth/callback',
      secureCookies: true,
      clientId: 'client-1',
    });
    expect(config.issuer.href).toBe(SSO.OIDC_ISSUER);
    expect(config.sessionSecret).toHaveLength(32);
    expect(config).not.toHaveProperty('clientSecret');
    expect(readSsoConfig({ ...SSO, OIDC_CLIENT_SECRET: 's3cret' }).clientSecret).toBe('s3cret');
  });

  it('take the secret as hex or base64, at least 32 bytes', () => {
    const base64 = Buffer.alloc(48, 7).toString('base64');
    expect(readSsoConfig({ ...SSO, SESSION_SECRET: base64 }).sessionSecret).toHaveLength(48);
    expect(() => readSsoConfig({ ...SSO, SESSION_SECRET: 'ab'.repeat(31) })).toThrow(/SESSION_SECRET/);
    expect(() => readSsoConfig({ ...SSO, SESSION_SECRET: 'correct horse battery staple!' })).toThrow(
      /SESSION_SECRET must be at least 32 random bytes/,
    );
  });

  it('allow a plain-http provider only on this machine', () => {
    const local = {
      ...SSO,
      OIDC_ISSUER: 'http://localhost:3000/_local/idp',
      PUBLIC_BASE_URL: 'http://localhost:3000',
    };
    expect(readSsoConfig(local)).toMatchObject({ secureCookies: false });
    expect(() => readSsoConfig({ ...SSO, OIDC_ISSUER: 'http://idp.example.org' })).toThrow(
      /OIDC_ISSUER must be an https URL/,
    );
    expect(() => readSsoConfig({ ...SSO, OIDC_ISSUER: 'not a url' })).toThrow(
      /OIDC_ISSUER must be an absolute URL/,
    );
  });

  it.each(['SESSION_SECRET', 'OIDC_ISSUER', 'OIDC_CLIENT_ID', 'PUBLIC_BASE_URL'])(
    'fail with the name of a missing %s',
    (name) => {
      const env: Record<string, string | undefined> = { ...SSO, [name]: undefined };
      expect(() => readSsoConfig(env)).toThrow(ConfigError);
      expect(() => readSsoConfig(env)).toThrow(name);
    },
  );
});
