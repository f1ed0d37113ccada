/**
 * POST /auth/logout (form field `csrf`): ends the session in this browser.
 *
 * Env: IDENTITY_ENV (shared/functions.ts). IAM: secretsmanager:GetSecretValue on the session key.
 */
import { logoutEndpoint } from '#shared/identity/auth-endpoints.ts';
import { callerDeps } from '#shared/identity/deps.ts';

const endpoint = logoutEndpoint(callerDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
