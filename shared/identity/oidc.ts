/**
 * The OpenID Connect relying party, on openid-client (v6): discovery of the issuer (once per container,
 * retried after a failure), the authorization request of the code flow with PKCE (S256), state and
 * nonce, and the code exchange, which checks state, nonce, issuer, audience, signature and expiry of
 * the ID token. Plain http is allowed only for a provider on this machine (config.ts).
 */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { TransientError } from '../core/errors.ts';
import { isLoopbackHost, type SsoConfig } from './config.ts';
import { LoginRejectedError } from './errors.ts';
import type { PendingLogin } from './types.ts';

/** Cognito sends `cognito:groups` in every ID token; the local provider sends `groups` with `profile`. */
export const SCOPES = 'openid email profile';
const TIMEOUT_SECONDS = 10;

export type LoginChecks = Pick<PendingLogin, 'state' | 'nonce' | 'codeVerifier'>;

export interface OidcClient {
  /** Where the browser goes to sign in. */
  authorizationUrl(checks: LoginChecks): Promise<URL>;
  /** Exchanges the code in `callbackUrl` and answers the verified ID token's claims. */
  idTokenClaims(callbackUrl: URL, checks: LoginChecks): Promise<Record<string, unknown>>;
  /**
   * An API client's `Authorization: Bearer` token: a JWT the provider signed (its published keys),
   * for this site's client (`aud` of an ID token, `client_id` of a Cognito access token), unexpired.
   * Its claims, or undefined when it is none of that.
   */
  bearerClaims(token: string): Promise<Record<string, unknown> | undefined>;
}

export interface OidcClientOptions {
  /** Tests and the local runtime may route the client's requests. */
  fetch?: client.CustomFetch;
}

/** Fresh random state, nonce and PKCE verifier for one sign-in. */
export function newLoginChecks(): LoginChecks {
  return {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier: client.randomPKCECodeVerifier(),
  };
}

export function openIdClient(config: SsoConfig, options: OidcClientOptions = {}): OidcClient {
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= discover(config, options).catch((error: unknown) => {
      discovered = undefined;
      throw new TransientError('The sign-in service could not be reached', { cause: error });
    });
    return discovered;
  };
  let keys: JWTVerifyGetKey | undefined;
  const signingKeys = async () => {
    const jwksUri = (await configuration()).serverMetadata().jwks_uri;
    if (!jwksUri) throw new TransientError('The sign-in service publishes no signing keys');
    keys ??= createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: TIMEOUT_SECONDS * 1000 });
    return keys;
  };
  return {
    async bearerClaims(token) {
      const getKey = await signingKeys();
      const { issuer } = (await configuration()).serverMetadata();
      try {
        const { payload } = await jwtVerify(token, getKey, { issuer, requiredClaims: ['exp', 'sub'] });
        const audiences = [payload.aud ?? []].flat();
        const forThisSite = audiences.includes(config.clientId) || payload.client_id === config.clientId;
        return forThisSite ? { ...payload } : undefined;
      } catch (error) {
        // A token that is not good is refused; keys that cannot be fetched are the provider's trouble.
        const unreachable = error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError);
        if (!unreachable) return undefined;
        throw new TransientError('The sign-in service keys could not be read', { cause: error });
      }
    },
    async authorizationUrl(checks) {
      return client.buildAuthorizationUrl(await configuration(), {
        redirect_uri: config.redirectUri,
        scope: SCOPES,
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
      });
    },
    async idTokenClaims(callbackUrl, checks) {
      const settings = await configuration();
      try {
        const tokens = await client.authorizationCodeGrant(settings, callbackUrl, {
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          pkceCodeVerifier: checks.codeVerifier,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) throw new LoginRejectedError('token-rejected');
        return { ...claims };
      } catch (error) {
        throw loginFailure(error);
      }
    },
  };
}

function discover(config: SsoConfig, options: OidcClientOptions): Promise<client.Configuration> {
  const local = config.issuer.protocol === 'http:' && isLoopbackHost(config.issuer.hostname);
  return client.discovery(
    config.issuer,
    config.clientId,
    { redirect_uris: [config.redirectUri], response_types: ['code'] },
    config.clientSecret ? client.ClientSecretBasic(config.clientSecret) : client.None(),
    {
      execute: local ? [client.allowInsecureRequests] : [],
      timeout: TIMEOUT_SECONDS,
      ...(options.fetch ? { [client.customFetch]: options.fetch } : {}),
    },
  );
}

/** Unreachable or failing provider: transient (retry later). A refused answer: a rejected sign-in. */
function loginFailure(error: unknown): Error {
  if (error instanceof LoginRejectedError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    return new LoginRejectedError('provider-refused', { cause: error });
  }
  if (error instanceof client.ResponseBodyError && error.status < 500) {
    return new LoginRejectedError('token-rejected', { cause: error });
  }
  if (error instanceof client.ClientError && !SERVER_TROUBLE.has(error.code ?? '')) {
    return new LoginRejectedError('token-rejected', { cause: error });
  }
  return new TransientError('The sign-in service could not be reached', { cause: error });
}

/** openid-client's codes for a provider that answered, but not as a working provider would. */
const SERVER_TROUBLE = new Set(['OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON']);
