/**
 * GET /requests/{requestId} — where a request is in TS-PE-535: JSON for API clients, the status page
 * for browsers. Read-only; shows no task tokens, link secrets, licence details or who acted.
 *
 * With sign-in (AUTH_MODE=sso) its requester, the review teams, Technology Services and the auditors
 * read it; others get 403, nobody signed in is sent to sign in (401 for JSON).
 *
 * Env: TABLE_NAME, IDENTITY_ENV (read on the first call, fail fast). IAM: dynamodb:GetItem,
 * dynamodb:Query (table); secretsmanager:GetSecretValue on the session key.
 */

import { type HttpEvent, type HttpResponse, httpHandler, pageOrJson } from '#shared/core/http/edge.ts';
import { readDeps } from '#shared/deps.ts';
import { type CallerDeps, callerDeps, isResponse, signedInOrSignIn } from '#shared/identity/index.ts';
import { renderRequestStatus, renderStatusError } from '#shared/requests/pages/request-status.ts';
import { type GetRequestDeps, readRequestStatus } from '#shared/requests/request-status.ts';
import { requireReader } from '#shared/requests/signed-in.ts';

export type { GetRequestDeps } from '#shared/requests/request-status.ts';

export async function getRequest(
  event: HttpEvent,
  deps: GetRequestDeps = readDeps(),
  caller: CallerDeps = callerDeps(),
): Promise<HttpResponse> {
  const requestId = event.pathParameters?.requestId ?? '';
  const who = await signedInOrSignIn(event, caller, `/requests/${encodeURIComponent(requestId)}`);
  if (isResponse(who)) return who;
  const { view, record } = await readRequestStatus(requestId, deps);
  requireReader(who, record);
  return pageOrJson(event, () => renderRequestStatus({ view, record }), view);
}

export const handler = httpHandler((event) => getRequest(event), { renderErrorPage: renderStatusError });
