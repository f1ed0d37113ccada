/**
 * GET /auth/login?returnTo=<path on this site>: leaves for the district's sign-in (OpenID Connect,
 * authorization code flow with PKCE), keeping state, nonce and verifier in a signed pending-login cookie.
 *
 * Env: IDENTITY_ENV (shared/functions.ts). IAM: secretsmanager:GetSecretValue on the session key.
 */
import { loginEndpoint } from '#shared/identity/auth-endpoints.ts';
import { callerDeps } from '#shared/identity/deps.ts';

const endpoint = loginEndpoint(callerDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
