/**
 * Identity settings, read once and checked (CONVENTIONS 5): a bad value fails the first invocation with
 * the variable's name. AUTH_MODE defaults to `sso` wherever an identity provider is configured
 * (OIDC_ISSUER set), else to `link`, today's behaviour.
 */

import { readPublicBaseUrl } from '../core/config.ts';
import { type Env, optionalEnv, requireEnv } from '../core/env.ts';
import { ConfigError } from '../core/errors.ts';
import { isOneOf } from '../core/guards.ts';
import type { AuthMode } from './types.ts';

/** Where the provider sends the browser back (relative to PUBLIC_BASE_URL). */
export const CALLBACK_PATH = '/auth/callback';

/** HS256 wants a key at least as long as its hash: 256 bits. */
export const MIN_SECRET_BYTES = 32;

const AUTH_MODES = ['sso', 'link'] as const satisfies readonly AuthMode[];

export interface SsoConfig {
  mode: 'sso';
  /** SESSION_SECRET's bytes: the HMAC key of the session and pending-login cookies. */
  sessionSecret: Uint8Array;
  /** PUBLIC_BASE_URL, without trailing slash: the cookies' issuer and the redirect URI's base. */
  baseUrl: string;
  /** Cookies are `Secure` when the site is served over https. */
  secureCookies: boolean;
  issuer: URL;
  clientId: string;
  /** Absent for a public client (PKCE only), as the local provider's is. */
  clientSecret?: string;
  redirectUri: string;
}

export type IdentityConfig = { mode: 'link' } | SsoConfig;

export function readIdentityConfig(env: Env = process.env): IdentityConfig {
  return readAuthMode(env) === 'link' ? { mode: 'link' } : readSsoConfig(env);
}

export function readAuthMode(env: Env = process.env): AuthMode {
  const fallback = env.OIDC_ISSUER?.trim() ? 'sso' : 'link';
  const mode = optionalEnv('AUTH_MODE', fallback, env);
  if (!isOneOf(AUTH_MODES, mode)) {
    throw new ConfigError(`Environment variable AUTH_MODE must be "sso" or "link", got "${mode}"`);
  }
  return mode;
}

/**
 * The settings of `sso` mode; every variable is required except OIDC_CLIENT_SECRET. The session key is
 * SESSION_SECRET, or `sessionSecret` when the caller fetched it (loadSsoConfig: SESSION_SECRET_ARN).
 */
export function readSsoConfig(env: Env = process.env, sessionSecret?: string): SsoConfig {
  const baseUrl = readPublicBaseUrl(env);
  const base = new URL(baseUrl);
  if (!/^https?:$/.test(base.protocol)) {
    throw new ConfigError('Environment variable PUBLIC_BASE_URL must be an http(s) URL');
  }
  const clientSecret = env.OIDC_CLIENT_SECRET?.trim();
  return {
    mode: 'sso',
    sessionSecret: sessionSecret === undefined ? readSessionSecret(env) : decodeSessionSecret(sessionSecret),
    baseUrl,
    secureCookies: base.protocol === 'https:',
    issuer: readIssuer(env),
    clientId: requireEnv('OIDC_CLIENT_ID', env),
    ...(clientSecret ? { clientSecret } : {}),
    redirectUri: `${baseUrl}${CALLBACK_PATH}`,
  };
}

/**
 * SESSION_SECRET: at least 32 random bytes, as hex or as base64 (or base64url). A value that reads as
 * hex is taken as hex (`openssl rand -hex 32`); otherwise as base64 (`openssl rand -base64 32`).
 */
export function readSessionSecret(env: Env = process.env): Uint8Array {
  return decodeSessionSecret(requireEnv('SESSION_SECRET', env));
}

/**
 * The deployed settings: the session key is the Secrets Manager secret SESSION_SECRET_ARN (never in an
 * environment variable a console shows), fetched once per container by `fetchSecret`.
 */
export async function loadSsoConfig(
  env: Env,
  fetchSecret: (secretArn: string) => Promise<string>,
): Promise<SsoConfig> {
  if (env.SESSION_SECRET?.trim()) return readSsoConfig(env);
  return readSsoConfig(env, await fetchSecret(requireEnv('SESSION_SECRET_ARN', env)));
}

function decodeSessionSecret(raw: string): Uint8Array {
  const bytes = decodeSecret(raw.trim());
  if (!bytes || bytes.length < MIN_SECRET_BYTES) {
    throw new ConfigError(
      `Environment variable SESSION_SECRET must be at least ${MIN_SECRET_BYTES} random bytes as hex or base64`,
    );
  }
  return bytes;
}

function decodeSecret(raw: string): Uint8Array | undefined {
  if (/^(?:[0-9a-f]{2})+$/i.test(raw)) return new Uint8Array(Buffer.from(raw, 'hex'));
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) return new Uint8Array(Buffer.from(raw, 'base64'));
  return undefined;
}

/**
 * OIDC_ISSUER, exactly as the provider spells it (discovery compares it character for character, so a
 * trailing slash is kept). https, except a provider on this machine (the local runtime's).
 */
export function readIssuer(env: Env = process.env): URL {
  const raw = requireEnv('OIDC_ISSUER', env);
  let issuer: URL;
  try {
    issuer = new URL(raw);
  } catch (cause) {
    throw new ConfigError(`Environment variable OIDC_ISSUER must be an absolute URL, got "${raw}"`, {
      cause,
    });
  }
  const local = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname);
  if (issuer.protocol !== 'https:' && !local) {
    throw new ConfigError('Environment variable OIDC_ISSUER must be an https URL (http only on localhost)');
  }
  return issuer;
}

/** This machine: the only place a provider may answer over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}
