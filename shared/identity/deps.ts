/**
 * What signing in needs: the `sso` settings, the clock and the OpenID client. Built once per container
 * from the environment (discovery is then cached with the client); tests pass their own.
 */
import { once } from '../core/once.ts';
import { readSsoConfig, type SsoConfig } from './config.ts';
import { type OidcClient, type OidcClientOptions, openIdClient } from './oidc.ts';

export interface IdentityDeps {
  config: SsoConfig;
  now: () => Date;
  oidc: OidcClient;
}

export function identityDeps(
  config: SsoConfig,
  options: OidcClientOptions & { now?: () => Date } = {},
): IdentityDeps {
  return { config, now: options.now ?? (() => new Date()), oidc: openIdClient(config, options) };
}

/** The deployed default: AUTH_MODE=sso settings from process.env, read on first use. */
export const defaultIdentityDeps = once(() => identityDeps(readSsoConfig()));
