/**
 * GET /my/requests: the signed-in person's own requests, newest first (JSON `{ items }`, or a page).
 * Sign-in only (AUTH_MODE=sso); 404 in link mode.
 *
 * Env: TABLE_NAME, IDENTITY_ENV. IAM: Query on GSI1 REQUESTER#; the session key.
 */
import { httpHandler } from '#shared/core/http/edge.ts';
import { myRequestsDeps } from '#shared/deps.ts';
import { myRequests } from '#shared/requests/signed-in.ts';

export const run = myRequests;
export const handler = httpHandler((event) => myRequests(event, myRequestsDeps()));
