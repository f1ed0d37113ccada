/**
 * GET /auth/session: `{ signedIn, email, name, teams, csrf }` for the site's own scripts.
 *
 * Env: IDENTITY_ENV (shared/functions.ts). IAM: secretsmanager:GetSecretValue on the session key.
 */
import { sessionEndpoint } from '#shared/identity/auth-endpoints.ts';
import { callerDeps } from '#shared/identity/deps.ts';

const endpoint = sessionEndpoint(callerDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
