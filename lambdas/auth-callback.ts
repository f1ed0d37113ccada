/**
 * GET /auth/callback: the provider's answer; checks it against the pending login, starts a new
 * session (a new id and CSRF token: no session fixation) and goes back to where the person was going.
 *
 * Env: IDENTITY_ENV (shared/functions.ts), TABLE_NAME. IAM: secretsmanager:GetSecretValue on the session
 * key; the people list (shared/core/store/access.ts).
 */
import { store } from '#shared/deps.ts';
import { callbackEndpoint } from '#shared/identity/auth-endpoints.ts';
import { callerDeps } from '#shared/identity/deps.ts';

const endpoint = callbackEndpoint(callerDeps, store);

export const run = endpoint.run;
export const handler = endpoint.handler;
