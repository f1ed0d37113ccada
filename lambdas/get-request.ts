/**
 * GET /requests/{requestId} — where a request is in TS-PE-535: JSON for API clients, the status page
 * for browsers. Read-only; shows no task tokens, link secrets, licence details or who acted.
 *
 * Env: TABLE_NAME (read on the first call, fail fast). IAM: dynamodb:GetItem, dynamodb:Query (table).
 */

import { type HttpEvent, type HttpResponse, httpHandler, pageOrJson } from '#shared/core/http/edge.ts';
import { readDeps } from '#shared/deps.ts';
import { renderRequestStatus, renderStatusError } from '#shared/requests/pages/request-status.ts';
import { type GetRequestDeps, readRequestStatus } from '#shared/requests/request-status.ts';

export type { GetRequestDeps } from '#shared/requests/request-status.ts';

export async function getRequest(event: HttpEvent, deps: GetRequestDeps = readDeps()): Promise<HttpResponse> {
  const { view, record } = await readRequestStatus(event.pathParameters?.requestId ?? '', deps);
  return pageOrJson(event, () => renderRequestStatus({ view, record }), view);
}

export const handler = httpHandler((event) => getRequest(event), { renderErrorPage: renderStatusError });
